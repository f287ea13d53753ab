"""Inputs of a what-if run: the period's dossiers with their real clock events, and the proposal."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from dunghan.contract.events import ProcedureSnapshot
from dunghan.deadline import ClockEvent, Duration, Rules

UNIT_CODES = {"working_days": 0, "working_hours": 1, "calendar_days": 2}
UNIT_NAMES = {v: k for k, v in UNIT_CODES.items()}
DEFAULT_TARGET = 0.95  # the campaign's on-time goal


@dataclass(frozen=True)
class DossierFacts:
    """One dossier as the deadline service holds it: its procedure snapshot, its clock events, the rules that
    applied to it, and (optionally) what was recorded, to check a "no change" replay against."""

    code: str
    agency: str
    procedure: ProcedureSnapshot
    events: tuple[ClockEvent, ...]
    rules: Rules = field(default_factory=Rules)
    unit: str = ""
    stored_original_due_at: datetime | None = None
    stored_outcome: str | None = None


@dataclass(frozen=True)
class Change:
    """A proposed committed duration for one procedure (and optionally its own cut-off time)."""

    committed_value: float
    committed_unit: str = "working_days"
    cutoff: time | None = None

    def __post_init__(self) -> None:
        Duration(self.committed_value, self.committed_unit)  # validates unit and sign

    @property
    def duration(self) -> Duration:
        return Duration(self.committed_value, self.committed_unit)


@dataclass(frozen=True)
class Proposal:
    """New committed durations per procedure code; a cut-off time and working windows for every procedure."""

    procedures: Mapping[str, Change] = field(default_factory=dict)
    cutoff: time | None = None
    windows: tuple[tuple[time, time], ...] | None = None
    target: float = DEFAULT_TARGET

    @property
    def is_no_change(self) -> bool:
        return not self.procedures and self.cutoff is None and self.windows is None


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the period ends before it starts")
