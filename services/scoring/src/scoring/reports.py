"""Form 06a per agency and unit for a period, and the national service index indicators 2.1, 2.2, 3.3, 5.4."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
ONLINE = 2
TOTAL = "Tổng cộng"
UNKNOWN_UNIT = "Chưa xác định đơn vị"

COLUMNS_06A: tuple[tuple[str, str], ...] = (
    ("unit", "Đơn vị"),
    ("received_total", "Tổng số hồ sơ tiếp nhận"),
    ("received_online", "Trực tuyến"),
    ("received_offline", "Trực tiếp và bưu chính"),
    ("carried_over", "Từ kỳ trước chuyển sang"),
    ("resolved_total", "Đã giải quyết"),
    ("early", "Trước hạn"),
    ("on_time", "Đúng hạn"),
    ("late", "Quá hạn"),
    ("pending_total", "Đang giải quyết"),
    ("pending_in_time", "Trong hạn"),
    ("pending_overdue", "Quá hạn"),
    ("refused_at_intake", "Từ chối tiếp nhận"),
)
COLUMNS_INDEX: tuple[tuple[str, str], ...] = (
    ("month", "Tháng"),
    ("received", "Hồ sơ tiếp nhận"),
    ("refused", "Từ chối tiếp nhận"),
    ("resolved", "Đã giải quyết"),
    ("pending", "Đang giải quyết"),
    ("i2_1", "2.1 Tỷ lệ giải quyết đúng hạn và còn trong hạn (%)"),
    ("i2_2", "2.2 Thời gian giải quyết bình quân (ngày làm việc)"),
    ("i3_3", "3.3 Tỷ lệ hồ sơ trực tuyến (%)"),
    ("i3_3_points_ratio", "3.3 Tỷ lệ điểm đạt được"),
    ("i5_4", "5.4 Mức độ hài lòng (%)"),
)


@dataclass(frozen=True)
class DossierFact:
    """One accepted dossier as the reports see it (``due_at`` = the original due instant)."""

    code: str
    unit: str
    channel: int
    accepted_at: datetime
    stopped_at: datetime | None = None
    outcome: str | None = None
    due_at: datetime | None = None
    waiting_supplement: bool = False
    procedure_code: str = ""
    resolution_working_hours: float | None = None
    complained: bool = False


@dataclass(frozen=True)
class IntakeFact:
    """A receipt that is not an acceptance: an online submission (status 1) or a refusal at intake (status 3)."""

    code: str
    kind: str
    occurred_at: datetime
    channel: int | None = None
    unit: str | None = None

    @property
    def online(self) -> bool:
        channel = self.channel if self.channel is not None else ONLINE if self.kind == "submitted" else None
        return channel == ONLINE


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def bounds(self, tz: tzinfo = LOCAL) -> tuple[datetime, datetime]:
        """[start, end) as instants: local midnight of the first day to local midnight after the last."""
        after = self.end + timedelta(days=1)
        return datetime.combine(self.start, time(), tz), datetime.combine(after, time(), tz)

    def end_instant(self, tz: tzinfo = LOCAL) -> datetime:
        return datetime.combine(self.end, time(), tz)


@dataclass(frozen=True)
class Row06a:
    unit: str
    received_total: int = 0
    received_online: int = 0
    received_offline: int = 0
    carried_over: int = 0
    resolved_total: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    pending_total: int = 0
    pending_in_time: int = 0
    pending_overdue: int = 0
    refused_at_intake: int = 0

    def reconciles(self) -> bool:
        return (
            self.received_total == self.resolved_total + self.pending_total
            == self.received_online + self.received_offline + self.carried_over
            and self.resolved_total == self.early + self.on_time + self.late
            and self.pending_total == self.pending_in_time + self.pending_overdue
        )

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def buckets_of(f: DossierFact, period: Period) -> tuple[str, ...]:
    """The 06a counters a dossier adds to; empty when it is outside the period."""
    start, end = period.bounds()
    if f.accepted_at >= end or (f.stopped_at is not None and f.stopped_at < start):
        return ()
    if f.accepted_at < start:
        received = "carried_over"
    else:
        received = "received_online" if f.channel == ONLINE else "received_offline"
    if f.stopped_at is not None and f.stopped_at < end:
        outcome = f.outcome if f.outcome in ("early", "on_time", "late") else "on_time"
        return received, "resolved_total", outcome
    in_time = f.waiting_supplement or f.due_at is None or f.due_at >= period.end_instant()
    return received, "pending_total", "pending_in_time" if in_time else "pending_overdue"


def row_from_counts(unit: str, counts: dict[str, int]) -> Row06a:
    online, offline, carried = (counts.get(k, 0) for k in ("received_online", "received_offline", "carried_over"))
    return Row06a(
        unit=unit, received_total=online + offline + carried, received_online=online, received_offline=offline,
        carried_over=carried, resolved_total=counts.get("resolved_total", 0), early=counts.get("early", 0),
        on_time=counts.get("on_time", 0), late=counts.get("late", 0), pending_total=counts.get("pending_total", 0),
        pending_in_time=counts.get("pending_in_time", 0), pending_overdue=counts.get("pending_overdue", 0),
        refused_at_intake=counts.get("refused_at_intake", 0),
    )


def refused_in(intake: Iterable[IntakeFact], period: Period) -> dict[str, int]:
    """Refusals at intake in the period per unit (once per dossier); outside received = resolved + pending."""
    start, end = period.bounds()
    seen: dict[str, str] = {}
    for e in intake:
        if e.kind == "refused" and start <= e.occurred_at < end:
            seen.setdefault(e.code, e.unit or UNKNOWN_UNIT)
    out: dict[str, int] = {}
    for unit in seen.values():
        out[unit] = out.get(unit, 0) + 1
    return out


def form_06a(facts: Iterable[DossierFact], period: Period, intake: Iterable[IntakeFact] = ()) -> list[Row06a]:
    """Rows per unit (sorted) followed by the total row."""
    per_unit: dict[str, dict[str, int]] = {}
    for f in facts:
        counts = per_unit.setdefault(f.unit, {})
        for b in buckets_of(f, period):
            counts[b] = counts.get(b, 0) + 1
    for unit, n in refused_in(intake, period).items():
        per_unit.setdefault(unit, {})["refused_at_intake"] = n
    rows = [row_from_counts(u, c) for u, c in sorted(per_unit.items()) if c]
    return with_total(rows)


def with_total(rows: Sequence[Row06a]) -> list[Row06a]:
    numeric = [f.name for f in fields(Row06a) if f.name != "unit"]
    total = Row06a(TOTAL, **{n: sum(getattr(r, n) for r in rows) for n in numeric})  # type: ignore[arg-type]
    return [*rows, total]


@dataclass(frozen=True)
class MonthFigures:
    """What the index needs for one month, as counted by the report query."""

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


@dataclass(frozen=True)
class IndexMonth:
    month: int
    received: int
    refused: int
    resolved: int
    pending: int
    i2_1: float | None
    i2_2: float | None
    i3_3: float | None
    i3_3_points_ratio: float | None
    i5_4: float | None

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 2) if den else None


def index_month(m: MonthFigures) -> IndexMonth:
    """2.1 = (resolved early/on time + pending in time) / all handled; 2.2 = mean of per-procedure mean days;
    3.3 = online / received, every dossier received in the month (accepted or refused at intake, at its first
    receipt), full points at ≥ 50 %; 5.4 = 100 − (late rate + complaint rate)."""
    i2_1 = _pct(m.resolved_in_time + m.pending_in_time, m.resolved + m.pending)
    i2_2 = round(sum(m.procedure_days) / len(m.procedure_days), 2) if m.procedure_days else None
    i3_3 = _pct(m.online, m.received)
    ratio = None if i3_3 is None else round(min(1.0, i3_3 / 50.0), 4)
    i5_4 = None
    if m.resolved:
        i5_4 = round(max(0.0, 100.0 - 100.0 * (m.late + m.complained) / m.resolved), 2)
    return IndexMonth(m.month, m.received, m.refused, m.resolved, m.pending, i2_1, i2_2, i3_3, ratio, i5_4)


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, nxt - timedelta(days=1))


def receipts_in(facts: Iterable[DossierFact], intake: Iterable[IntakeFact], period: Period) -> tuple[int, int]:
    """(received, online) for indicator 3.3: dossiers whose first receipt (submission, acceptance or refusal at
    intake) falls in the period, once per code; online if any receipt came through channel 2."""
    start, end = period.bounds()
    first: dict[str, datetime] = {}
    online: dict[str, bool] = {}
    receipts = [(f.code, f.accepted_at, f.channel == ONLINE) for f in facts]
    receipts += [(e.code, e.occurred_at, e.online) for e in intake if e.kind in ("submitted", "refused")]
    for code, at, is_online in receipts:
        first[code] = min(at, first.get(code, at))
        online[code] = online.get(code, False) or is_online
    codes = [code for code, at in first.items() if start <= at < end]
    return len(codes), sum(online[c] for c in codes)


def month_figures(facts: Sequence[DossierFact], year: int, month: int,
                  intake: Sequence[IntakeFact] = ()) -> MonthFigures:
    """The pure counterpart of the SQL month query (used by the fake repository and tests)."""
    p = month_period(year, month)
    c: dict[str, int] = {}
    c["received"], c["online"] = receipts_in(facts, intake, p)
    c["refused"] = sum(refused_in(intake, p).values())
    per_proc: dict[str, list[float]] = {}
    for f in facts:
        b = buckets_of(f, p)
        if not b:
            continue
        for key in b:
            c[key] = c.get(key, 0) + 1
        if "resolved_total" in b:
            c["complained"] = c.get("complained", 0) + f.complained
            if f.resolution_working_hours is not None:
                per_proc.setdefault(f.procedure_code, []).append(f.resolution_working_hours / 8.0)
    days = tuple(sorted(round(sum(v) / len(v), 4) for v in per_proc.values()))
    return MonthFigures(
        month, c.get("received", 0), c.get("online", 0), c.get("resolved_total", 0),
        c.get("early", 0) + c.get("on_time", 0), c.get("late", 0), c.get("pending_total", 0),
        c.get("pending_in_time", 0), c.get("complained", 0), days, c["refused"],
    )
