"""The national service index by month and for the year (indicators 2.1, 2.2, 3.3, 5.4 of QĐ 766/QĐ-TTg), on
the same dossier counts as form 06a; form 06a itself lives in ``form06a``, periods in ``periods``."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta

from scoring.form06a import (
    COLUMNS_06A,
    ONLINE,
    TOTAL,
    UNKNOWN_UNIT,
    DossierFact,
    IntakeFact,
    Row06a,
    buckets_of,
    form_06a,
    refused_in,
    row_from_counts,
    with_total,
)
from scoring.periods import Period

__all__ = [
    "COLUMNS_06A", "ONLINE", "TOTAL", "UNKNOWN_UNIT", "DossierFact", "IntakeFact", "Period", "Row06a",
    "buckets_of", "form_06a", "refused_in", "row_from_counts", "with_total",
]


DECISION_766 = "QĐ 766/QĐ-TTg ngày 23/6/2022"
FIRST_YEAR_766 = 2022
ANNUAL = "Cả năm"

# (key, label, legal basis, formula): the index's columns; the counts come first, then the indicators.
INDICATORS: tuple[tuple[str, str, str, str], ...] = (
    ("on_time_rate", "Tỷ lệ giải quyết trước hạn và đúng hạn (%)", "Mẫu 06a/VPCP/KSTT (cùng số liệu)",
     "(trước hạn + đúng hạn) / đã giải quyết"),
    ("i2_1", "2.1 Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn và còn trong hạn (%)",
     DECISION_766 + ", chỉ tiêu 2.1",
     "(đã giải quyết trước hạn, đúng hạn + đang giải quyết trong hạn) / (đã giải quyết + đang giải quyết)"),
    ("i2_2", "2.2 Thời gian giải quyết bình quân (ngày làm việc)", DECISION_766 + ", chỉ tiêu 2.2",
     "bình quân theo thủ tục của thời gian giải quyết"),
    ("i3_3", "3.3 Tỷ lệ hồ sơ trực tuyến (%)", DECISION_766 + ", chỉ tiêu 3.3",
     "hồ sơ trực tuyến / hồ sơ tiếp nhận trong kỳ"),
    ("i3_3_points", "3.3 Tỷ lệ điểm đạt được (%)", DECISION_766 + ", chỉ tiêu 3.3",
     "100 % khi tỷ lệ trực tuyến ≥ 50 %, dưới đó tỷ lệ trực tuyến / 50 %"),
    ("i5_4", "5.4 100% − (tỷ lệ trễ hạn + tỷ lệ có phản ánh) (%)", DECISION_766 + ", chỉ tiêu 5.4",
     "100 % − (quá hạn + có phản ánh, kiến nghị có cơ sở) / đã giải quyết"),
)
INDICATORS_766 = frozenset(k for k, *_ in INDICATORS if k != "on_time_rate")
COLUMNS_INDEX: tuple[tuple[str, str], ...] = (
    ("month", "Tháng"),
    ("received", "Số hồ sơ nhận giải quyết (trong kỳ và từ kỳ trước, như Mẫu 06a)"),
    ("received_in_period", "Trong đó tiếp nhận trong kỳ"),
    ("resolved", "Đã giải quyết"),
    ("pending", "Đang giải quyết"),
    ("refused", "Từ chối tiếp nhận (ngoài số nhận giải quyết)"),
    *((k, label) for k, label, _basis, _formula in INDICATORS),
)


@dataclass(frozen=True)
class MonthFigures:
    """What the index needs for one month (``month`` 0: the whole year), counted as form 06a counts."""

    month: int
    received: int = 0
    online: int = 0
    resolved: int = 0
    resolved_in_time: int = 0
    late: int = 0
    pending: int = 0
    pending_in_time: int = 0
    complained: int = 0
    procedure_days: tuple[float, ...] = ()
    refused: int = 0
    received_in_period: int = 0


@dataclass(frozen=True)
class IndexMonth:
    month: int | str
    received: int
    received_in_period: int
    refused: int
    resolved: int
    pending: int
    on_time_rate: float | None
    i2_1: float | None
    i2_2: float | None
    i3_3: float | None
    i3_3_points: float | None
    i5_4: float | None

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 2) if den else None


def applies_766(year: int) -> bool:
    return year >= FIRST_YEAR_766


def index_month(m: MonthFigures, *, with_766: bool = True) -> IndexMonth:
    """2.1 = (resolved early/on time + pending in time) / all handled; 2.2 = mean of per-procedure mean days;
    3.3 = online / received in the period (06a's columns), full points at ≥ 50 %; 5.4 = 100 − (late rate +
    complaint rate). Without ``with_766`` (a year before QĐ 766 applied) only what any year defines."""
    on_time_rate = _pct(m.resolved_in_time, m.resolved)
    i2_1 = _pct(m.resolved_in_time + m.pending_in_time, m.resolved + m.pending)
    i2_2 = round(sum(m.procedure_days) / len(m.procedure_days), 2) if m.procedure_days else None
    i3_3 = _pct(m.online, m.received_in_period)
    points = None if i3_3 is None else round(min(100.0, 100.0 * i3_3 / 50.0), 2)
    i5_4 = None
    if m.resolved:
        i5_4 = round(max(0.0, 100.0 - 100.0 * (m.late + m.complained) / m.resolved), 2)
    if not with_766:
        i2_1 = i2_2 = i3_3 = points = i5_4 = None
    return IndexMonth(m.month or ANNUAL, m.received, m.received_in_period, m.refused, m.resolved, m.pending,
                      on_time_rate, i2_1, i2_2, i3_3, points, i5_4)


def month_period(year: int, month: int) -> Period:
    """A calendar month; month 0 is the whole calendar year (the index's annual row)."""
    if month == 0:
        return Period(date(year, 1, 1), date(year, 12, 31))
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, nxt - timedelta(days=1))


