"""The 06a sheet keeps the official layout of Mẫu 06a/VPCP/KSTT: title and period block, grouped merged header,
column numbers, STT and names, the total row, place, date and signatures."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from scoring.export06a import FORM_CODE, HEADER_ROW, TITLE, SheetHeading, xlsx_06a
from scoring.form06a import TOTAL, Row06a, with_total
from scoring.periods import official_period

ROWS = with_total([
    Row06a("SCT-QLTM", "Phòng Quản lý thương mại", 10, 4, 5, 1, 8, 3, 4, 1, 2, 1, 1),
    Row06a("SCT-KTAT", "Phòng Kỹ thuật an toàn - Môi trường", 5, 1, 4, 0, 5, 5, 0, 0, 0, 0, 0),
])


def sheet(by: str = "unit"):
    heading = SheetHeading("Sở Công Thương tỉnh Bà Rịa-Vũng Tàu", official_period("2017-Q2"), by,
                           "Bà Rịa-Vũng Tàu", date(2017, 6, 20), refused_at_intake=3)
    return load_workbook(io.BytesIO(xlsx_06a(ROWS, heading))).active


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_title_block_names_the_form_agency_and_official_period() -> None:
    ws = sheet()
    assert ws["A1"].value == "SỞ CÔNG THƯƠNG TỈNH BÀ RỊA-VŨNG TÀU"
    assert ws["J1"].value == FORM_CODE == "Mẫu số 06a/VPCP/KSTT"
    assert ws["A4"].value == TITLE
    assert ws["A5"].value == "Kỳ báo cáo: Quý II năm 2017 (từ ngày 15/03/2017 đến ngày 14/06/2017)"
    assert {"A1:E1", "J1:M1", "A4:M4", "A5:M5"} <= merged(ws)


def test_two_level_grouped_header_with_merged_cells_and_column_numbers() -> None:
    ws = sheet()
    h = HEADER_ROW
    assert h == 8
    expected = {
        "A8:A10": "STT", "B8:B10": "Đơn vị trực tiếp giải quyết",
        "C8:F8": "Số hồ sơ nhận giải quyết", "C9:C10": "Tổng số", "D9:E9": "Trong kỳ", "F9:F10": "Từ kỳ trước",
        "G8:J8": "Số hồ sơ đã giải quyết", "G9:G10": "Tổng số", "H9:H10": "Trước hạn",
        "I9:I10": "Đúng hạn (bao gồm cả hồ sơ trả lại/xin rút)", "J9:J10": "Quá hạn",
        "K8:M8": "Số hồ sơ đang giải quyết", "K9:K10": "Tổng số",
        "L9:L10": "Trong hạn (bao gồm cả hồ sơ chờ bổ sung)", "M9:M10": "Quá hạn",
    }
    assert set(expected) <= merged(ws)
    for rng, text in expected.items():
        assert ws[rng.split(":")[0]].value == text, rng
    assert (ws["D10"].value, ws["E10"].value) == ("Trực tuyến", "Trực tiếp, dịch vụ bưu chính")
    assert [ws.cell(row=11, column=c).value for c in range(1, 14)] == [f"({i})" for i in range(1, 14)]
    assert sheet("field")["B8"].value == "Lĩnh vực giải quyết"


def test_rows_carry_stt_names_counts_and_a_total_then_the_signature_block() -> None:
    ws = sheet()
    first = [ws.cell(row=12, column=c).value for c in range(1, 14)]
    assert first == [1, "Phòng Quản lý thương mại", 10, 4, 5, 1, 8, 3, 4, 1, 2, 1, 1]
    assert ws["A13"].value == 2 and ws["B13"].value == "Phòng Kỹ thuật an toàn - Môi trường"
    assert ws["A14"].value in ("", None) and ws["B14"].value == TOTAL and ws["C14"].value == 15
    assert all("SCT-" not in str(ws.cell(row=r, column=2).value) for r in (12, 13))
    texts = [str(c.value) for row in ws.iter_rows(min_row=15) for c in row if c.value]
    assert any("từ chối" in t and "3 hồ sơ" in t for t in texts)
    assert "Bà Rịa-Vũng Tàu, ngày 20 tháng 06 năm 2017" in texts
    assert {"NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"} <= set(texts)
    assert ws.page_setup.orientation == "landscape"
    assert all(ws.cell(row=8, column=c).value != "Quá hạn" for c in range(1, 14))  # "Quá hạn" only under groups
