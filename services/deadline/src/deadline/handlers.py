"""Use cases: apply a canonical event, send the warnings reached, recompute open clocks, add a calendar notice."""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from deadline import domain, preview
from deadline.domain import Dossier
from deadline.figures import OpenFigures
from deadline.ports import Repository, Tx
from deadline.rules import RuleBook
from dunghan.calendar import Notice, WorkCalendar
from dunghan.contract import CloudEvent, Event
from dunghan.contract.events import DossierAccepted, DossierClassified, ProcedureUpdated
from dunghan.deadline import Clock, ClockEvent, compute_clock

BATCH = 100


class MetricsPort(Protocol):
    def warning(self, threshold: str) -> None: ...
    def classified(self, c: DossierClassified) -> None: ...
    def clock_event(self, agency: str, kind: str) -> None: ...
    def open_dossiers(self, counts: list[tuple[str, str, str, int]]) -> None: ...
    def dossier_open(self, agency: str, unit: str, procedure_field: str) -> None: ...
    def open_figures(self, f: OpenFigures) -> None: ...


class CalendarSource:
    """The calendar in force: the base (library + notices file) overlaid with the notices in the database,
    read again when older than ``max_age`` seconds (0: on every call) or when asked for ``fresh``."""

    def __init__(self, base: WorkCalendar, notices: Callable[[], list[Notice]], max_age: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base = base
        self._notices = notices
        self.max_age = max_age
        self._clock = clock
        self._key: tuple[Notice, ...] = ()
        self._calendar = base
        self._read_at = float("-inf")

    def current(self, *, fresh: bool = False) -> WorkCalendar:
        if fresh or self._clock() - self._read_at >= self.max_age:
            key = tuple(self._notices())
            self._read_at = self._clock()
            if key != self._key:
                self._calendar = self.base.with_notices(list(key)) if key else self.base
                self._key = key
        return self._calendar


@dataclass
class Deps:
    calendars: CalendarSource
    rules: RuleBook = field(default_factory=RuleBook)
    metrics: MetricsPort | None = None
    history_grace: timedelta = domain.HISTORY_GRACE


@dataclass(frozen=True)
class Change:
    before: Dossier
    after: Dossier
    classified: DossierClassified | None = None
    write: bool = True  # ``after`` is to be saved


@dataclass
class Seen:
    """A dossier as an earlier event of the same call left it, with its clock events; ``write``: to be saved."""
    dossier: Dossier
    events: list[ClockEvent]
    write: bool


def handle_event(message: CloudEvent, repo: Repository, deps: Deps, now: datetime, event: Event | None = None,
                 seen: dict[str, Seen] | None = None) -> str:
    """Store the event in the dossier's history and recompute its clock; returns ok, duplicate or ignored.
    ``event``: ``message.event()`` when the caller decoded it already. ``seen`` (``handle_events``): a dossier an
    earlier event of the call computed starts from there, and its row is left for the caller to save."""
    e = event or message.event()
    if isinstance(e, ProcedureUpdated):
        return _store_procedure(message, e, repo, now)
    clock_event = domain.clock_event_for(e, message.id)
    if clock_event is None:
        return "ignored"
    calendar = deps.calendars.current()
    code, agency = e.code, e.agency  # type: ignore[attr-defined]
    with repo.uow as tx:
        if not tx.inbox_accept(message.source, message.id):
            return "duplicate"
        before = seen.get(code) if seen is not None else None
        existing = before.dossier if before else tx.dossier(code)
        # read before this event is stored
        history = before.events if before else tx.events(code) if existing is not None else []
        d = existing or _create(tx, code, agency, now)
        if d.calendar_version and d.calendar_version != calendar.version:
            calendar = deps.calendars.current(fresh=True)  # another process may have read newer notices
        if isinstance(e, DossierAccepted):
            d = _check_appointment(tx, d.accepted(e), e, calendar, deps, now)
        tx.add_event(code, clock_event, now)
        events = [*history, clock_event]
        change = refresh(tx, d, calendar, deps, now, trigger=clock_event.kind, events=events,
                         created=existing is None, save=seen is None)
        if seen is not None:  # the dossier as a next read would find it
            seen[code] = (Seen(change.after, events, True) if change.write
                          else Seen(existing or change.before, events, before is not None and before.write))
    if deps.metrics:
        repo.uow.after_commit(lambda: _count(deps, agency, clock_event.kind, change))
    return "ok"


def handle_events(messages: Sequence[tuple[CloudEvent, Event]], repo: Repository, deps: Deps, now: datetime
                  ) -> list[str]:
    """``handle_event`` of each message in order, in one unit of work: a dossier's next event starts from what
    its previous one computed, and each dossier's row is saved once, after its last event."""
    seen: dict[str, Seen] = {}
    with repo.uow as tx:
        outcomes = [handle_event(ce, repo, deps, now, e, seen) for ce, e in messages]
        for s in seen.values():
            if s.write:
                tx.save(s.dossier, now)
    return outcomes


def _store_procedure(message: CloudEvent, e: ProcedureUpdated, repo: Repository, now: datetime) -> str:
    with repo.uow as tx:
        if not tx.inbox_accept(message.source, message.id):
            return "duplicate"
        tx.save_procedure(e, now)
    return "ok"


def _check_appointment(tx: Tx, d: Dossier, e: DossierAccepted, calendar: WorkCalendar, deps: Deps,
                       now: datetime) -> Dossier:
    """Flag (and announce) a receipt whose appointment is not the due instant the rules give the acceptance."""
    if e.appointment_at is None or d.appointment_mismatch:
        return d
    rules = deps.rules.for_dossier(e.agency, e.procedure.code)
    mismatch = preview.mismatch_event(e, preview.due_on_acceptance(e.procedure, e.occurred_at, calendar, rules),
                                      calendar, rules)
    if mismatch is None:
        return d
    tx.publish(mismatch, now)
    return dataclasses.replace(d, appointment_mismatch=True)


def due_date_preview(repo: Repository, deps: Deps, procedure_code: str, accepted_at: datetime,
                     agency: str | None = None) -> tuple[ProcedureUpdated, Clock] | None:
    """The clock a dossier of ``procedure_code`` accepted at ``accepted_at`` starts with (None: no version in
    force that day, or one of another agency than ``agency``). CalendarRangeError: beyond the calendar's years."""
    calendar = deps.calendars.current()
    version = repo.procedure_on(procedure_code, accepted_at.astimezone(calendar.tz).date())
    if version is None or (agency is not None and version.agency != agency):
        return None
    rules = deps.rules.for_dossier(version.agency, procedure_code)
    return version, preview.due_on_acceptance(version.procedure, accepted_at, calendar, rules)


def _count(deps: Deps, agency: str, kind: str, change: Change) -> None:
    assert deps.metrics is not None
    deps.metrics.clock_event(agency, kind)
    if change.classified is not None:
        deps.metrics.classified(change.classified)
    elif change.after.procedure is not None and change.after.stopped_at is None:
        deps.metrics.dossier_open(change.after.agency, change.after.unit, change.after.procedure.field)


def _create(tx: Tx, code: str, agency: str, now: datetime) -> Dossier:
    """Insert the row at once: it locks the new dossier for this transaction, as ``dossier()`` locks one that
    exists, so that another worker's event for it waits and then reads this one's history."""
    tx.create(code, agency, now)
    return Dossier(code=code, agency=agency)


def clock_for(tx: Tx, d: Dossier, calendar: WorkCalendar, deps: Deps, now: datetime,
              events: list[ClockEvent] | None = None) -> Clock:
    assert d.procedure is not None
    rules = deps.rules.for_dossier(d.agency, d.procedure.code)
    events = tx.events(d.code) if events is None else events
    # A recorded fact is never in the future: tolerate producers' clocks running slightly ahead.
    latest = max((e.at for e in events), default=now)
    return compute_clock(events, d.procedure, calendar, max(now, latest), rules)


def refresh(tx: Tx, d: Dossier, calendar: WorkCalendar, deps: Deps, now: datetime, *, trigger: str,
            events: list[ClockEvent] | None = None, created: bool = False, save: bool = True) -> Change:
    """Recompute the dossier's clock from its whole history (``events``, when read already) and publish what
    changed. ``created``: the dossier was created by this event, so no threshold has fired yet. ``save``: else
    the caller saves ``after`` when the change says ``write``."""
    if d.procedure is None:
        if save:
            tx.save(d, now)
        return Change(d, d)
    clock = clock_for(tx, d, calendar, deps, now, events)
    if d.classification is not None:
        _note_correction(tx, d, clock, now)
        return Change(d, d, write=False)
    rules = deps.rules.for_dossier(d.agency, d.procedure.code)
    new = domain.with_clock(d, clock, calendar, rules)
    if not new.history and domain.is_history(d, clock, now, deps.history_grace):
        new = dataclasses.replace(new, history=True)
    if clock.paused:
        new = dataclasses.replace(new, due_at=d.due_at, due_date=d.due_date)
    elif clock.due_at is not None and clock.due_at != d.due_at:
        tx.publish(domain.due_date_set(new, clock, domain.due_reason(d.due_at, trigger), d.due_at), now)
    verdict: DossierClassified | None = None
    if clock.stopped_at is not None:
        verdict = domain.classified(new, clock)
        tx.publish(verdict, now)
        new = dataclasses.replace(new, classification=domain.classification_summary(verdict))
    fired = tx.fired(d.code) if not created and domain.warns(new, clock) else set()
    plan = domain.plan_warnings(new, clock, calendar, rules, fired, now)
    new = dataclasses.replace(new, next_threshold_at=plan.look_at)  # what is reached already, the scan sends
    if save:
        tx.save(new, now)
    return Change(d, new, verdict)


def _note_correction(tx: Tx, d: Dossier, clock: Clock, now: datetime) -> None:
    """A closed dossier's classification is never rewritten; a differing recomputation is recorded beside it."""
    after = domain.classification_summary(domain.classified(d, clock)) if clock.stopped_at else {"outcome": None}
    if after != d.classification:
        tx.record_correction(d.code, d.classification or {}, after, now)


def scan_thresholds(repo: Repository, deps: Deps, now: datetime, batch: int = BATCH) -> int:
    """Send every warning reached by ``now`` for open, running clocks; each (dossier, threshold) once."""
    calendar = deps.calendars.current()
    labels: list[str] = []
    for _ in range(10_000):
        with repo.uow as tx:
            codes = tx.claim_due(now, batch)
            for code in codes:
                labels += _warn(tx, code, calendar, deps, now)
        if len(codes) < batch:
            break
    if deps.metrics:
        for label in labels:
            deps.metrics.warning(label)
    return len(labels)


def _warn(tx: Tx, code: str, calendar: WorkCalendar, deps: Deps, now: datetime) -> list[str]:
    """Carry out the dossier's warning plan: mark what is reached, send what is due, store when to look again."""
    d = tx.dossier(code, lock=False)
    if d is None or d.procedure is None or not d.is_open:
        return []
    clock = clock_for(tx, d, calendar, deps, now)
    rules = deps.rules.for_dossier(d.agency, d.procedure.code)
    fired = tx.fired(code) if domain.warns(d, clock) else set()
    plan = domain.plan_warnings(d, clock, calendar, rules, fired, now)
    for threshold in plan.overtaken:
        tx.fire(code, threshold, emitted=False, now=now)
    labels: list[str] = []
    for alert in plan.send:
        if tx.fire(code, alert.threshold, emitted=True, now=now):
            tx.publish(alert.event, now)
            labels.append(alert.threshold.label)
    tx.save(dataclasses.replace(d, next_threshold_at=plan.next_at), now)
    return labels


def recompute(repo: Repository, deps: Deps, now: datetime, run_id: str, batch: int = BATCH) -> list[Change]:
    """Recompute every open clock with the calendar in force; publish and log the changed due instants."""
    calendar = deps.calendars.current()
    changed: list[Change] = []
    after = ""
    while True:
        with repo.uow as tx:
            codes = tx.claim_open(after, batch)
            for code in codes:
                d = tx.dossier(code, lock=False)
                if d is None:
                    continue
                change = refresh(tx, d, calendar, deps, now, trigger="recomputed")
                if change.after.due_at != change.before.due_at:
                    tx.log_recompute(run_id, change.before, change.after, now)
                    changed.append(change)
        if len(codes) < batch:
            return changed
        after = codes[-1]


def add_notice(repo: Repository, deps: Deps, notice: Notice, now: datetime) -> str:
    """Persist an official notice (day off or make-up day); returns the new calendar version."""
    with repo.uow as tx:
        tx.add_notice(notice, now)
    return deps.calendars.current().version


def explain(repo: Repository, deps: Deps, code: str, now: datetime) -> tuple[Dossier, Clock] | None:
    calendar = deps.calendars.current()
    with repo.uow as tx:
        d = tx.dossier(code, lock=False)
        if d is None or d.procedure is None:
            return None
        return d, clock_for(tx, d, calendar, deps, now)

