"""In-memory adapter of intake's storage (tests only): a unit of work rolls back on error, like SQL."""
from __future__ import annotations

import bisect
import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from dunghan.contract.envelope import CloudEvent
from dunghan.uow import AbstractUnitOfWork
from intake.domain import is_overdue
from intake.records import (
    Agency,
    Dossier,
    DossierFilter,
    FactState,
    HistoryEntry,
    Officer,
    PendingFact,
    ProblemReport,
    ProcedureVersion,
    Received,
    SourceSystem,
    Unit,
)


@dataclass
class _State:
    dossiers: dict[str, Dossier] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    received: dict[tuple[str, str], Received] = field(default_factory=dict)
    pending: dict[tuple[str, str], PendingFact] = field(default_factory=dict)
    procedures: dict[tuple[str, int], ProcedureVersion] = field(default_factory=dict)
    problems: list[ProblemReport] = field(default_factory=list)
    agencies: dict[str, Agency] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    sources: dict[str, SourceSystem] = field(default_factory=dict)
    outbox: list[CloudEvent] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)


class InMemoryRepository:
    """Records everything, including the outbox (``repo.published``) and the locks taken (``state.locked``)."""

    def __init__(self) -> None:
        self.state = _State()
        self.facts = FakeUnitOfWork(self)
        self.uow = FakeUnitOfWork(self)

    @property
    def published(self) -> list[CloudEvent]:
        return self.state.outbox

    def transaction(self) -> FakeUnitOfWork:
        return self.uow


class FakeUnitOfWork(AbstractUnitOfWork["_MemoryTx"]):
    """Commits by keeping the state; rolls back by restoring the copy taken when it began."""

    def __init__(self, repo: InMemoryRepository) -> None:
        super().__init__()
        self.repo = repo
        self.commits = 0

    def _begin(self) -> _MemoryTx:
        self._local.snapshot = copy.deepcopy(self.repo.state)
        return _MemoryTx(self.repo.state, self.lock, self.after_commit)

    def _commit(self, ports: _MemoryTx) -> None:
        self.commits += 1

    def _rollback(self) -> None:
        self.repo.state = self._local.snapshot

    def _lock(self, keys: list[str]) -> None:
        self.repo.state.locked.extend(keys)