def month_figures(facts: Sequence[DossierFact], year: int, month: int,
                  intake: Sequence[IntakeFact] = ()) -> MonthFigures:
    """The pure counterpart of the SQL month query (used by tests): the 06a total of the month, plus complaints
    and the resolution days per procedure."""
    p = month_period(year, month)
    c: dict[str, int] = {}
    per_proc: dict[str, list[float]] = {}
    for f in facts:
        b = buckets_of(f, p)
        for key in b:
            c[key] = c.get(key, 0) + 1
        if "resolved_total" in b:
            c["complained"] = c.get("complained", 0) + f.complained
            if f.resolution_working_hours is not None:
                per_proc.setdefault(f.procedure_code, []).append(f.resolution_working_hours / 8.0)
    return figures_from_counts(month, c, per_proc, sum(refused_in(intake, p).values()))


def figures_from_counts(month: int, c: dict[str, int], per_proc: dict[str, list[float]],
                        refused: int) -> MonthFigures:
    days = tuple(sorted(round(sum(v) / len(v), 4) for v in per_proc.values()))
    online, offline, carried = (c.get(k, 0) for k in ("received_online", "received_offline", "carried_over"))
    resolved, early, late = c.get("resolved_total", 0), c.get("early", 0), c.get("late", 0)
    on_time = c.get("on_time", resolved - early - late)
    pending = c.get("pending_total", 0)
    return MonthFigures(
        month, online + offline + carried, online, resolved, early + on_time, late, pending,
        c.get("pending_in_time", pending - c.get("pending_overdue", 0)), c.get("complained", 0), days, refused,
        online + offline,
    )


def indicator_notes(year: int, with_766: bool) -> list[str]:
    """What the report says about the basis of its figures for that year."""
    notes = [f"{label}: {formula} — căn cứ {basis}." for _k, label, basis, formula in INDICATORS
             if with_766 or _k not in INDICATORS_766]
    notes.append("Số hồ sơ nhận giải quyết = tiếp nhận trong kỳ + từ kỳ trước chuyển sang = đã giải quyết + "
                 "đang giải quyết, như Mẫu 06a; hồ sơ từ chối tiếp nhận không tính vào đó.")
    if not applies_766(year):
        notes.append(f"Năm {year} trước khi {DECISION_766} ban hành Bộ chỉ số phục vụ người dân, doanh nghiệp: "
                     + ("các chỉ tiêu 2.1, 2.2, 3.3, 5.4 dưới đây tính hồi tố để tham khảo, không phải kết quả "
                        "đánh giá chính thức của năm đó." if with_766 else
                        "báo cáo chỉ gồm các số liệu đã có quy định cho năm đó (tiếp nhận, giải quyết, tỷ lệ "
                        "trước hạn và đúng hạn); các chỉ tiêu 2.1, 2.2, 3.3, 5.4 không áp dụng."))
    return notes
