"""Every canonical event, as a past-tense frozen dataclass; type names and routing keys are spelled here only.

Type ``vn.dunghan.<service>.<event>.v<major>``; routing key ``<service>.<event>.v<major>``. Within a major version
fields are only ever added (with a default), never removed or retyped.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Literal, TypeVar

from dunghan.contract.schemas import schema_for as schema_for
from dunghan.contract.schemas import schema_instance

TYPE_PREFIX = "vn.dunghan."
EVENT_TYPES: dict[str, type[Event]] = {}
E = TypeVar("E", bound=type)


class Event:
    """Base of every event: ``TYPE`` is set by ``@event``; ``subject`` is the dossier code where there is one."""

    TYPE: ClassVar[str]
    SOURCE: ClassVar[str]

    @property
    def subject(self) -> str | None:
        return getattr(self, "code", None)

    def to_data(self) -> dict[str, Any]:
        return schema_instance(type(self)).dump(self)  # type: ignore[no-any-return]


def event(service: str, name: str, major: int = 1) -> Callable[[E], E]:
    def register(cls: E) -> E:
        cls.TYPE = f"{TYPE_PREFIX}{service}.{name}.v{major}"  # type: ignore[attr-defined]
        cls.SOURCE = f"/dunghan/{service}"  # type: ignore[attr-defined]
        EVENT_TYPES[cls.TYPE] = cls  # type: ignore[attr-defined]
        return cls

    return register


def event_type(cls: type[Event]) -> str:
    return cls.TYPE


def routing_key(type_or_cls: str | type[Event]) -> str:
    t = type_or_cls if isinstance(type_or_cls, str) else type_or_cls.TYPE
    return t.removeprefix(TYPE_PREFIX)


DurationUnit = Literal["working_days", "working_hours", "calendar_days"]
Outcome = Literal["early", "on_time", "late"]


@dataclass(frozen=True)
class StepBudget:
    name: str
    hours: float


@dataclass(frozen=True)
class ProcedureSnapshot:
    """The procedure version in force when the dossier was accepted: what its deadline is computed from."""

    code: str
    version: int
    name: str
    field: str
    committed_value: float
    committed_unit: DurationUnit
    statutory_value: float
    statutory_unit: DurationUnit
    cutoff: str = "17:00"
    pause_on_fee: bool = False
    steps: tuple[StepBudget, ...] = ()


# ---- intake: registry and dossier lifecycle (occurred_at = the instant the fact happened) ----


@event("intake", "dossier_submitted")
@dataclass(frozen=True)
class DossierSubmitted(Event):
    code: str
    agency: str
    occurred_at: datetime
    procedure_code: str
    channel: int = 2


@event("intake", "dossier_accepted")
@dataclass(frozen=True)
class DossierAccepted(Event):
    code: str
    agency: str
    occurred_at: datetime
    unit: str
    officer: str
    procedure: ProcedureSnapshot
    channel: int
    applicant_name: str
    step: str | None = None
    history: bool = False  # loaded as history (an import of past dossiers): counted everywhere, notifies nobody
    appointment_at: datetime | None = None


@event("intake", "dossier_refused")
@dataclass(frozen=True)
class DossierRefused(Event):
    """Refused at intake (status 3): never accepted, no clock."""

    code: str
    agency: str
    occurred_at: datetime
    reason: str = ""
    procedure_code: str | None = None
    channel: int | None = None
    unit: str | None = None


@event("intake", "dossier_transferred")
@dataclass(frozen=True)
class DossierTransferred(Event):
    code: str
    agency: str
    occurred_at: datetime
    unit: str
    officer: str
    step: str | None = None


@event("intake", "supplement_requested")
@dataclass(frozen=True)
class SupplementRequested(Event):
    code: str
    agency: str
    occurred_at: datetime
    reason: str = ""


@event("intake", "supplement_received")
@dataclass(frozen=True)
class SupplementReceived(Event):
    code: str
    agency: str
    occurred_at: datetime


@event("intake", "fee_requested")
@dataclass(frozen=True)
class FeeRequested(Event):
    code: str
    agency: str
    occurred_at: datetime
    amount_vnd: int | None = None


@event("intake", "fee_paid")
@dataclass(frozen=True)
class FeePaid(Event):
    code: str
    agency: str
    occurred_at: datetime


@event("intake", "apology_issued")
@dataclass(frozen=True)
class ApologyIssued(Event):
    """Form 04: apology and a new appointment date."""

    code: str
    agency: str
    occurred_at: datetime
    new_due_date: date
    reason: str = ""


@event("intake", "result_ready")
@dataclass(frozen=True)
class ResultReady(Event):
    code: str
    agency: str
    occurred_at: datetime
    decision: Literal["approved", "refused"] = "approved"


@event("intake", "result_returned")
@dataclass(frozen=True)
class ResultReturned(Event):
    code: str
    agency: str
    occurred_at: datetime


@event("intake", "dossier_withdrawn")
@dataclass(frozen=True)
class DossierWithdrawn(Event):
    code: str
    agency: str
    occurred_at: datetime
    reason: str = ""


@event("intake", "dossier_stopped")
@dataclass(frozen=True)
class DossierStopped(Event):
    code: str
    agency: str
    occurred_at: datetime
    reason: str = ""


@event("intake", "unit_updated")
@dataclass(frozen=True)
class UnitUpdated(Event):
    unit: str
    agency: str
    name: str
    head_officer: str | None = None
    union_contact: str | None = None


@event("intake", "officer_updated")
@dataclass(frozen=True)
class OfficerUpdated(Event):
    """Staff directory entry; carries contact data because notify needs it, and nothing else does."""

    officer: str
    agency: str
    unit: str
    full_name: str
    email: str | None = None
    phone: str | None = None
    active: bool = True
    channels: tuple[str, ...] = ("email", "sms")


@event("intake", "procedure_updated")
@dataclass(frozen=True)
class ProcedureUpdated(Event):
    """One version of a catalogue procedure, announced when stored or re-imported: what a due date is computed
    from before any dossier of it is accepted (the due-date preview)."""

    procedure: ProcedureSnapshot
    agency: str
    effective_from: date
    effective_to: date | None = None
    abolished: bool = False
    channels: tuple[int, ...] = (1, 2, 3)


# ---- deadline: clocks, warnings, classification ----


@event("deadline", "due_date_set")
@dataclass(frozen=True)
class DueDateSet(Event):
    code: str
    agency: str
    unit: str
    officer: str
    due_at: datetime
    original_due_at: datetime
    calendar_version: str
    reason: str
    previous_due_at: datetime | None = None
    history: bool = False  # a dossier loaded as history: its due date counts, nobody is warned about it


@event("deadline", "appointment_mismatch")
@dataclass(frozen=True)
class AppointmentMismatch(Event):
    """The appointment printed on the receipt (form 01) differs from the due instant the rules give."""

    code: str
    agency: str
    unit: str
    officer: str
    procedure_code: str
    accepted_at: datetime
    appointment_at: datetime
    due_at: datetime
    calendar_version: str
    working_hours_diff: float | None = None


@event("deadline", "deadline_approaching")
@dataclass(frozen=True)
class DeadlineApproaching(Event):
    code: str
    agency: str
    unit: str
    officer: str
    threshold: str
    due_at: datetime
    procedure_code: str
    procedure_name: str
    applicant_name: str = ""


@event("deadline", "deadline_breached")
@dataclass(frozen=True)
class DeadlineBreached(Event):
    code: str
    agency: str
    unit: str
    officer: str
    due_at: datetime
    days_overdue: int
    procedure_code: str
    procedure_name: str
    applicant_name: str = ""


@event("deadline", "step_overdue")
@dataclass(frozen=True)
class StepOverdue(Event):
    code: str
    agency: str
    unit: str
    officer: str
    step: str
    step_due_at: datetime


@dataclass(frozen=True)
class StepResult:
    step: str
    unit: str
    officer: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime
    outcome: Outcome


@event("deadline", "dossier_classified")
@dataclass(frozen=True)
class DossierClassified(Event):
    code: str
    agency: str
    unit: str
    officer: str
    procedure_code: str
    procedure_field: str
    channel: int
    accepted_at: datetime
    stopped_at: datetime
    stop_reason: str
    outcome: Outcome
    working_days_diff: int
    resolution_working_hours: float
    due_at: datetime | None = None
    original_due_at: datetime | None = None
    apologies: int = 0
    supplement_requests: int = 0
    violations: tuple[str, ...] = ()
    steps: tuple[StepResult, ...] = ()
    calendar_version: str = ""


# ---- scoring: campaign results ----


@dataclass(frozen=True)
class StandingEntry:
    rank: int
    kind: Literal["unit", "officer"]
    subject: str
    name: str
    score: float
    handled: int
    late: int
    eligible: bool
    role: str = ""  # the officer's comparable role (label), ranks are within it


@dataclass(frozen=True)
class RewardProposal:
    kind: Literal["unit", "officer"]
    subject: str
    name: str
    title: str
    amount_vnd: int
    criteria: tuple[str, ...] = ()


@event("scoring", "phase_closed")
@dataclass(frozen=True)
class PhaseClosed(Event):
    campaign: str
    phase: str
    phase_name: str
    review_date: date
    standings: tuple[StandingEntry, ...] = ()
    proposals: tuple[RewardProposal, ...] = field(default=())
    rules: tuple[str, ...] = ()  # the scoring and reward rules, in Vietnamese, one line each
    corrections: tuple[str, ...] = ()  # classifications recorded after earlier reviews were frozen
