"""SQL adapter of intake's storage (PostgreSQL via SQLAlchemy Core): units of work whose ports are the fact path's
statements (``intake.sql_facts``) and the registry's; the outbox row commits with the change."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from dunghan.contract.events import StepBudget
from dunghan.db.unit_of_work import SqlUnitOfWork
from intake import tables as t
from intake.cache import TtlCache
from intake.records import (
    Agency,
    Officer,
    ProblemReport,
    ProcedureVersion,
    SourceSystem,
    Unit,
)
from intake.sql_facts import SqlFacts, record_of

metadata = t.metadata
GET_UNIT = select(t.units).where(t.units.c.code == bindparam("code"))
GET_OFFICER = select(t.officers).where(t.officers.c.code == bindparam("code"))
PROCEDURE_VERSIONS = (select(t.procedures).where(t.procedures.c.code == bindparam("code"))
                      .order_by(t.procedures.c.version))


class SqlRepository:
    """Intake's storage on ``engine``: ``facts`` is the fact path's unit of work, whose stable registry reads
    (units, officers, procedure versions) come through an in-process cache kept ``cache_seconds``;
    ``transaction()`` is the other one, reading the database, and clearing that cache when a registry change
    it carries commits."""

    def __init__(self, engine: Engine, *, cache_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.cache = TtlCache(cache_seconds, clock)
        self.facts = SqlIntakeUnitOfWork(engine, self.cache, cached=True)
        self.uow = SqlIntakeUnitOfWork(engine, self.cache, cached=False)

    def transaction(self) -> SqlIntakeUnitOfWork:
        return self.uow


def catalogue_labels(engine: Engine) -> list[tuple[str, str, Any]]:
    """(agency, procedure field, channels) of every procedure version: the label sets of intake's metrics."""
    p = t.procedures.c
    with engine.connect() as conn:
        return [(r[0], r[1], r[2]) for r in conn.execute(select(p.agency, p.field, p.channels))]


class SqlIntakeUnitOfWork(SqlUnitOfWork["SqlTx"]):
    """``with uow as tx``: ``tx`` carries both ports on the transaction's connection."""

    def __init__(self, engine: Engine, cache: TtlCache, *, cached: bool) -> None:
        super().__init__(engine)
        self.cache = cache
        self.cached = cached

    def bind(self, conn: Connection) -> SqlTx:
        return SqlTx(conn, self.cache if self.cached else None, self.lock, self.after_commit)

    def before_commit(self, ports: SqlTx) -> None:
        ports.flush()
        if ports.registry_written:
            self.after_commit(self.cache.clear)


class SqlRegistry:
    """The ``Registry`` port on ``conn``: procedures, problems, agencies, units, officers, source systems."""

    conn: Connection

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



class SqlTx(SqlFacts, SqlRegistry):
    """Both ports on one connection (``intake.ports.Tx``)."""

    def __init__(self, conn: Connection, cache: TtlCache | None, lock: Callable[[Iterable[str]], None],
                 after_commit: Callable[[Callable[[], object]], None]) -> None:
        SqlFacts.__init__(self, conn, lock, after_commit)
        SqlRegistry.__init__(self, conn, cache)


def _procedure(row: Any) -> ProcedureVersion:
    m = dict(row._mapping)
    m["channels"] = tuple(m["channels"])
    m["steps"] = tuple(StepBudget(s["name"], float(s["hours"])) for s in m["steps"])
    return ProcedureVersion(**m)
