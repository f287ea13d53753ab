"""Form 06a as the official sheet (Mẫu 06a/VPCP/KSTT, Thông tư 01/2020/TT-VPCP): title and period block, STT,
the grouped merged header, a column-number row, named rows, the total row and the place, date and signatures."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scoring.form06a import COUNTS, TOTAL, Row06a
from scoring.periods import Period

FORM_CODE = "Mẫu số 06a/VPCP/KSTT"
TITLE = ("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT "
         "THỦ TỤC HÀNH CHÍNH")
ROW_LABELS = {"unit": "Đơn vị trực tiếp giải quyết", "field": "Lĩnh vực giải quyết"}
# (first column, last column, first header row, last header row, text): 3 header rows from HEADER_ROW.
# Columns: A STT, B name, C–F received, G–J resolved, K–M pending.
HEADER_CELLS: tuple[tuple[int, int, int, int, str], ...] = (
    (1, 1, 0, 2, "STT"),
    (2, 2, 0, 2, "{label}"),
    (3, 6, 0, 0, "Số hồ sơ nhận giải quyết"),
    (3, 3, 1, 2, "Tổng số"),
    (4, 5, 1, 1, "Trong kỳ"),
    (4, 4, 2, 2, "Trực tuyến"),
    (5, 5, 2, 2, "Trực tiếp, dịch vụ bưu chính"),
    (6, 6, 1, 2, "Từ kỳ trước"),
    (7, 10, 0, 0, "Số hồ sơ đã giải quyết"),
    (7, 7, 1, 2, "Tổng số"),
    (8, 8, 1, 2, "Trước hạn"),
    (9, 9, 1, 2, "Đúng hạn (bao gồm cả hồ sơ trả lại/xin rút)"),
    (10, 10, 1, 2, "Quá hạn"),
    (11, 13, 0, 0, "Số hồ sơ đang giải quyết"),
    (11, 11, 1, 2, "Tổng số"),
    (12, 12, 1, 2, "Trong hạn (bao gồm cả hồ sơ chờ bổ sung)"),
    (13, 13, 1, 2, "Quá hạn"),
)
LAST_COLUMN = 13
HEADER_ROW = 8
WIDTHS = {1: 5, 2: 34, **{c: 10.5 for c in range(3, 14)}}
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class SheetHeading:
    """What the form's header and footer carry besides the rows."""

    agency_name: str
    period: Period
    by: str = "unit"
    place: str = ""
    signed_on: date | None = None
    refused_at_intake: int = 0


def _merge(ws: Worksheet, c1: int, r1: int, c2: int, r2: int, value: str, *, bold: bool = False,
           italic: bool = False, align: str = "center", size: int = 11) -> None:
    if (c1, r1) != (c2, r2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    cell = ws.cell(row=r1, column=c1, value=value)
    cell.font = Font(name="Times New Roman", bold=bold, italic=italic, size=size)
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)


def _title_block(ws: Worksheet, h: SheetHeading) -> None:
    _merge(ws, 1, 1, 5, 1, h.agency_name.upper(), bold=True)
    _merge(ws, 1, 2, 5, 2, "Số: …/BC", size=10)
    _merge(ws, 10, 1, 13, 1, FORM_CODE, bold=True)
    _merge(ws, 1, 4, 13, 4, TITLE, bold=True, size=13)
    _merge(ws, 1, 5, 13, 5, f"Kỳ báo cáo: {h.period.title}", italic=True)
    _merge(ws, 10, 6, 13, 6, "Đơn vị tính: Số hồ sơ TTHC", italic=True, align="right", size=10)
    ws.row_dimensions[4].height = 36


def _header(ws: Worksheet, h: SheetHeading) -> int:
    label = ROW_LABELS.get(h.by, ROW_LABELS["unit"])
    for c1, c2, r1, r2, text in HEADER_CELLS:
        _merge(ws, c1, HEADER_ROW + r1, c2, HEADER_ROW + r2, text.format(label=label), bold=True, size=10)
        for row in range(HEADER_ROW + r1, HEADER_ROW + r2 + 1):
            for col in range(c1, c2 + 1):
                ws.cell(row=row, column=col).border = BOX
    numbers = HEADER_ROW + 3
    for col in range(1, LAST_COLUMN + 1):
        cell = ws.cell(row=numbers, column=col, value=f"({col})")
        cell.font = Font(name="Times New Roman", italic=True, size=10)
        cell.alignment = CENTER
        cell.border = BOX
    ws.row_dimensions[HEADER_ROW + 2].height = 54
    return numbers + 1


def _rows(ws: Worksheet, rows: Sequence[Row06a], first: int) -> int:
    r = first
    for i, row in enumerate(rows, start=1):
        total = row.key == TOTAL
        values: list[object] = ["" if total else i, row.name or row.key]
        values += [getattr(row, k) for k in COUNTS]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.font = Font(name="Times New Roman", bold=total, size=11)
            cell.border = BOX
            cell.alignment = (Alignment(vertical="center", wrap_text=True) if col == 2 else CENTER)
            if col > 2:
                cell.number_format = "0"  # no grouping mark: a comma would read as a decimal one in Vietnamese
        r += 1
    return r


def _footer(ws: Worksheet, h: SheetHeading, row: int) -> None:
    if h.refused_at_intake:
        _merge(ws, 1, row, 13, row, "Ghi chú: hồ sơ không được tiếp nhận (từ chối ngay khi tiếp nhận) trong kỳ: "
               f"{h.refused_at_intake:,}".replace(",", ".") + " hồ sơ, không tính vào số hồ sơ nhận giải quyết.",
               italic=True, align="left", size=10)
    row += 2
    when = h.signed_on
    dated = f"ngày {when.day:02d} tháng {when.month:02d} năm {when.year}" if when else "ngày … tháng … năm …"
    _merge(ws, 9, row, 13, row, f"{h.place}, {dated}" if h.place else dated.capitalize(), italic=True)
    _merge(ws, 1, row + 1, 5, row + 1, "NGƯỜI LẬP BIỂU", bold=True)
    _merge(ws, 1, row + 2, 5, row + 2, "(Ký, ghi rõ họ tên)", italic=True, size=10)
    _merge(ws, 9, row + 1, 13, row + 1, "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", bold=True)
    _merge(ws, 9, row + 2, 13, row + 2, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, size=10)


def sheet_06a(rows: Sequence[Row06a], h: SheetHeading) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "06a"
    for col, width in WIDTHS.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    _title_block(ws, h)
    after = _rows(ws, rows, _header(ws, h))
    _footer(ws, h, after + 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 3}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 4, column=3)
    return wb


def xlsx_06a(rows: Sequence[Row06a], h: SheetHeading) -> bytes:
    out = io.BytesIO()
    sheet_06a(rows, h).save(out)
    return out.getvalue()
