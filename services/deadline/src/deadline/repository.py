"""Storage port of the deadline service and its PostgreSQL adapter (one transaction per unit of work)."""
from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, Engine, and_, bindparam, case, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from deadline import tables as t
from deadline.domain import Dossier, Threshold
from deadline.preview import in_force
from dunghan.calendar import Notice
from dunghan.contract import Event, envelope_for
from dunghan.contract.events import ProcedureSnapshot, ProcedureUpdated, schema_for
from dunghan.db import begin, inbox_accept, made_member, outbox_add, upsert_statement
from dunghan.deadline import ClockEvent

_snapshot_schema = schema_for(ProcedureSnapshot)()
_loaded: dict[tuple[Any, Any], tuple[dict[str, Any], ProcedureSnapshot]] = {}


@functools.lru_cache(maxsize=2048)
def _snapshot_dump(p: ProcedureSnapshot) -> dict[str, Any]:
    return _snapshot_schema.dump(p)  # type: ignore[no-any-return]


def _snapshot_load(raw: dict[str, Any]) -> ProcedureSnapshot:
    """Every dossier of a procedure version carries the same snapshot: loaded once per distinct content."""
    key = (raw.get("code"), raw.get("version"))
    hit = _loaded.get(key)
    if hit is not None and hit[0] == raw:
        return hit[1]
    snap: ProcedureSnapshot = _snapshot_schema.load(raw)
    if len(_loaded) < 4096:
        _loaded[key] = (raw, snap)
    return snap


# The statements of the per-event path, built once (building one costs more than running it from the cache).
SAVE = upsert_statement(t.dossiers)
_DOSSIER = select(t.dossiers).where(t.dossiers.c.code == bindparam("code"))
_DOSSIER_LOCKED = _DOSSIER.with_for_update()
ADD_EVENT = insert(t.dossier_events)
_EVENTS = (select(t.dossier_events).where(t.dossier_events.c.code == bindparam("code"))
           .order_by(t.dossier_events.c.at, t.dossier_events.c.id))
BATCH_TX = "deadline.batch_tx"
_FIRED = select(t.thresholds.c.threshold).where(t.thresholds.c.code == bindparam("code"))


class Tx(Protocol):
    def inbox_accept(self, source: str, event_id: str) -> bool: ...
    def dossier(self, code: str, *, lock: bool = True) -> Dossier | None: ...
    def save(self, d: Dossier, now: datetime) -> None: ...
    def add_event(self, code: str, ce: ClockEvent, now: datetime) -> None: ...
    def events(self, code: str) -> list[ClockEvent]: ...
    def publish(self, e: Event, now: datetime) -> None: ...
    def fired(self, code: str) -> set[str]: ...
    def fire(self, code: str, th: Threshold, *, emitted: bool, now: datetime) -> bool: ...
    def claim_due(self, now: datetime, limit: int) -> list[str]: ...
    def claim_open(self, after: str, limit: int) -> list[str]: ...
    def record_correction(
        self, code: str, before: dict[str, Any], after: dict[str, Any], now: datetime
    ) -> None: ...
    def log_recompute(self, run_id: str, before: Dossier, after: Dossier, now: datetime) -> None: ...
    def add_notice(self, n: Notice, now: datetime) -> None: ...
    def save_procedure(self, p: ProcedureUpdated, now: datetime) -> None: ...


class Repository(Protocol):
    def transaction(self) -> Any: ...
    def notices(self) -> list[Notice]: ...
    def open_dossiers(self, *, due_before: datetime | None = None, overdue_at: datetime | None = None,
                      agency: str | None = None, unit: str | None = None,
                      officer: str | None = None) -> list[Dossier]: ...
    def band_counts(self, now: datetime) -> list[tuple[str, str, str, int]]: ...
    def recompute_runs(self, run_id: str) -> list[dict[str, Any]]: ...
    def procedure_on(self, code: str, day: date) -> ProcedureUpdated | None: ...
    def appointment_mismatches(self, *, agency: str | None = None, unit: str | None = None) -> list[Dossier]: ...


def dossier_row(d: Dossier, now: datetime) -> dict[str, Any]:
    return {
        "code": d.code, "agency": d.agency, "unit": d.unit, "officer": d.officer,
        "procedure_code": d.procedure.code if d.procedure else None,
        "procedure_version": d.procedure.version if d.procedure else None,
        "procedure": _snapshot_dump(d.procedure) if d.procedure else None,
        "channel": d.channel, "applicant_name": d.applicant_name, "accepted_at": d.accepted_at,
        "start_at": d.start_at, "due_at": d.due_at, "original_due_at": d.original_due_at, "due_date": d.due_date,
        "due_soon_at": d.due_soon_at, "paused": d.paused, "stopped_at": d.stopped_at, "stop_reason": d.stop_reason,
        "state": d.state, "calendar_version": d.calendar_version, "next_threshold_at": d.next_threshold_at,
        "classification": d.classification, "steps": list(d.steps), "updated_at": now, "history": d.history,
        "appointment_at": d.appointment_at, "appointment_mismatch": d.appointment_mismatch,
    }


