"""The what-if report as a workbook to attach to the proposal: one sheet per view, and the on-time rate of every
procedure against its committed duration as a line chart."""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

UNITS_VI = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "calendar_days": "ngày"}
FIGURES = (  # (key inside "before"/"after", label)
    ("early", "trước hạn"), ("on_time", "đúng hạn"), ("late", "trễ hạn"), ("on_time_rate", "tỷ lệ đúng hạn"),
    ("indicator_2_1", "chỉ tiêu 2.1 (QĐ 766)"), ("resolution_hours_median", "giờ giải quyết (trung vị)"),
    ("resolution_hours_p90", "giờ giải quyết (P90)"),
)
PERCENT = {"on_time_rate", "indicator_2_1"}
BOLD = Font(bold=True)


def _duration(d: dict[str, Any] | None) -> str:
    if not d:
        return ""
    return f"{d['value']:g} {UNITS_VI.get(d['unit'], d['unit'])}"


def _local(at: datetime | None, tz: ZoneInfo) -> datetime | None:
    return at.astimezone(tz).replace(tzinfo=None) if at else None


def _header(ws: Worksheet, labels: list[str]) -> None:
    ws.append(labels)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    ws.freeze_panes = f"A{ws.max_row + 1}"


def _figure_labels() -> list[str]:
    return [f"{label} — {when}" for when in ("hiện nay", "theo đề xuất") for _, label in FIGURES]


def _figures(group: dict[str, Any]) -> list[Any]:
    return [group.get(when, {}).get(key) for when in ("before", "after") for key, _ in FIGURES]


def _format_percent(ws: Worksheet, first_col: int) -> None:
    keys = [key for _ in range(2) for key, _ in FIGURES]
    for i, key in enumerate(keys):
        if key in PERCENT:
            for (cell,) in ws.iter_rows(min_row=2, min_col=first_col + i, max_col=first_col + i):
                cell.number_format = "0.00%"


