"""The reward proposals of a review as an XLSX list and as a Vietnamese DOCX tờ trình (submission)."""
from __future__ import annotations

import io
from datetime import date
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from scoring.awards import ProposalReview
from scoring.domain import GATE_LABELS
from scoring.domain.scores import UNIT_GATE_LABELS

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATE_LABELS = {"drafted": "Dự thảo (Công đoàn đang tổng hợp)", "compiled": "Công đoàn đã trình",
                "decided": "Lãnh đạo đã quyết định"}
HEADERS = ("STT", "Họ và tên / Tập thể", "Đơn vị", "Hình thức khen thưởng", "Thành tích", "Số tiền (đồng)")


def vnd(n: int) -> str:
    return f"{n:,}".replace(",", ".")


CONDITIONS = (set(GATE_LABELS.values()) | set(UNIT_GATE_LABELS.values())) - {GATE_LABELS["no_late"]}


def _rows(review: ProposalReview, units: dict[str, str]) -> list[tuple[Any, ...]]:
    """One row per active proposal; its achievements without the conditions every proposal meets."""
    out = []
    for i, p in enumerate(review.active, start=1):
        achievements = "; ".join(c for c in p["criteria"] if c not in CONDITIONS)
        if p["corrections"]:
            achievements += f" (có {len(p['corrections'])} đính chính sau sơ kết)"
        unit = units.get(p["unit"], p["unit"]) if p["kind"] == "officer" else ""
        out.append((i, p["name"], unit, p["title"], achievements, p["amount_vnd"]))
    return out


def _heading(review: ProposalReview) -> str:
    kind = "tổng kết" if review.phase.final else "sơ kết"
    return f"Đề nghị khen thưởng {kind} — {review.phase.name} — {review.campaign.name}"


