"""What the operator's day needs of the open clocks, computed from them (pure: ``now`` is a parameter).

Due today / tomorrow (local calendar days), overdue per procedure field and per procedure, overdue by age, the
oldest overdue dossiers (a bounded list, each linked from the dashboard to its clock), dossiers that became overdue
in the last 24 hours (live, not history loaded late), and the label sets whose resolution counter must exist at 0.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dunghan.clock import LOCAL_TZ

OLDEST_KEPT = 20
RECENT = timedelta(hours=24)
# Age of an overdue dossier past its due instant, in calendar days: (label, upper bound in days).
AGE_BUCKETS = (("0-1d", 1), ("1-3d", 3), ("3-7d", 7), ("7-30d", 30), ("30d+", None))


@dataclass(frozen=True)
class OpenClock:
    code: str
    agency: str
    unit: str
    procedure_field: str
    due_at: datetime
    due_date: date | None
    paused: bool
    procedure_code: str = ""


@dataclass
class OpenFigures:
    due_by_day: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (agency, unit, today|tomorrow)
    overdue_by_field: Counter[tuple[str, str]] = field(default_factory=Counter)  # (agency, procedure_field)
    overdue_by_procedure: Counter[tuple[str, str]] = field(default_factory=Counter)  # (agency, procedure code)
    procedures: set[tuple[str, str]] = field(default_factory=set)  # (agency, procedure code) of open clocks
    overdue_by_age: Counter[tuple[str, str]] = field(default_factory=Counter)  # (agency, age bucket)
    overdue_recent: Counter[tuple[str, str]] = field(default_factory=Counter)  # (agency, unit)
    oldest: list[tuple[OpenClock, float]] = field(default_factory=list)  # (clock, seconds overdue), oldest first
    label_sets: set[tuple[str, str, str]] = field(default_factory=set)  # (agency, unit, procedure_field)


def age_bucket(seconds: float) -> str:
    days = seconds / 86400
    for label, bound in AGE_BUCKETS:
        if bound is None or days < bound:
            return label
    return AGE_BUCKETS[-1][0]


def open_figures(clocks: list[OpenClock], now: datetime, tz: ZoneInfo = LOCAL_TZ) -> OpenFigures:
    f = OpenFigures()
    today = now.astimezone(tz).date()
    days = {today: "today", today + timedelta(days=1): "tomorrow"}
    overdue: list[tuple[OpenClock, float]] = []
    for c in clocks:
        f.label_sets.add((c.agency, c.unit, c.procedure_field))
        f.procedures.add((c.agency, c.procedure_code))
        due_day = c.due_date or c.due_at.astimezone(tz).date()
        if not c.paused and c.due_at >= now and due_day in days:
            f.due_by_day[(c.agency, c.unit, days[due_day])] += 1
        if c.paused or c.due_at >= now:
            continue
        late = (now - c.due_at).total_seconds()
        overdue.append((c, late))
        f.overdue_by_field[(c.agency, c.procedure_field)] += 1
        f.overdue_by_procedure[(c.agency, c.procedure_code)] += 1
        f.overdue_by_age[(c.agency, age_bucket(late))] += 1
        if now - c.due_at <= RECENT:
            f.overdue_recent[(c.agency, c.unit)] += 1
    f.oldest = sorted(overdue, key=lambda x: (-x[1], x[0].code))[:OLDEST_KEPT]
    return f