def dossier_from_row(r: Any) -> Dossier:
    return Dossier(
        code=r.code, agency=r.agency, procedure=_snapshot_load(r.procedure) if r.procedure else None,
        unit=r.unit, officer=r.officer, channel=r.channel, applicant_name=r.applicant_name,
        accepted_at=r.accepted_at, start_at=r.start_at, due_at=r.due_at, original_due_at=r.original_due_at,
        due_date=r.due_date, due_soon_at=r.due_soon_at, paused=r.paused, stopped_at=r.stopped_at,
        stop_reason=r.stop_reason, state=r.state, calendar_version=r.calendar_version,
        next_threshold_at=r.next_threshold_at, classification=r.classification, steps=tuple(r.steps or ()),
        history=r.history, appointment_at=r.appointment_at, appointment_mismatch=r.appointment_mismatch,
    )


SAVE_PROCEDURE = upsert_statement(t.procedure_versions)


def procedure_row(p: ProcedureUpdated, now: datetime) -> dict[str, Any]:
    return {"code": p.procedure.code, "version": p.procedure.version, "agency": p.agency,
            "effective_from": p.effective_from, "effective_to": p.effective_to, "abolished": p.abolished,
            "channels": list(p.channels), "procedure": _snapshot_dump(p.procedure), "updated_at": now}


def procedure_from_row(r: Any) -> ProcedureUpdated:
    return ProcedureUpdated(procedure=_snapshot_load(r.procedure), agency=r.agency,
                            effective_from=r.effective_from, effective_to=r.effective_to, abolished=r.abolished,
                            channels=tuple(r.channels))


def clock_event_row(code: str, ce: ClockEvent, now: datetime) -> dict[str, Any]:
    return {"code": code, "event_id": ce.event_id, "kind": ce.kind, "at": ce.at, "unit": ce.unit,
            "officer": ce.officer, "step": ce.step, "new_due_date": ce.new_due_date, "decision": ce.decision,
            "received_at": now}


def clock_event(r: Any) -> ClockEvent:
    return ClockEvent(kind=r.kind, at=r.at, unit=r.unit, officer=r.officer, step=r.step,
                      new_due_date=r.new_due_date, decision=r.decision, event_id=r.event_id)


class SqlTx:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def inbox_accept(self, source: str, event_id: str) -> bool:
        return inbox_accept(self.conn, source, event_id)

    def dossier(self, code: str, *, lock: bool = True) -> Dossier | None:
        row = self.conn.execute(_DOSSIER_LOCKED if lock else _DOSSIER, {"code": code}).first()
        return dossier_from_row(row) if row else None

    def save(self, d: Dossier, now: datetime) -> None:
        self.conn.execute(SAVE, dossier_row(d, now))

    def add_event(self, code: str, ce: ClockEvent, now: datetime) -> None:
        self.conn.execute(ADD_EVENT, clock_event_row(code, ce, now))

    def events(self, code: str) -> list[ClockEvent]:
        return [clock_event(r) for r in self.conn.execute(_EVENTS, {"code": code})]

    def publish(self, e: Event, now: datetime) -> None:
        outbox_add(self.conn, envelope_for(e, now=now))

    def fired(self, code: str) -> set[str]:
        return set(self.conn.execute(_FIRED, {"code": code}).scalars())

    def fire(self, code: str, th: Threshold, *, emitted: bool, now: datetime) -> bool:
        stmt = pg_insert(t.thresholds).values(
            code=code, threshold=th.key, label=th.label, due_at=th.at, emitted=emitted, fired_at=now,
        ).on_conflict_do_nothing().returning(t.thresholds.c.code)
        return self.conn.execute(stmt).first() is not None

    def claim_due(self, now: datetime, limit: int) -> list[str]:
        c = t.dossiers.c
        return list(self.conn.execute(
            select(c.code).where(c.next_threshold_at <= now, c.stopped_at.is_(None), c.paused.is_(False))
            .order_by(c.next_threshold_at, c.code).limit(limit).with_for_update(skip_locked=True)
        ).scalars())

    def claim_open(self, after: str, limit: int) -> list[str]:
        c = t.dossiers.c
        return list(self.conn.execute(
            # procedure_code, not procedure: a dossier without one stores JSON null there, which IS NOT NULL
            select(c.code).where(c.code > after, c.stopped_at.is_(None), c.procedure_code.is_not(None))
            .order_by(c.code).limit(limit).with_for_update()
        ).scalars())

    def record_correction(self, code: str, before: dict[str, Any], after: dict[str, Any], now: datetime) -> None:
        self.conn.execute(insert(t.classification_corrections).values(
            code=code, before=before, after=after, recorded_at=now))

    def log_recompute(self, run_id: str, before: Dossier, after: Dossier, now: datetime) -> None:
        self.conn.execute(insert(t.recompute_log).values(
            run_id=run_id, code=before.code, before_due_at=before.due_at, after_due_at=after.due_at,
            before_calendar_version=before.calendar_version, after_calendar_version=after.calendar_version,
            recomputed_at=now,
        ))

    def add_notice(self, n: Notice, now: datetime) -> None:
        self.conn.execute(insert(t.calendar_notices).values(
            date=n.date, kind=n.kind, name=n.name, reference=n.reference or "",
            effective_from=n.effective_from, created_at=now,
        ))

    def save_procedure(self, p: ProcedureUpdated, now: datetime) -> None:
        self.conn.execute(SAVE_PROCEDURE, procedure_row(p, now))


class SqlRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[SqlTx]:
        """The open consumer batch's ``BatchTx`` when it made one (``batch_tx.open_batch_tx``); else a
        transaction of its own (or the batch's connection)."""
        member = made_member(self.engine, BATCH_TX)
        if member is not None:
            yield member
            return
        with begin(self.engine) as conn:
            yield SqlTx(conn)

    def notices(self) -> list[Notice]:
        c = t.calendar_notices.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.calendar_notices).order_by(c.id)).all()
        return [Notice(date=r.date, kind=r.kind, name=r.name, reference=r.reference,
                       effective_from=r.effective_from) for r in rows]

    def open_dossiers(self, *, due_before: datetime | None = None, overdue_at: datetime | None = None,
                      agency: str | None = None, unit: str | None = None,
                      officer: str | None = None) -> list[Dossier]:
        c = t.dossiers.c
        conds: list[ColumnElement[bool]] = [c.stopped_at.is_(None), c.due_at.is_not(None)]
        if due_before is not None:
            conds.append(c.due_at <= due_before)
        if overdue_at is not None:
            conds += [c.due_at < overdue_at, c.paused.is_(False)]
        for col, value in ((c.agency, agency), (c.unit, unit), (c.officer, officer)):
            if value:
                conds.append(col == value)
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.dossiers).where(and_(*conds)).order_by(c.due_at, c.code)).all()
        return [dossier_from_row(r) for r in rows]

    def band_counts(self, now: datetime) -> list[tuple[str, str, str, int]]:
        c = t.dossiers.c
        band = case(
            (c.paused.is_(True), "waiting_applicant"), (c.due_at < now, "overdue"),
            (c.due_soon_at <= now, "due_soon"), else_="in_time",
        ).label("band")
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.agency, c.unit, band, func.count()).where(c.stopped_at.is_(None), c.due_at.is_not(None))
                .group_by(c.agency, c.unit, band).order_by(c.agency, c.unit, band)
            ).all()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    def recompute_runs(self, run_id: str) -> list[dict[str, Any]]:
        c = t.recompute_log.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.recompute_log).where(c.run_id == run_id).order_by(c.code)).all()
        return [dict(r._mapping) for r in rows]

    def appointment_mismatches(self, *, agency: str | None = None, unit: str | None = None) -> list[Dossier]:
        c = t.dossiers.c
        conds: list[ColumnElement[bool]] = [c.appointment_mismatch.is_(True)]
        conds += [col == value for col, value in ((c.agency, agency), (c.unit, unit)) if value]
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.dossiers).where(and_(*conds)).order_by(c.accepted_at, c.code)).all()
        return [dossier_from_row(r) for r in rows]

    def procedure_on(self, code: str, day: date) -> ProcedureUpdated | None:
        c = t.procedure_versions.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.procedure_versions).where(
                c.code == code, c.effective_from <= day, or_(c.effective_to.is_(None), c.effective_to > day),
            )).all()
        return in_force([procedure_from_row(r) for r in rows], day)

    def corrections(self, code: str) -> list[dict[str, Any]]:
        c = t.classification_corrections.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.classification_corrections).where(c.code == code).order_by(c.id)).all()
        return [dict(r._mapping) for r in rows]