class _MemoryTx:
    def __init__(self, s: _State, lock: Callable[[list[str]], None],
                 after_commit: Callable[[Callable[[], object]], None]) -> None:
        self.s = s
        self._lock = lock
        self.after_commit = after_commit
        self._position = 0
        self._positions: list[int] = []  # those of this transaction's events, in outbox order

    def lock_dossiers(self, codes: list[str]) -> None:
        self._lock(codes)  # the codes themselves: one key space in the fake

    def read_ahead(self, keys: list[tuple[str, str, str]]) -> None:
        return None

    def get_dossier(self, code: str) -> Dossier | None:
        d = self.s.dossiers.get(code)
        return replace(d) if d else None

    def fact_state(self, agency: str, event_id: str, code: str) -> FactState:
        return FactState(self.get_received(agency, event_id), self.get_dossier(code),
                         any(p.code == code for p in self.s.pending.values()))

    def save_dossier(self, dossier: Dossier) -> None:
        self.s.dossiers[dossier.code] = replace(dossier)

    def append_history(self, entry: HistoryEntry) -> None:
        self.s.history.append(replace(entry, seq=len(self.history(entry.code)) + 1))

    def history(self, code: str) -> list[HistoryEntry]:
        return sorted((h for h in self.s.history if h.code == code), key=lambda h: h.seq)

    def list_dossiers(self, flt: DossierFilter) -> tuple[list[Dossier], int]:
        rows = sorted((d for d in self.s.dossiers.values() if _matches(d, flt)), key=lambda d: d.code)
        start = (flt.page - 1) * flt.per_page
        return [replace(d) for d in rows[start:start + flt.per_page]], len(rows)

    def get_received(self, agency: str, event_id: str) -> Received | None:
        return self.s.received.get((agency, event_id))

    def put_received(self, received: Received) -> None:
        self.s.received[(received.agency, received.event_id)] = received

    def add_pending(self, pending: PendingFact) -> None:
        self.s.pending[(pending.agency, pending.event_id)] = pending

    def pending_for(self, code: str) -> list[PendingFact]:
        return sorted((p for p in self.s.pending.values() if p.code == code),
                      key=lambda p: (p.occurred_at, p.received_at))

    def delete_pending(self, agency: str, event_id: str) -> None:
        self.s.pending.pop((agency, event_id), None)

    def pending_received_before(self, before: datetime) -> list[PendingFact]:
        return sorted((p for p in self.s.pending.values() if p.received_at < before), key=lambda p: p.received_at)

    def procedure_versions(self, code: str) -> list[ProcedureVersion]:
        return sorted((v for (c, _), v in self.s.procedures.items() if c == code), key=lambda v: v.version)

    def save_procedure_version(self, version: ProcedureVersion) -> None:
        self.s.procedures[(version.code, version.version)] = version

    def list_procedure_codes(self, agency: str | None) -> list[str]:
        return sorted({c for (c, _), v in self.s.procedures.items() if agency is None or v.agency == agency})

    def add_problem(self, report: ProblemReport) -> ProblemReport:
        stored = replace(report, id=len(self.s.problems) + 1)
        self.s.problems.append(stored)
        return stored

    def list_problems(self, procedure_code: str | None) -> list[ProblemReport]:
        return [p for p in self.s.problems if procedure_code is None or p.procedure_code == procedure_code]

    def save_agency(self, agency: Agency) -> None:
        self.s.agencies[agency.code] = agency

    def get_agency(self, code: str) -> Agency | None:
        return self.s.agencies.get(code)

    def list_agencies(self) -> list[Agency]:
        return sorted(self.s.agencies.values(), key=lambda a: a.code)

    def save_unit(self, unit: Unit) -> None:
        self.s.units[unit.code] = unit

    def get_unit(self, code: str) -> Unit | None:
        return self.s.units.get(code)

    def list_units(self, agency: str | None) -> list[Unit]:
        return sorted((u for u in self.s.units.values() if agency in (None, u.agency)), key=lambda u: u.code)

    def save_officer(self, officer: Officer) -> None:
        self.s.officers[officer.code] = officer

    def get_officer(self, code: str) -> Officer | None:
        return self.s.officers.get(code)

    def list_officers(self, agency: str | None, unit: str | None) -> list[Officer]:
        found = (o for o in self.s.officers.values() if agency in (None, o.agency) and unit in (None, o.unit))
        return sorted(found, key=lambda o: o.code)

    def save_source(self, source: SourceSystem) -> None:
        self.s.sources[source.name] = source

    def source_by_amqp_user(self, user: str) -> SourceSystem | None:
        return next((s for s in self.s.sources.values() if s.amqp_user == user), None)

    def source_by_key(self, key_sha256: str) -> SourceSystem | None:
        return next((s for s in self.s.sources.values() if s.api_key_sha256 == key_sha256), None)

    def message(self, position: int) -> None:
        self._position = position

    def outbox(self, ce: CloudEvent) -> None:
        """Appended; in a batch, after the events of the messages before this one (``message``)."""
        at = bisect.bisect_right(self._positions, self._position)
        self._positions.insert(at, self._position)
        self.s.outbox.insert(len(self.s.outbox) - len(self._positions) + 1 + at, ce)


def _matches(d: Dossier, f: DossierFilter) -> bool:
    checks: list[tuple[Any, Any]] = [(f.agency, d.agency), (f.unit, d.unit), (f.officer, d.officer),
                                     (f.status, d.status), (f.procedure, d.procedure_code)]
    if any(want is not None and want != have for want, have in checks):
        return False
    if f.received_from and not (d.accepted_at and d.accepted_at >= f.received_from):
        return False
    if f.received_to and not (d.accepted_at and d.accepted_at < f.received_to):
        return False
    if (f.resolved_from or f.resolved_to) and d.accepted_at is None:
        return False  # a refusal at intake is not a resolved dossier
    if f.resolved_from and not (d.resolved_at and d.resolved_at >= f.resolved_from):
        return False
    if f.resolved_to and not (d.resolved_at and d.resolved_at < f.resolved_to):
        return False
    if f.open is not None and f.open != (d.accepted_at is not None and d.resolved_at is None):
        return False
    if f.overdue_at is not None:
        return is_overdue(d.status, d.appointment_at, f.overdue_at)
    return True