def proposals_xlsx(review: ProposalReview, units: dict[str, str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "De nghi khen thuong"
    ws.append([_heading(review)])
    ws.append([f"Trạng thái: {STATE_LABELS.get(review.state, review.state)}" + (
        f"; Quyết định số {review.decision_number} ngày {review.decision_date:%d/%m/%Y}"
        if review.decision_date else "")])
    ws.append(list(HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws["A1"].font = Font(bold=True, size=13)
    rows = _rows(review, units)
    for r in rows:
        ws.append(list(r))
    ws.append(["", "Tổng cộng", "", "", "", sum(r[5] for r in rows)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=4, min_col=6, max_col=6):
        row[0].number_format = "#,##0"
    for letter, width in zip("ABCDEF", (6, 28, 30, 24, 60, 16), strict=True):  # characters
        ws.column_dimensions[letter].width = width
    widths = (6, 28, 30, 24, 60, 16)
    edge = Side(style="thin")
    for row in ws.iter_rows(min_row=3):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            cell.border = Border(left=edge, right=edge, top=edge, bottom=edge)
            if cell.row > 3:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
            lines = max(lines, -(-len(str(cell.value or "")) // int(width * 1.1)))
        ws.row_dimensions[row[0].row].height = 15 * lines
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _para(doc: Any, text: str, *, bold: bool = False, italic: bool = False, center: bool = False,
          size: int = 13) -> Any:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(3)
    return p


def _cell(cell: Any, text: str, *, bold: bool = False, center: bool = False, size: int = 12) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold, run.font.size = bold, Pt(size)
    if center:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def proposals_docx(review: ProposalReview, units: dict[str, str], *, union: str, agency: str,
                   place: str = "Bà Rịa-Vũng Tàu", today: date | None = None) -> bytes:
    """Tờ trình of the trade union to the director: national header, subject, grounds, the list, signature."""
    doc = Document()
    section = doc.sections[0]
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    header = doc.add_table(rows=1, cols=2)
    _widths(header, (6.5, 9.5))
    left, right = header.rows[0].cells
    _cell(left, union.upper(), bold=True, center=True)
    left.add_paragraph("Số: ....../TTr-CĐ").alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, center=True)
    motto = right.add_paragraph()
    motto.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = motto.add_run("Độc lập - Tự do - Hạnh phúc")
    run.bold, run.underline = True, True
    day = today or review.phase.review_date
    _para(doc, f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}", italic=True).alignment = (
        WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "TỜ TRÌNH", bold=True, center=True, size=14)
    kind = "tổng kết" if review.phase.final else "sơ kết"
    what = "toàn chiến dịch" if review.phase.final else f"đợt {review.phase.key}"
    _para(doc, f"Về việc đề nghị khen thưởng {kind} {what} phong trào thi đua “{review.campaign.name}”",
          bold=True, center=True)
    _para(doc, f"Kính gửi: Giám đốc {agency}", center=True)
    grounds = [
        f"Căn cứ Kế hoạch {review.campaign.plan} về phong trào thi đua “{review.campaign.name}”;"
        if review.campaign.plan else f"Căn cứ kế hoạch phong trào thi đua “{review.campaign.name}”;",
        f"Căn cứ kết quả {kind} ngày {review.phase.review_date:%d/%m/%Y} "
        f"(từ {review.phase.starts_on:%d/%m/%Y} đến {review.phase.ends_on:%d/%m/%Y}) "
        "theo các tiêu chí đã công bố,",
        f"{union} kính trình Giám đốc xem xét, khen thưởng các cá nhân, tập thể có thành tích sau:",
    ]
    for g in grounds:
        _para(doc, g).paragraph_format.first_line_indent = Cm(1)
    rows = _rows(review, units)
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, HEADERS, strict=True):
        _cell(cell, label, bold=True, center=True, size=11)
    for r in rows:
        cells = table.add_row().cells
        for i, value in enumerate(r):
            _cell(cells[i], vnd(value) if i == 5 else str(value), center=i in (0, 5), size=11)
    total = table.add_row().cells
    total[0].merge(total[4])
    _cell(total[0], "Tổng cộng", bold=True, center=True)
    _cell(total[5], vnd(sum(r[5] for r in rows)), bold=True, center=True)
    _widths(table, (1.2, 3.2, 2.7, 2.4, 4.3, 2.2))
    _para(doc, "")
    total_vnd = vnd(sum(r[5] for r in rows))
    _para(doc, f"Tổng số: {len(rows)} đề nghị; tổng số tiền thưởng: {total_vnd} đồng (mức lương "
               "cơ sở tại ngày ký quyết định).").paragraph_format.first_line_indent = Cm(1)
    if review.decision_number and review.decision_date:
        _para(doc, f"Đã được Lãnh đạo quyết định tại Quyết định số {review.decision_number} ngày "
                   f"{review.decision_date:%d/%m/%Y}.").paragraph_format.first_line_indent = Cm(1)
    _para(doc, f"{union} kính trình Giám đốc xem xét, quyết định./.").paragraph_format.first_line_indent = Cm(1)
    sign = doc.add_table(rows=1, cols=2)
    _widths(sign, (8.0, 8.0))
    recipients, signer = sign.rows[0].cells
    _cell(recipients, "Nơi nhận:", bold=True, size=11)
    for line in ("- Như trên;", "- Văn phòng Sở (Thường trực Hội đồng Thi đua - Khen thưởng);", "- Lưu: CĐ."):
        para = recipients.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.add_run(line).font.size = Pt(10)
    _cell(signer, "TM. BAN CHẤP HÀNH\nCHỦ TỊCH", bold=True, center=True)
    signer.add_paragraph("\n\n\n")
    return _save(doc)


def _widths(table: Any, cm: tuple[float, ...]) -> None:
    """Fixed column widths (Word and LibreOffice honour the cells' widths once autofit is off)."""
    table.autofit = False
    for i, width in enumerate(cm):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)


def _save(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
