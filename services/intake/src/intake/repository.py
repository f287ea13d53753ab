"""SQL adapter of the storage port (PostgreSQL via SQLAlchemy Core); the outbox row commits with the change."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, String, Table, and_, bindparam, delete, exists, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from dunghan.contract.envelope import CloudEvent
from dunghan.contract.events import StepBudget
from dunghan.db import begin, lock_keys, made_member, outbox_add, upsert_statement
from intake import tables as t
from intake.cache import TtlCache
from intake.domain import CLOCK_RUNS
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

metadata = t.metadata


_D, _H, _R, _P = t.dossiers, t.dossier_history, t.received_facts, t.pending_facts
GET_DOSSIER = select(_D).where(_D.c.code == bindparam("code"))
_KEY = select(bindparam("code", type_=String()).label("code"), bindparam("agency", type_=String()).label("agency"),
              bindparam("event_id", type_=String()).label("event_id")).subquery("k")
FACT_STATE = (
    select(*[c.label(f"r_{c.name}") for c in _R.c], _D, exists().where(_P.c.code == _KEY.c.code).label("buffered"))
    .select_from(_KEY.outerjoin(_R, and_(_R.c.agency == _KEY.c.agency, _R.c.event_id == _KEY.c.event_id))
                 .outerjoin(_D, _D.c.code == _KEY.c.code)))
SAVE_DOSSIER = upsert_statement(_D)
NEXT_SEQ = select(func.coalesce(func.max(_H.c.seq), 0) + 1).where(_H.c.code == bindparam("of_code"))
APPEND_HISTORY = insert(_H).values(seq=NEXT_SEQ.scalar_subquery())
GET_RECEIVED = select(_R).where(_R.c.agency == bindparam("agency"), _R.c.event_id == bindparam("event_id"))
PUT_RECEIVED = upsert_statement(_R)
PENDING_FOR = select(_P).where(_P.c.code == bindparam("code")).order_by(_P.c.occurred_at, _P.c.received_at)
GET_UNIT = select(t.units).where(t.units.c.code == bindparam("code"))
GET_OFFICER = select(t.officers).where(t.officers.c.code == bindparam("code"))
PROCEDURE_VERSIONS = (select(t.procedures).where(t.procedures.c.code == bindparam("code"))
                      .order_by(t.procedures.c.version))


BATCH_TX = "intake.batch_tx"


class SqlRepository:
    """``transaction(cached=True)`` (the fact path) reads units, officers and procedure versions through an
    in-process cache kept ``cache_seconds``; other transactions read the database, and one that writes the registry
    clears the cache when it ends."""

    def __init__(self, engine: Engine, *, cache_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.cache = TtlCache(cache_seconds, clock)

    @contextmanager
    def transaction(self, *, cached: bool = False) -> Iterator[SqlTx]:
        if cached:
            yield from self._fact_transaction()
            return
        tx: SqlTx | None = None
        try:
            with begin(self.engine) as conn:
                tx = SqlTx(conn)
                yield tx
        finally:
            if tx is not None and tx.registry_written:
                self.cache.clear()


    def _fact_transaction(self) -> Iterator[SqlTx]:
        """The fact path's ``BatchTx`` (intake.batch_tx): the open consumer batch's, or one of its own whose
        writes go out together, in one statement for one fact, when it ends."""
        from intake.batch_tx import BatchTx

        member = made_member(self.engine, BATCH_TX)
        if member is not None:
            yield member
            return
        with begin(self.engine) as conn:
            tx = BatchTx(conn, self.cache)
            yield tx
            tx.flush()


def values_of(record: Any) -> dict[str, Any]:
    """A record's fields, shallow (``asdict`` deep-copies every nested dict)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def record_of(cls: Any, row: Any) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row._mapping.items() if k in names})


