"""The deadline service's SQL adapter: the statements of a unit of work (``SqlTx``) and the read models."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, bindparam, case, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from deadline import tables as t
from deadline.domain import Dossier, Threshold
from deadline.figures import OpenClock
from deadline.preview import in_force
from deadline.read_ahead import Ahead, read_ahead
from deadline.rows import (
    clock_event,
    clock_event_row,
    dossier_from_row,
    dossier_row,
    procedure_from_row,
    procedure_row,
)
from dunghan.calendar import Notice
from dunghan.contract import CloudEvent, Event, envelope_for
from dunghan.contract.events import ProcedureUpdated
from dunghan.db.messaging import inbox_accept, outbox_add, outbox_add_many
from dunghan.db.statements import upsert_statement
from dunghan.db.unit_of_work import SqlUnitOfWork
from dunghan.deadline import ClockEvent

__all__ = ["SAVE", "DeadlineUow", "SqlRepository", "SqlTx", "dossier_row"]

# The statements of the per-event path, built once (building one costs more than running it from the cache).
SAVE = upsert_statement(t.dossiers)
SAVE_PROCEDURE = upsert_statement(t.procedure_versions)
ADD_EVENT = insert(t.dossier_events).inline()  # no RETURNING of the new id
_CREATE = pg_insert(t.dossiers).on_conflict_do_nothing()
_DOSSIER = select(t.dossiers).where(t.dossiers.c.code == bindparam("code"))
_DOSSIER_LOCKED = _DOSSIER.with_for_update()
_EVENTS = (select(t.dossier_events).where(t.dossier_events.c.code == bindparam("code"))
           .order_by(t.dossier_events.c.at, t.dossier_events.c.id))
_FIRED = select(t.thresholds.c.threshold).where(t.thresholds.c.code == bindparam("code"))


class SqlTx:
    """The statements of one transaction. Inside ``reading_ahead`` (a consumer batch) a read is answered from the
    read-ahead until this transaction writes what it answers, else by the database; the dossier, clock event and
    outbox writes wait, in order, and go out together (``flush``) before any other statement and at the end."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._ahead: Ahead | None = None
        self._saves: list[dict[str, Any]] = []
        self._event_rows: list[dict[str, Any]] = []
        self._outbox: list[CloudEvent] = []

    @contextmanager
    def reading_ahead(self, keys: Sequence[tuple[str, str]], dossiers: dict[str, str],
                      now: datetime) -> Iterator[None]:
        """``read_ahead`` of the batch's inbox keys and dossiers (``code → agency``); its writes flushed after."""
        self.flush()
        self._ahead = read_ahead(self.conn, keys, dossiers, now)
        try:
            yield
            self.flush()
        finally:
            self._ahead = None
            self._saves, self._event_rows, self._outbox = [], [], []

    def flush(self) -> None:
        """The waiting writes: the dossiers and their clock events in one round trip (a pipeline: neither
        statement returns rows), then the outbox."""
        if self._saves or self._event_rows:
            with self.conn.connection.driver_connection.pipeline():  # type: ignore[union-attr]
                if self._saves:
                    self.conn.execute(SAVE, self._saves)
                if self._event_rows:
                    self.conn.execute(ADD_EVENT, self._event_rows)
            self._saves, self._event_rows = [], []
        if self._outbox:
            outbox_add_many(self.conn, self._outbox)
            self._outbox = []

    def inbox_accept(self, source: str, event_id: str) -> bool:
        if self._ahead is not None and (source, event_id) in self._ahead.inbox:
            return self._ahead.inbox.pop((source, event_id))
        self.flush()
        return inbox_accept(self.conn, source, event_id)

    def dossier(self, code: str, *, lock: bool = True) -> Dossier | None:
        if self._ahead is not None and code in self._ahead.dossiers:
            return self._ahead.dossiers[code]
        self.flush()
        row = self.conn.execute(_DOSSIER_LOCKED if lock else _DOSSIER, {"code": code}).first()
        return dossier_from_row(row) if row else None

    def create(self, code: str, agency: str, now: datetime) -> None:
        """The dossier's row, bare, unless it is there: it locks a new dossier as ``dossier()`` locks one that
        exists. Inside ``reading_ahead`` the read-ahead ran this statement already for its new dossiers."""
        if self._ahead is not None and code in self._ahead.created:
            return
        self.flush()
        self.conn.execute(_CREATE, {"code": code, "agency": agency, "updated_at": now})

    def save(self, d: Dossier, now: datetime) -> None:
        if self._ahead is None:
            self.conn.execute(SAVE, dossier_row(d, now))
            return
        self._ahead.dossiers.pop(d.code, None)
        self._saves.append(dossier_row(d, now))

    def add_event(self, code: str, ce: ClockEvent, now: datetime) -> None:
        if self._ahead is None:
            self.conn.execute(ADD_EVENT, clock_event_row(code, ce, now))
            return
        self._ahead.events.pop(code, None)
        self._event_rows.append(clock_event_row(code, ce, now))

    def events(self, code: str) -> list[ClockEvent]:
        if self._ahead is not None and code in self._ahead.events:
            return list(self._ahead.events[code])
        self.flush()
        return [clock_event(r) for r in self.conn.execute(_EVENTS, {"code": code})]

    def publish(self, e: Event, now: datetime) -> None:
        if self._ahead is None:
            outbox_add(self.conn, envelope_for(e, now=now))
        else:
            self._outbox.append(envelope_for(e, now=now))

    def fired(self, code: str) -> set[str]:
        if self._ahead is not None and code in self._ahead.fired:
            return set(self._ahead.fired[code])
        self.flush()
        return set(self.conn.execute(_FIRED, {"code": code}).scalars())

    def fire(self, code: str, th: Threshold, *, emitted: bool, now: datetime) -> bool:
        self.flush()
        if self._ahead is not None:
            self._ahead.fired.pop(code, None)
        stmt = pg_insert(t.thresholds).values(
            code=code, threshold=th.key, label=th.label, due_at=th.at, emitted=emitted, fired_at=now,
        ).on_conflict_do_nothing().returning(t.thresholds.c.code)
        return self.conn.execute(stmt).first() is not None

    def claim_due(self, now: datetime, limit: int) -> list[str]:
        self.flush()
        c = t.dossiers.c
        return list(self.conn.execute(
            select(c.code).where(c.next_threshold_at <= now, c.stopped_at.is_(None), c.paused.is_(False))
            .order_by(c.next_threshold_at, c.code).limit(limit).with_for_update(skip_locked=True)
        ).scalars())

    def claim_open(self, after: str, limit: int) -> list[str]:
        self.flush()
        c = t.dossiers.c
        return list(self.conn.execute(
            # procedure_code, not procedure: a dossier without one stores JSON null there, which IS NOT NULL
            select(c.code).where(c.code > after, c.stopped_at.is_(None), c.procedure_code.is_not(None))
            .order_by(c.code).limit(limit).with_for_update()
        ).scalars())

    def record_correction(self, code: str, before: dict[str, Any], after: dict[str, Any], now: datetime) -> None:
        self.flush()
        self.conn.execute(insert(t.classification_corrections).values(
            code=code, before=before, after=after, recorded_at=now))

    def log_recompute(self, run_id: str, before: Dossier, after: Dossier, now: datetime) -> None:
        self.flush()
        self.conn.execute(insert(t.recompute_log).values(
            run_id=run_id, code=before.code, before_due_at=before.due_at, after_due_at=after.due_at,
            before_calendar_version=before.calendar_version, after_calendar_version=after.calendar_version,
            recomputed_at=now,
        ))

    def add_notice(self, n: Notice, now: datetime) -> None:
        self.flush()
        self.conn.execute(insert(t.calendar_notices).values(
            date=n.date, kind=n.kind, name=n.name, reference=n.reference or "",
            effective_from=n.effective_from, created_at=now,
        ))

    def save_procedure(self, p: ProcedureUpdated, now: datetime) -> None:
        self.flush()
        self.conn.execute(SAVE_PROCEDURE, procedure_row(p, now))


class DeadlineUow(SqlUnitOfWork[SqlTx]):
    """``with uow as tx``: a ``SqlTx`` on the unit of work's transaction."""

    def bind(self, conn: Connection) -> SqlTx:
        return SqlTx(conn)


class SqlRepository:
    """The unit of work (``uow``) and the read models, each read on a connection of its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.uow = DeadlineUow(engine)

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

    def open_clocks(self) -> list[OpenClock]:
        """Open dossiers with a due instant: only the columns the operator's figures need."""
        c = t.dossiers.c
        field = func.coalesce(c.procedure["field"].as_string(), "")
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.code, c.agency, c.unit, field, c.due_at, c.due_date, c.paused, c.procedure_code)
                .where(c.stopped_at.is_(None), c.due_at.is_not(None))
            ).all()
        return [OpenClock(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7] or "") for r in rows]

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

