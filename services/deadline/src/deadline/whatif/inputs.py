"""A proposal from JSON or from an XLSX in the catalogue's import format; errors name the offending field."""
from __future__ import annotations

import io
from datetime import date, time
from typing import Any

from deadline.whatif.model import DEFAULT_TARGET, Change, Period, Proposal
from dunghan.deadline import parse_clock_time, parse_duration
from dunghan.deadline.durations import UNITS

MAX_VALUE = 365.0
MAX_DAYS = 3 * 366


class ProposalError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _time(text: Any, what: str) -> time:
    if isinstance(text, time):  # a cell formatted as a time
        return text
    try:
        t = parse_clock_time(str(text))
    except (TypeError, ValueError):
        raise ProposalError("giờ không hợp lệ (HH:MM)", what) from None
    return t


def change_from(value: Any, unit: Any, cutoff: Any, what: str) -> Change:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < float(value) <= MAX_VALUE:
        raise ProposalError(f"thời hạn cam kết phải là số dương không quá {MAX_VALUE:g}",
                            f"{what}.committed_value")
    unit = unit or "working_days"
    if unit not in UNITS:
        raise ProposalError(f"đơn vị phải là một trong {', '.join(UNITS)}", f"{what}.committed_unit")
    return Change(float(value), str(unit), _time(cutoff, f"{what}.cutoff") if cutoff else None)


def windows_from(raw: Any) -> tuple[tuple[time, time], ...]:
    if not isinstance(raw, list) or not raw:
        raise ProposalError("khung giờ làm việc là danh sách [[\"07:30\", \"11:30\"], ...]", "windows")
    out = []
    for i, pair in enumerate(raw):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ProposalError("mỗi khung giờ gồm giờ bắt đầu và giờ kết thúc", f"windows.{i}")
        out.append((_time(pair[0], f"windows.{i}"), _time(pair[1], f"windows.{i}")))
    previous = time(0, 0)
    for i, (start, end) in enumerate(out):
        if not previous <= start < end:
            raise ProposalError("các khung giờ phải theo thứ tự và không chồng lấn", f"windows.{i}")
        previous = end
    return tuple(out)


def period_from(first: date, last: date) -> Period:
    if last < first:
        raise ProposalError("ngày kết thúc trước ngày bắt đầu", "to")
    if (last - first).days > MAX_DAYS:
        raise ProposalError(f"kỳ dài quá {MAX_DAYS} ngày", "to")
    return Period(first, last)


def proposal_from(procedures: dict[str, Any], *, cutoff: Any = None, windows: Any = None,
                  target: float | None = None) -> Proposal:
    changes = {}
    for code, raw in procedures.items():
        what = f"procedures.{code}"
        if not isinstance(raw, dict):
            raise ProposalError("mỗi thủ tục là {committed_value, committed_unit}", what)
        changes[str(code)] = change_from(raw.get("committed_value"), raw.get("committed_unit"), raw.get("cutoff"),
                                         what)
    t = DEFAULT_TARGET if target is None else float(target)
    if not 0 < t <= 1:
        raise ProposalError("tỷ lệ mục tiêu trong khoảng (0, 1]", "target")
    return Proposal(changes, _time(cutoff, "cutoff") if cutoff else None,
                    windows_from(windows) if windows is not None else None, t)


def parse_cli_change(text: str) -> tuple[str, Change]:
    """``SCT-TM-01=7d`` (also ``4h``, ``10cd``, as ``deadline due --duration``)."""
    code, sep, duration = text.partition("=")
    if not sep or not code.strip():
        raise ValueError(f"{text!r}: use CODE=DURATION, e.g. SCT-TM-01=7d")
    d = parse_duration(duration)
    return code.strip(), Change(d.value, d.unit)


def procedures_from_xlsx(data: bytes) -> dict[str, Any]:
    """The first sheet of a catalogue import workbook: a header row with ``code`` and ``committed_value`` (and
    optionally ``committed_unit``, ``cutoff``), one procedure per row; other columns are ignored."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ProposalError("tệp không phải bảng tính XLSX", "file") from None
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    for required in ("code", "committed_value"):
        if required not in header:
            raise ProposalError(f"thiếu cột {required} ở dòng tiêu đề", f"file.{required}")
    out: dict[str, Any] = {}
    for n, row in enumerate(rows, start=2):
        rec = dict(zip(header, row, strict=False))
        if not rec.get("code"):
            continue
        value = rec.get("committed_value")
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "."))
            except ValueError:
                raise ProposalError(f"dòng {n}: thời hạn cam kết không phải số", "file.committed_value") from None
        out[str(rec["code"]).strip()] = {"committed_value": value,
                                         "committed_unit": rec.get("committed_unit") or None,
                                         "cutoff": rec.get("cutoff") or None}
    if not out:
        raise ProposalError("bảng tính không có thủ tục nào", "file")
    return out
