"""Form 06a (Mẫu 06a/VPCP/KSTT, Thông tư 01/2020/TT-VPCP): dossiers of a period per unit or per procedure field.

Each accepted dossier that is open at some point of the period is one row count: it belongs to the unit that
held it when its clock stopped (resolved in the period) or at the period's end (still pending), from the
dossier's own transfer history, so a later resolution never moves it between rows of a past period. Received =
this period (online; counter and post) + carried over = resolved + pending, for every row. Refusals at intake
are not received dossiers: they are reported beside the form, not inside it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from scoring.periods import Period

ONLINE = 2
TOTAL = "Tổng cộng"
UNKNOWN_UNIT = "Chưa xác định đơn vị"
UNKNOWN_FIELD = "Chưa xác định lĩnh vực"
GROUPINGS = ("unit", "field")

COLUMNS_06A: tuple[tuple[str, str], ...] = (
    ("name", "Đơn vị / lĩnh vực"),
    ("received_total", "Số hồ sơ nhận giải quyết: Tổng số"),
    ("received_online", "Trong kỳ: Trực tuyến"),
    ("received_offline", "Trong kỳ: Trực tiếp, dịch vụ bưu chính"),
    ("carried_over", "Từ kỳ trước"),
    ("resolved_total", "Số hồ sơ đã giải quyết: Tổng số"),
    ("early", "Đã giải quyết: Trước hạn"),
    ("on_time", "Đã giải quyết: Đúng hạn (bao gồm cả hồ sơ trả lại/xin rút)"),
    ("late", "Đã giải quyết: Quá hạn"),
    ("pending_total", "Số hồ sơ đang giải quyết: Tổng số"),
    ("pending_in_time", "Đang giải quyết: Trong hạn (bao gồm cả hồ sơ chờ bổ sung)"),
    ("pending_overdue", "Đang giải quyết: Quá hạn"),
)
COUNTS = tuple(k for k, _ in COLUMNS_06A[1:])


@dataclass(frozen=True)
class DossierFact:
    """One accepted dossier as the reports see it (``due_at`` = the original due instant). ``holders`` are the
    (instant, unit) of its acceptance and transfers; ``waits`` its supplement waits (start, end or None). Without
    them, ``unit`` and ``waiting_supplement`` (the current state) stand in."""

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
    field: str = ""
    holders: tuple[tuple[datetime, str], ...] = ()
    waits: tuple[tuple[datetime, datetime | None], ...] = ()

    def unit_at(self, cut: datetime, *, inclusive: bool) -> str:
        held = [u for at, u in sorted(self.holders) if at < cut or (inclusive and at == cut)]
        return held[-1] if held else self.unit

    def waiting_at(self, end: datetime) -> bool:
        if not self.waits:
            return self.waiting_supplement
        return any(start < end and (stop is None or stop >= end) for start, stop in self.waits)


@dataclass(frozen=True)
class Row06a:
    key: str
    name: str = ""
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

    def reconciles(self) -> bool:
        return (
            self.received_total == self.resolved_total + self.pending_total
            == self.received_online + self.received_offline + self.carried_over
            and self.resolved_total == self.early + self.on_time + self.late
            and self.pending_total == self.pending_in_time + self.pending_overdue
        )

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def placement(f: DossierFact, period: Period, by: str = "unit") -> tuple[str, tuple[str, ...]]:
    """The row key and the 06a counters a dossier adds to; no counters when it is outside the period."""
    start, end = period.bounds()
    if f.accepted_at >= end or (f.stopped_at is not None and f.stopped_at < start):
        return "", ()
    if f.accepted_at < start:
        received = "carried_over"
    else:
        received = "received_online" if f.channel == ONLINE else "received_offline"
    resolved = f.stopped_at is not None and f.stopped_at < end
    if by == "field":
        key = f.field or UNKNOWN_FIELD
    elif resolved:
        key = f.unit_at(f.stopped_at, inclusive=True)  # type: ignore[arg-type]
    else:
        key = f.unit_at(end, inclusive=False)
    if resolved:
        outcome = f.outcome if f.outcome in ("early", "on_time", "late") else "on_time"
        return key, (received, "resolved_total", outcome)
    in_time = f.waiting_at(end) or f.due_at is None or f.due_at >= period.end_instant()
    return key, (received, "pending_total", "pending_in_time" if in_time else "pending_overdue")


def buckets_of(f: DossierFact, period: Period) -> tuple[str, ...]:
    return placement(f, period)[1]


def row_from_counts(key: str, counts: Mapping[str, int], name: str = "") -> Row06a:
    online, offline, carried = (counts.get(k, 0) for k in ("received_online", "received_offline", "carried_over"))
    resolved, pending = counts.get("resolved_total", 0), counts.get("pending_total", 0)
    early, late, overdue = counts.get("early", 0), counts.get("late", 0), counts.get("pending_overdue", 0)
    return Row06a(
        key=key, name=name or key, received_total=online + offline + carried, received_online=online,
        received_offline=offline, carried_over=carried, resolved_total=resolved, early=early,
        on_time=counts.get("on_time", resolved - early - late), late=late, pending_total=pending,
        pending_in_time=counts.get("pending_in_time", pending - overdue), pending_overdue=overdue,
    )


def form_06a(facts: Iterable[DossierFact], period: Period, *, by: str = "unit",
             names: Mapping[str, str] | None = None) -> list[Row06a]:
    """Rows per unit or field (sorted by name) followed by the total row."""
    per_key: dict[str, dict[str, int]] = {}
    for f in facts:
        key, buckets = placement(f, period, by)
        if not buckets:
            continue
        counts = per_key.setdefault(key, {})
        for b in buckets:
            counts[b] = counts.get(b, 0) + 1
    return rows_with_total({k: c for k, c in per_key.items() if c}, names or {})


def rows_with_total(per_key: Mapping[str, Mapping[str, int]], names: Mapping[str, str]) -> list[Row06a]:
    rows = sorted((row_from_counts(k, c, names.get(k, k)) for k, c in per_key.items()),
                  key=lambda r: (r.name, r.key))
    return with_total(rows)


def with_total(rows: Sequence[Row06a]) -> list[Row06a]:
    total = Row06a(TOTAL, TOTAL, **{n: sum(getattr(r, n) for r in rows) for n in COUNTS})  # type: ignore[arg-type]
    return [*rows, total]


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


def refused_in(intake: Iterable[IntakeFact], period: Period) -> dict[str, int]:
    """Refusals at intake in the period per unit (once per dossier): beside the form, never in its rows."""
    start, end = period.bounds()
    seen: dict[str, str] = {}
    for e in intake:
        if e.kind == "refused" and start <= e.occurred_at < end:
            seen.setdefault(e.code, e.unit or UNKNOWN_UNIT)
    out: dict[str, int] = {}
    for unit in seen.values():
        out[unit] = out.get(unit, 0) + 1
    return out
