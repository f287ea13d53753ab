"""Hand-written fakes of the deadline service's ports (``deadline.ports``): an in-memory repository with its
unit of work, and a recording metrics sink."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from deadline.domain import Dossier, Threshold
from deadline.figures import OpenClock, OpenFigures
from deadline.preview import in_force
from dunghan.calendar import Notice
from dunghan.contract import Event
from dunghan.contract.events import DossierClassified, ProcedureUpdated
from dunghan.deadline import ClockEvent
from dunghan.testing.uow import SnapshotUnitOfWork


@dataclass
class State:
    inbox: set[tuple[str, str]] = field(default_factory=set)
    dossiers: dict[str, Dossier] = field(default_factory=dict)
    events: dict[str, list[ClockEvent]] = field(default_factory=dict)
    published: list[Event] = field(default_factory=list)
    thresholds: dict[tuple[str, str], bool] = field(default_factory=dict)
    corrections: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    recompute_log: list[tuple[str, str, datetime | None, datetime | None]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    procedures: dict[tuple[str, int], ProcedureUpdated] = field(default_factory=dict)


class FakeTx:
    def __init__(self, state: State) -> None:
        self.s = state

    def inbox_accept(self, source: str, event_id: str) -> bool:
        if (source, event_id) in self.s.inbox:
            return False
        self.s.inbox.add((source, event_id))
        return True

    def dossier(self, code: str, *, lock: bool = True) -> Dossier | None:
        return self.s.dossiers.get(code)

    def create(self, code: str, agency: str, now: datetime) -> None:
        self.s.dossiers.setdefault(code, Dossier(code=code, agency=agency))

    def save(self, d: Dossier, now: datetime) -> None:
        self.s.dossiers[d.code] = d

    def add_event(self, code: str, ce: ClockEvent, now: datetime) -> None:
        self.s.events.setdefault(code, []).append(ce)

    def events(self, code: str) -> list[ClockEvent]:
        return sorted(self.s.events.get(code, []), key=lambda e: e.at)

    def publish(self, e: Event, now: datetime) -> None:
        self.s.published.append(e)

    def fired(self, code: str) -> set[str]:
        return {k for (c, k) in self.s.thresholds if c == code}

    def fire(self, code: str, th: Threshold, *, emitted: bool, now: datetime) -> bool:
        if (code, th.key) in self.s.thresholds:
            return False
        self.s.thresholds[(code, th.key)] = emitted
        return True

    def claim_due(self, now: datetime, limit: int) -> list[str]:
        due = [d for d in self.s.dossiers.values()
               if d.next_threshold_at is not None and d.next_threshold_at <= now and d.stopped_at is None
               and not d.paused]
        return [d.code for d in sorted(due, key=lambda d: (d.next_threshold_at or now, d.code))][:limit]

    def claim_open(self, after: str, limit: int) -> list[str]:
        return sorted(c for c, d in self.s.dossiers.items() if c > after and d.is_open)[:limit]

    def record_correction(self, code: str, before: dict[str, Any], after: dict[str, Any], now: datetime) -> None:
        self.s.corrections.append((code, before, after))

    def log_recompute(self, run_id: str, before: Dossier, after: Dossier, now: datetime) -> None:
        self.s.recompute_log.append((run_id, before.code, before.due_at, after.due_at))

    def add_notice(self, n: Notice, now: datetime) -> None:
        self.s.notices.append(n)

    def save_procedure(self, p: ProcedureUpdated, now: datetime) -> None:
        self.s.procedures[(p.procedure.code, p.procedure.version)] = p


class FakeUow(SnapshotUnitOfWork[FakeTx]):
    """A transaction is a snapshot of the repository's state, put back on rollback."""

    def __init__(self, repo: FakeRepository) -> None:
        super().__init__(repo, FakeTx)