class SqlTx:
    def __init__(self, conn: Connection, cache: TtlCache | None = None) -> None:
        self.conn = conn
        self.cache = cache or TtlCache(0)
        self.registry_written = False

    def _cached(self, key: tuple[str, str], load: Any) -> Any:
        """Registry reads go through the cache, except after this transaction changed the registry."""
        return load() if self.registry_written else self.cache.get_or_load(key, load)

    def _upsert(self, table: Table, values: dict[str, Any]) -> None:
        keys = [c.name for c in table.primary_key.columns]
        stmt = pg_insert(table).values(**values)
        self.conn.execute(stmt.on_conflict_do_update(
            index_elements=keys, set_={k: v for k, v in values.items() if k not in keys}))

    def _one(self, cls: Any, stmt: Any, params: dict[str, Any] | None = None) -> Any:
        row = self.conn.execute(stmt, params).first()
        return None if row is None else record_of(cls, row)

    def lock_dossiers(self, codes: list[str]) -> None:
        lock_keys(self.conn, (f"intake.dossier:{c}" for c in codes))

    def get_dossier(self, code: str) -> Dossier | None:
        return self._one(Dossier, GET_DOSSIER, {"code": code})  # type: ignore[no-any-return]

    def fact_state(self, agency: str, event_id: str, code: str) -> FactState:
        row = self.conn.execute(FACT_STATE, {"code": code, "agency": agency, "event_id": event_id}).one()
        received = None if row.r_agency is None else Received(
            row.r_agency, row.r_event_id, row.r_digest, row.r_state, row.r_reply, row.r_received_at)
        return FactState(received, None if row.code is None else record_of(Dossier, row), bool(row.buffered))

    def save_dossier(self, dossier: Dossier) -> None:
        self.conn.execute(SAVE_DOSSIER, values_of(dossier))

    def append_history(self, entry: HistoryEntry) -> None:
        values = values_of(entry)
        values.pop("seq")
        self.conn.execute(APPEND_HISTORY, {**values, "of_code": entry.code})

    def history(self, code: str) -> list[HistoryEntry]:
        rows = self.conn.execute(select(t.dossier_history).where(t.dossier_history.c.code == code)
                                 .order_by(t.dossier_history.c.seq))
        return [record_of(HistoryEntry, r) for r in rows]

    def list_dossiers(self, flt: DossierFilter) -> tuple[list[Dossier], int]:
        c = t.dossiers.c
        conds: list[Any] = []
        for want, col in ((flt.agency, c.agency), (flt.unit, c.unit), (flt.officer, c.officer),
                          (flt.status, c.status), (flt.procedure, c.procedure_code)):
            if want is not None:
                conds.append(col == want)
        for lo, hi, col in ((flt.received_from, flt.received_to, c.accepted_at),
                            (flt.resolved_from, flt.resolved_to, c.resolved_at)):
            if lo is not None:
                conds.append(col >= lo)
            if hi is not None:
                conds.append(col < hi)
        if flt.resolved_from is not None or flt.resolved_to is not None:
            conds.append(c.accepted_at.isnot(None))  # a refusal at intake is not a resolved dossier
        if flt.open is not None:
            is_open = and_(c.accepted_at.isnot(None), c.resolved_at.is_(None))
            conds.append(is_open if flt.open else ~is_open)
        if flt.overdue_at is not None:
            conds += [c.status.in_(sorted(int(s) for s in CLOCK_RUNS)), c.appointment_at < flt.overdue_at]
        total = self.conn.execute(select(func.count()).select_from(t.dossiers).where(*conds)).scalar_one()
        rows = self.conn.execute(select(t.dossiers).where(*conds).order_by(c.code)
                                 .limit(flt.per_page).offset((flt.page - 1) * flt.per_page))
        return [record_of(Dossier, r) for r in rows], int(total)

    def get_received(self, agency: str, event_id: str) -> Received | None:
        return self._one(Received, GET_RECEIVED,  # type: ignore[no-any-return]
                         {"agency": agency, "event_id": event_id})

    def put_received(self, received: Received) -> None:
        self.conn.execute(PUT_RECEIVED, values_of(received))

    def add_pending(self, pending: PendingFact) -> None:
        self.conn.execute(insert(t.pending_facts).values(**asdict(pending)))

    def pending_for(self, code: str) -> list[PendingFact]:
        return [record_of(PendingFact, r) for r in self.conn.execute(PENDING_FOR, {"code": code})]

    def delete_pending(self, agency: str, event_id: str) -> None:
        p = t.pending_facts.c
        self.conn.execute(delete(t.pending_facts).where(p.agency == agency, p.event_id == event_id))

    def pending_received_before(self, before: datetime) -> list[PendingFact]:
        p = t.pending_facts.c
        rows = self.conn.execute(select(t.pending_facts).where(p.received_at < before)
                                 .order_by(p.received_at).with_for_update(skip_locked=True))
        return [record_of(PendingFact, r) for r in rows]

    def procedure_versions(self, code: str) -> list[ProcedureVersion]:
        def load() -> tuple[ProcedureVersion, ...]:
            return tuple(_procedure(r) for r in self.conn.execute(PROCEDURE_VERSIONS, {"code": code}))

        return list(self._cached(("procedures", code), load))

    def save_procedure_version(self, version: ProcedureVersion) -> None:
        self.registry_written = True
        values = asdict(version)
        values["channels"] = list(version.channels)
        values["steps"] = [asdict(s) for s in version.steps]
        self._upsert(t.procedures, values)

    def list_procedure_codes(self, agency: str | None) -> list[str]:
        stmt = select(t.procedures.c.code).distinct().order_by(t.procedures.c.code)
        if agency is not None:
            stmt = stmt.where(t.procedures.c.agency == agency)
        return list(self.conn.execute(stmt).scalars())

    def add_problem(self, report: ProblemReport) -> ProblemReport:
        values = asdict(report)
        values.pop("id")
        new_id = self.conn.execute(insert(t.problem_reports).values(**values)
                                   .returning(t.problem_reports.c.id)).scalar_one()
        return ProblemReport(**{**asdict(report), "id": new_id})

    def list_problems(self, procedure_code: str | None) -> list[ProblemReport]:
        stmt = select(t.problem_reports).order_by(t.problem_reports.c.id)
        if procedure_code is not None:
            stmt = stmt.where(t.problem_reports.c.procedure_code == procedure_code)
        return [record_of(ProblemReport, r) for r in self.conn.execute(stmt)]

    def save_agency(self, agency: Agency) -> None:
        self.registry_written = True
        self._upsert(t.agencies, asdict(agency))

    def get_agency(self, code: str) -> Agency | None:
        return self._one(Agency, select(t.agencies).where(t.agencies.c.code == code))  # type: ignore[no-any-return]

    def list_agencies(self) -> list[Agency]:
        return [record_of(Agency, r) for r in self.conn.execute(select(t.agencies).order_by(t.agencies.c.code))]

    def save_unit(self, unit: Unit) -> None:
        self.registry_written = True
        self._upsert(t.units, asdict(unit))

    def get_unit(self, code: str) -> Unit | None:
        return self._cached(("unit", code),  # type: ignore[no-any-return]
                            lambda: self._one(Unit, GET_UNIT, {"code": code}))

    def list_units(self, agency: str | None) -> list[Unit]:
        stmt = select(t.units).order_by(t.units.c.code)
        if agency is not None:
            stmt = stmt.where(t.units.c.agency == agency)
        return [record_of(Unit, r) for r in self.conn.execute(stmt)]

    def save_officer(self, officer: Officer) -> None:
        self.registry_written = True
        self._upsert(t.officers, asdict(officer))

    def get_officer(self, code: str) -> Officer | None:
        return self._cached(("officer", code),  # type: ignore[no-any-return]
                            lambda: self._one(Officer, GET_OFFICER, {"code": code}))

    def list_officers(self, agency: str | None, unit: str | None) -> list[Officer]:
        stmt = select(t.officers).order_by(t.officers.c.code)
        if agency is not None:
            stmt = stmt.where(t.officers.c.agency == agency)
        if unit is not None:
            stmt = stmt.where(t.officers.c.unit == unit)
        return [record_of(Officer, r) for r in self.conn.execute(stmt)]

    def save_source(self, source: SourceSystem) -> None:
        self.registry_written = True
        self._upsert(t.source_systems, asdict(source))

    def source_by_amqp_user(self, user: str) -> SourceSystem | None:
        return self._one(SourceSystem, select(t.source_systems)  # type: ignore[no-any-return]
                         .where(t.source_systems.c.amqp_user == user))

    def source_by_key(self, key_sha256: str) -> SourceSystem | None:
        return self._one(SourceSystem, select(t.source_systems)  # type: ignore[no-any-return]
                         .where(t.source_systems.c.api_key_sha256 == key_sha256))

    def outbox(self, ce: CloudEvent) -> None:
        outbox_add(self.conn, ce)


def _procedure(row: Any) -> ProcedureVersion:
    m = dict(row._mapping)
    m["channels"] = tuple(m["channels"])
    m["steps"] = tuple(StepBudget(s["name"], float(s["hours"])) for s in m["steps"])
    return ProcedureVersion(**m)
