"""CSV (UTF-8 with BOM, for Excel) and .xlsx exports with Vietnamese headers."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"


def vn_number(value: object) -> object:
    """A fraction as Vietnamese staff write it (decimal comma: 97,5); whole numbers and text as they are."""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return value


def to_csv(columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, object]], *,
           preamble: Sequence[str] = ()) -> bytes:
    """Comma-separated, every field quoted where needed, fractions with a decimal comma (Vietnamese convention)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for line in preamble:
        writer.writerow([line])
    writer.writerow([label for _, label in columns])
    for r in rows:
        writer.writerow(["" if r.get(k) is None else vn_number(r.get(k)) for k, _ in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, object]], *, title: str,
            heading: str = "", notes: Sequence[str] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    if heading:
        ws.append([heading])
        ws.cell(row=1, column=1).font = Font(bold=True)
    ws.append([label for _, label in columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.get(k) for k, _ in columns])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    for i, (_, label) in enumerate(columns, start=1):
        letter = ws.cell(row=ws.max_row, column=i).column_letter
        ws.column_dimensions[letter].width = max(12, min(40, len(label) + 2))
    if notes:
        ws.append([])
        for note in notes:
            ws.append([note])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
