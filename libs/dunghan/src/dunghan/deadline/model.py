"""Inputs and outputs of the deadline engine: rules (with the DOMAIN.md defaults), clock events, the clock."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

EVENT_KINDS = frozenset({
    "accepted", "transferred", "supplement_requested", "supplement_received", "fee_requested", "fee_paid",
    "apology_issued", "result_ready", "result_returned", "withdrawn", "stopped", "refused",
})
STOP_KINDS = frozenset({"result_ready", "result_returned", "withdrawn", "stopped", "refused"})


@dataclass(frozen=True)
class Rules:
    """Defaults are DOMAIN.md's "Our rule"; the service merges per-agency and per-procedure overrides."""

    windows: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
    cutoff: time | None = None  # None = the procedure's cut-off (default 17:00)
    warn_before_working_days: float = 1.0
    warn_due_day_morning: bool = True
    overdue_repeat_daily: bool = True
    pause_on_fee: bool | None = None  # None = the procedure decides
    apology_min_working_days: float = 1.0
    pause_on_repeat_supplement: bool = True
    second_supplement_is_late: bool = True
    ineligible_on_time: bool = True  # withdrawn / refused after review count as on time

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("at least one working window")
        previous = time(0, 0)
        for start, end in self.windows:
            if not previous <= start < end:
                raise ValueError("working windows must be ordered and non-overlapping")
            previous = end


@dataclass(frozen=True)
class ClockEvent:
    kind: str
    at: datetime
    unit: str | None = None
    officer: str | None = None
    step: str | None = None
    new_due_date: date | None = None
    decision: str | None = None
    event_id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown clock event kind {self.kind!r}")
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("clock events need timezone-aware datetimes")


@dataclass(frozen=True)
class StepClock:
    step: str
    unit: str | None
    officer: str | None
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Pause:
    kind: str  # supplement | fee
    start: datetime
    end: datetime | None  # None = still paused at ``now``
    working_seconds: int


@dataclass(frozen=True)
class Clock:
    accepted_at: datetime | None
    start_at: datetime | None
    due_at: datetime | None
    original_due_at: datetime | None
    due_date: date | None
    paused: bool
    paused_working_hours: float
    stopped_at: datetime | None
    stop_reason: str | None
    outcome: str | None
    working_days_diff: int | None
    resolution_working_hours: float | None
    state: str  # in_time | due_soon | overdue | waiting_applicant | closed
    supplement_requests: int
    apologies: int
    violations: tuple[str, ...]
    holder_unit: str | None
    holder_officer: str | None
    steps: tuple[StepClock, ...]
    calendar_version: str
    pauses: tuple[Pause, ...] = ()
    effective_acceptance_date: date | None = None
    explainer: Callable[[], tuple[str, ...]] = field(default=tuple, compare=False, repr=False)

    @property
    def explanation(self) -> tuple[str, ...]:
        """The facts behind the due instant as Vietnamese lines, built when read: only staff screens show them."""
        return self.explainer()