def _summary(ws: Worksheet, r: dict[str, Any], agency: str | None) -> None:
    ws.title = "Tổng hợp"
    ws.append(["Phân tích giả định: rút ngắn thời hạn giải quyết"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Cơ quan", agency or "tất cả"])
    ws.append(["Kỳ", f"{r['period']['from']:%d/%m/%Y} – {r['period']['to']:%d/%m/%Y}"])
    ws.append(["Tỷ lệ đúng hạn mục tiêu", r["target"]])
    ws.cell(row=ws.max_row, column=2).number_format = "0.00%"
    for code, change in r["proposal"]["procedures"].items():
        ws.append([f"Đề xuất thời hạn {code}", _duration(change)])
    if r["proposal"]["cutoff"]:
        ws.append(["Giờ chốt tiếp nhận đề xuất", r["proposal"]["cutoff"]])
    if r["proposal"]["windows"]:
        ws.append(["Khung giờ làm việc đề xuất", "; ".join(f"{a}–{b}" for a, b in r["proposal"]["windows"])])
    total = r["total"]
    ws.append([])
    ws.append(["Chỉ số", "Hiện nay", "Theo đề xuất"])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    ws.append(["Số hồ sơ (đã giải quyết + đang giải quyết)", total["dossiers"], total["dossiers"]])
    ws.append(["Đã giải quyết", total["resolved"], total["resolved"]])
    ws.append(["Đang giải quyết cuối kỳ", total["pending"], total["pending"]])
    for key, label in FIGURES:
        ws.append([label[0].upper() + label[1:], total["before"][key], total["after"][key]])
        if key in PERCENT:
            for col in (2, 3):
                ws.cell(row=ws.max_row, column=col).number_format = "0.00%"
    ws.append(["Hồ sơ đúng hạn nay trở thành trễ hạn", "", total["newly_late"]])
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 22


def _procedures(ws: Worksheet, r: dict[str, Any]) -> None:
    _header(ws, ["Mã thủ tục", "Tên thủ tục", "Thời hạn luật định", "Thời hạn cam kết", "Thời hạn đề xuất",
                 "Số hồ sơ", "Đã giải quyết", "Đang giải quyết", *_figure_labels(), "Trở thành trễ hạn",
                 "Thời hạn ngắn nhất đạt mục tiêu", "Tỷ lệ đúng hạn tại đó", "Số hồ sơ trễ hạn tại đó"])
    for p in r["procedures"]:
        best = p.get("shortest")
        ws.append([p["procedure_code"], p.get("name", ""), _duration(p.get("statutory")),
                   _duration(p.get("committed")), _duration(p.get("proposed")), p["dossiers"], p["resolved"],
                   p["pending"], *_figures(p), p.get("newly_late"), _duration(best),
                   best["on_time_rate"] if best else None, best["late"] if best else None])
        if best:
            ws.cell(row=ws.max_row, column=ws.max_column - 1).number_format = "0.00%"
    _format_percent(ws, 9)
    ws.column_dimensions["B"].width = 50


def _units(ws: Worksheet, r: dict[str, Any]) -> None:
    _header(ws, ["Đơn vị", "Số hồ sơ", "Đã giải quyết", "Đang giải quyết", *_figure_labels(), "Trở thành trễ hạn"])
    for u in r["units"]:
        ws.append([u["unit"], u["dossiers"], u["resolved"], u["pending"], *_figures(u), u["newly_late"]])
    _format_percent(ws, 5)


def _late(ws: Worksheet, r: dict[str, Any], tz: ZoneInfo) -> None:
    _header(ws, ["Đơn vị", "Mã hồ sơ", "Mã thủ tục", "Tiếp nhận", "Có kết quả", "Hạn hiện nay", "Hạn theo đề xuất",
                 "Số ngày làm việc trễ", "Đã trễ hạn hiện nay"])
    for d in r["late_dossiers"]:
        ws.append([d["unit"], d["code"], d["procedure_code"], _local(d["accepted_at"], tz),
                   _local(d["stopped_at"], tz), _local(d["due_at_before"], tz), _local(d["due_at_after"], tz),
                   d["late_days"], "có" if d["late_today"] else "không"])
    for col in "DEFG":
        ws.column_dimensions[col].width = 18
        for (cell,) in ws.iter_rows(min_row=2, min_col=ord(col) - 64, max_col=ord(col) - 64):
            cell.number_format = "dd/mm/yyyy hh:mm"


def _curves(ws: Worksheet, r: dict[str, Any]) -> None:
    """Rows: candidate durations 1…; one column per procedure with resolved dossiers, then the target; one line
    chart per procedure (its on-time rate against the duration, with the target line)."""
    shown = [p for p in r["procedures"] if p.get("curve") and p.get("resolved")]
    longest = max((len(p["curve"]) for p in shown), default=0)
    _header(ws, ["Thời hạn cam kết",
                 *(f"{p['procedure_code']} ({UNITS_VI[p['curve'][0]['unit']]})" for p in shown), "Mục tiêu"])
    for i in range(longest):
        ws.append([i + 1, *(p["curve"][i]["on_time_rate"] if i < len(p["curve"]) else None for p in shown),
                   r["target"]])
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = "0.00%"
    target_col = len(shown) + 2
    for i, p in enumerate(shown):
        rows = len(p["curve"]) + 1
        chart = LineChart()
        chart.title = p["procedure_code"]
        chart.y_axis.title = "Tỷ lệ đúng hạn"
        chart.x_axis.title = f"Thời hạn cam kết ({UNITS_VI[p['curve'][0]['unit']]})"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        chart.x_axis.delete = chart.y_axis.delete = False  # newer Excel hides axes openpyxl leaves undecided
        chart.height, chart.width = 7.5, 15
        chart.legend.position = "b"
        chart.add_data(Reference(ws, min_col=i + 2, min_row=1, max_row=rows), titles_from_data=True)
        chart.add_data(Reference(ws, min_col=target_col, min_row=1, max_row=rows), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows))
        for series in chart.series:
            series.smooth = False
        anchor = ws.cell(row=2 + (i // 2) * 16, column=target_col + 2 + (i % 2) * 10)
        ws.add_chart(chart, anchor.coordinate)


def workbook(r: dict[str, Any], tz: ZoneInfo, agency: str | None = None) -> bytes:
    wb = Workbook()
    _summary(wb.active, r, agency)  # type: ignore[arg-type]
    _procedures(wb.create_sheet("Theo thủ tục"), r)
    _units(wb.create_sheet("Theo đơn vị"), r)
    _late(wb.create_sheet("Hồ sơ trễ hạn"), r, tz)
    _curves(wb.create_sheet("Tỷ lệ theo thời hạn"), r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
