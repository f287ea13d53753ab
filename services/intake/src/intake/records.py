"""The registry's records: plain dataclasses shared by the handlers, the repository and the API."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dunghan.contract.events import StepBudget


@dataclass
class Dossier:
    code: str
    agency: str
    status: int
    procedure_code: str | None = None
    procedure_version: int | None = None
    procedure_field: str | None = None
    channel: int | None = None
    unit: str | None = None
    officer: str | None = None
    step: str | None = None
    applicant_name: str | None = None
    id_number_hash: str | None = None
    applicant_phone: str | None = None
    applicant_email: str | None = None
    submitted_at: datetime | None = None
    accepted_at: datetime | None = None
    appointment_at: datetime | None = None
    new_due_date: date | None = None
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    decision: str | None = None
    supplement_count: int = 0
    apology_count: int = 0
    updated_at: datetime | None = None


@dataclass(frozen=True)
class HistoryEntry:
    code: str
    seq: int
    fact: str
    occurred_at: datetime
    received_at: datetime
    source: str
    sender_event_id: str
    status: int
    unit: str | None
    officer: str | None
    step: str | None
    canonical_event_id: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    agency: str
    event_id: str
    digest: str
    state: str  # applied | buffered
    reply: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class FactState:
    """What recording one fact starts from, read in one statement: the idempotency record of its event id,
    the dossier (None if new) and whether facts of that dossier wait in the buffer."""

    received: Received | None
    dossier: Dossier | None
    buffered: bool


@dataclass(frozen=True)
class PendingFact:
    agency: str
    event_id: str
    code: str
    fact: str
    occurred_at: datetime
    body: dict[str, Any]
    source: str
    received_at: datetime
    reply_to: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True)
class ProcedureVersion:
    code: str
    version: int
    agency: str
    name: str
    field: str
    statutory_value: float
    statutory_unit: str
    committed_value: float
    committed_unit: str
    effective_from: date
    effective_to: date | None = None
    abolished: bool = False
    channels: tuple[int, ...] = (1, 2, 3)
    steps: tuple[StepBudget, ...] = ()
    cutoff: str = "17:00"
    pause_on_fee: bool = False
    legal_basis: str = ""


@dataclass(frozen=True)
class ProblemReport:
    id: int
    procedure_code: str
    agency: str
    reported_by: str
    summary: str
    details: str
    created_at: datetime
    status: str = "open"


@dataclass(frozen=True)
class Agency:
    code: str
    name: str


@dataclass(frozen=True)
class Unit:
    code: str
    agency: str
    name: str
    head_officer: str | None = None
    union_contact: str | None = None


@dataclass(frozen=True)
class Officer:
    code: str
    agency: str
    unit: str
    full_name: str
    title: str = ""
    email: str | None = None
    phone: str | None = None
    active: bool = True


@dataclass(frozen=True)
class SourceSystem:
    name: str
    agency: str
    role: str  # system | operator | admin (dunghan.web.auth.ROLES)
    amqp_user: str | None = None
    api_key_sha256: str | None = None


@dataclass(frozen=True)
class DossierFilter:
    agency: str | None = None
    unit: str | None = None
    officer: str | None = None
    status: int | None = None
    procedure: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    resolved_from: datetime | None = None
    resolved_to: datetime | None = None
    overdue_at: datetime | None = None
    open: bool | None = None
    page: int = 1
    per_page: int = 50