class FakeRepository:
    def __init__(self) -> None:
        self.state = State()
        self.uow = FakeUow(self)

    def notices(self) -> list[Notice]:
        return list(self.state.notices)

    def open_dossiers(self, *, due_before: datetime | None = None, overdue_at: datetime | None = None,
                      agency: str | None = None, unit: str | None = None,
                      officer: str | None = None) -> list[Dossier]:
        out = []
        for d in self.state.dossiers.values():
            if d.stopped_at is not None or d.due_at is None:
                continue
            if due_before is not None and d.due_at > due_before:
                continue
            if overdue_at is not None and (d.due_at >= overdue_at or d.paused):
                continue
            if (agency and d.agency != agency) or (unit and d.unit != unit) or (officer and d.officer != officer):
                continue
            out.append(d)
        return sorted(out, key=lambda d: (d.due_at, d.code))

    def open_clocks(self) -> list[OpenClock]:
        return [OpenClock(d.code, d.agency, d.unit, d.procedure.field if d.procedure else "", d.due_at,
                          d.due_date, d.paused, d.procedure.code if d.procedure else "")
                for d in self.open_dossiers() if d.due_at is not None]

    def band_counts(self, now: datetime) -> list[tuple[str, str, str, int]]:
        counts: dict[tuple[str, str, str], int] = {}
        for d in self.open_dossiers():
            band = ("waiting_applicant" if d.paused else "overdue" if d.due_at and d.due_at < now
                    else "due_soon" if d.due_soon_at and d.due_soon_at <= now else "in_time")
            counts[(d.agency, d.unit, band)] = counts.get((d.agency, d.unit, band), 0) + 1
        return [(a, u, b, n) for (a, u, b), n in sorted(counts.items())]

    def recompute_runs(self, run_id: str) -> list[dict[str, Any]]:
        runs = [{"code": c, "before_due_at": b, "after_due_at": a} for r, c, b, a in self.state.recompute_log
                if r == run_id]
        return sorted(runs, key=lambda r: r["code"])

    def appointment_mismatches(self, *, agency: str | None = None, unit: str | None = None) -> list[Dossier]:
        found = [d for d in self.state.dossiers.values() if d.appointment_mismatch
                 and (not agency or d.agency == agency) and (not unit or d.unit == unit)]
        return sorted(found, key=lambda d: (d.accepted_at is None, d.accepted_at, d.code))

    def procedure_on(self, code: str, day: date) -> ProcedureUpdated | None:
        return in_force([p for (c, _), p in self.state.procedures.items() if c == code], day)

    def whatif_facts(self, period: Any, tz: Any, *, agency: str | None = None,
                     rules_for: Any = None) -> list[Any]:
        """The fake of ``deadline.whatif.source.period_facts``: same selection, in code order."""
        from datetime import time, timedelta

        from deadline.whatif import DossierFacts
        from dunghan.deadline import Rules

        first = datetime.combine(period.first, time(0), tzinfo=tz)
        after = datetime.combine(period.last + timedelta(days=1), time(0), tzinfo=tz)
        out = []
        for d in sorted(self.state.dossiers.values(), key=lambda d: d.code):
            if d.procedure is None or d.accepted_at is None or d.accepted_at >= after \
                    or (d.stopped_at is not None and d.stopped_at < first) or (agency and d.agency != agency):
                continue
            events = tuple(sorted(self.state.events.get(d.code, ()), key=lambda e: e.at))
            out.append(DossierFacts(
                code=d.code, agency=d.agency, procedure=d.procedure, events=events,
                rules=rules_for(d.agency, d.procedure.code) if rules_for else Rules(), unit=d.unit,
                stored_original_due_at=d.original_due_at, stored_outcome=(d.classification or {}).get("outcome")))
        return out

    @property
    def published(self) -> list[Event]:
        return self.state.published


@dataclass
class FakeMetrics:
    warnings: list[str] = field(default_factory=list)
    classified_events: list[DossierClassified] = field(default_factory=list)
    clock_events: list[tuple[str, str]] = field(default_factory=list)
    bands: list[tuple[str, str, str, int]] = field(default_factory=list)
    opened: set[tuple[str, str, str]] = field(default_factory=set)
    figures: OpenFigures | None = None

    def warning(self, threshold: str) -> None:
        self.warnings.append(threshold)

    def classified(self, c: DossierClassified) -> None:
        self.classified_events.append(c)

    def clock_event(self, agency: str, kind: str) -> None:
        self.clock_events.append((agency, kind))

    def open_dossiers(self, counts: list[tuple[str, str, str, int]]) -> None:
        self.bands = counts

    def dossier_open(self, agency: str, unit: str, procedure_field: str) -> None:
        self.opened.add((agency, unit, procedure_field))

    def open_figures(self, f: OpenFigures) -> None:
        self.figures = f
