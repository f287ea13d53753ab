"""The fact path's statements (dossiers, history, idempotency records, buffered facts, outbox) on one connection.

The writes of recording facts wait until the next read or the commit and go out together, in one statement
(one fact's ``RECORD_ONE``; any number's ``WRITE_ALL``, before a read, or ``FLUSH_ALL``, with the outbox in the
batch's messages' order, at the commit). A batch reads its facts' state at once (``read_ahead``), under their
locks; ``fact_state`` answers from that read or, for a dossier written since, the write's ``RETURNING`` rows;
anything else written since (an idempotency record, a buffered fact) is asked again.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY

from dunghan.contract.envelope import CloudEvent
from dunghan.db.messaging import OUTBOX_CHANNEL, outbox_row, outbox_table
from dunghan.db.statements import upsert_statement
from intake import tables as t
from intake.domain import CLOCK_RUNS
from intake.records import Dossier, DossierFilter, FactState, HistoryEntry, PendingFact, Received

_D, _H, _R, _P = t.dossiers, t.dossier_history, t.received_facts, t.pending_facts
GET_DOSSIER = select(_D).where(_D.c.code == bindparam("code"))


def _fact_state(keys: Any) -> Any:
    return (select(keys.c.code.label("k_code"), keys.c.agency.label("k_agency"),
                   keys.c.event_id.label("k_event_id"), *[c.label(f"r_{c.name}") for c in _R.c], _D,
                   exists().where(_P.c.code == keys.c.code).label("buffered"))
            .select_from(keys.outerjoin(_R, and_(_R.c.agency == keys.c.agency, _R.c.event_id == keys.c.event_id))
                         .outerjoin(_D, _D.c.code == keys.c.code)))


FACT_STATE = _fact_state(select(bindparam("code", type_=String()).label("code"),
                                bindparam("agency", type_=String()).label("agency"),
                                bindparam("event_id", type_=String()).label("event_id")).subquery("k"))


def _fact_states() -> Any:
    """``FACT_STATE`` of many keys: each row found by its index (a lateral lookup per key; a join of the key
    list would scan the tables, as the planner cannot count the keys)."""
    keys = select(*[func.unnest(bindparam(f"{n}s", type_=ARRAY(String))).label(n)
                    for n in ("code", "agency", "event_id")]).subquery("k")
    r = (select(_R).where(_R.c.agency == keys.c.agency, _R.c.event_id == keys.c.event_id)
         .limit(literal_column("1")).lateral("r"))
    d = select(_D).where(_D.c.code == keys.c.code).limit(literal_column("1")).lateral("d")
    return (select(keys.c.code.label("k_code"), keys.c.agency.label("k_agency"),
                   keys.c.event_id.label("k_event_id"), *[c.label(f"r_{c.name}") for c in r.c], d,
                   exists().where(_P.c.code == keys.c.code).label("buffered"))
            .select_from(keys.outerjoin(r, true()).outerjoin(d, true())))


FACT_STATES = _fact_states()


def _write_all(outbox: bool) -> Any:
    """Dossiers, idempotency records, history (``seq`` after the dossier's last, in the order made) and with
    ``outbox`` the events and the relay's wake-up: one text for any numbers (JSON arrays); dossiers returned."""
    def cols(table: Table) -> str:
        return ", ".join(c.name for c in table.c)

    def upsert(table: Table, param: str) -> str:
        keys = {c.name for c in table.primary_key.columns}
        return (f"INSERT INTO {table.name} ({cols(table)}) SELECT {cols(table)} FROM jsonb_populate_recordset("
                f"NULL::{table.name}, CAST(:{param} AS jsonb)) ON CONFLICT ({', '.join(sorted(keys))}) DO UPDATE "
                "SET " + ", ".join(f"{c.name} = excluded.{c.name}" for c in table.c if c.name not in keys))

    seq = ("coalesce((SELECT max(o.seq) FROM dossier_history o WHERE o.code = x.code), 0) "
           "+ row_number() OVER (PARTITION BY x.code ORDER BY e.n)")
    history = ", ".join(seq if c.name == "seq" else f"x.{c.name}" for c in _H.c)
    rows = "FROM jsonb_array_elements(CAST(:{} AS jsonb)) WITH ORDINALITY AS e(doc, n)"
    sql = (f"WITH d AS ({upsert(_D, 'dossiers')} RETURNING {cols(_D)}), r AS ({upsert(_R, 'receipts')}), "
           f"h AS (INSERT INTO dossier_history ({cols(_H)}) SELECT {history} {rows.format('history')}, "
           "jsonb_populate_record(NULL::dossier_history, e.doc) AS x)")
    if not outbox:
        return text(f"{sql} SELECT {cols(_D)} FROM d")
    return text(
        f"{sql}, o AS (INSERT INTO outbox (event_id, exchange, routing_key, body, headers) SELECT "
        "e.doc->>'event_id', e.doc->>'exchange', e.doc->>'routing_key', convert_to(e.doc->>'body', 'UTF8'), "
        f"e.doc->'headers' {rows.format('outbox')} ORDER BY e.n) "
        f"SELECT d.* FROM (SELECT pg_notify('{OUTBOX_CHANNEL}', '')) AS n LEFT JOIN d ON true")


WRITE_ALL, FLUSH_ALL = _write_all(outbox=False), _write_all(outbox=True)
GET_RECEIVED = select(_R).where(_R.c.agency == bindparam("agency"), _R.c.event_id == bindparam("event_id"))
PENDING_FOR = select(_P).where(_P.c.code == bindparam("code")).order_by(_P.c.occurred_at, _P.c.received_at)
DOSSIER_LOCK = "intake.dossier:"


def _bound(table: Table, prefix: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.name: bindparam(f"{prefix}{c.name}", type_=c.type) for c in table.c if c.name not in skip}


def _record_one() -> Any:
    """One fact's four writes and the relay's wake-up in one statement: one round trip instead of five."""
    # Constants as literals: psycopg caches the parsing of a statement with at most 50 parameters.
    zero: Any = literal_column("0")
    next_seq = select(func.coalesce(func.max(_H.c.seq), zero) + literal_column("1")).where(
        _H.c.code == bindparam("h_code"))
    history = insert(_H).values({**_bound(_H, "h_", ("seq",)), "seq": next_seq.scalar_subquery()})
    out = insert(outbox_table).values(_bound(outbox_table, "o_", ("id", "created_at", "published_at",
                                                                   "attempts", "last_error")))
    return select(func.pg_notify(literal_column(f"'{OUTBOX_CHANNEL}'"), literal_column("''"))).add_cte(
        upsert_statement(_D, values=_bound(_D, "d_")).cte("d"),
        upsert_statement(_R, values=_bound(_R, "r_")).cte("r"), history.cte("h"), out.cte("o"))


RECORD_ONE = _record_one()


def values_of(record: Any) -> dict[str, Any]:
    """A record's fields, shallow (``asdict`` deep-copies every nested dict)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def record_of(cls: Any, row: Any) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row._mapping.items() if k in names})


def _state_of(row: Any) -> FactState:
    received = None if row.r_agency is None else Received(
        row.r_agency, row.r_event_id, row.r_digest, row.r_state, row.r_reply, row.r_received_at)
    return FactState(received, None if row.code is None else record_of(Dossier, row), bool(row.buffered))


class SqlFacts:
    """The ``Facts`` port on ``conn``; ``lock`` and ``after_commit`` are its unit of work's."""

    def __init__(self, conn: Connection, lock: Callable[[Iterable[str]], None],
                 after_commit: Callable[[Callable[[], object]], None]) -> None:
        self.conn = conn
        self._lock = lock
        self.after_commit = after_commit
        self._received: dict[tuple[str, str], Received | None] = {}
        self._dossier: dict[str, Dossier | None] = {}
        self._buffered: dict[str, bool] = {}
        self._dossiers: dict[str, dict[str, Any]] = {}
        self._receipts: list[dict[str, Any]] = []
        self._history: list[dict[str, Any]] = []
        self._outbox: list[tuple[int, CloudEvent]] = []
        self._position = 0

    def lock_dossiers(self, codes: list[str]) -> None:
        self._lock(f"{DOSSIER_LOCK}{c}" for c in codes)

    def message(self, position: int) -> None:
        self._position = position

    def read_ahead(self, keys: Sequence[tuple[str, str, str]]) -> None:
        """The state of the facts ``(agency, event_id, code)``, read at once; the caller holds their locks."""
        unique = sorted(set(keys))
        if not unique:
            return
        self._write()
        params = {"codes": [c for _, _, c in unique], "agencys": [a for a, _, _ in unique],
                  "event_ids": [e for _, e, _ in unique]}
        for row in self.conn.execute(FACT_STATES, params):
            state = _state_of(row)
            self._received[(row.k_agency, row.k_event_id)] = state.received
            self._dossier[row.k_code] = state.dossier
            self._buffered[row.k_code] = state.buffered

    def fact_state(self, agency: str, event_id: str, code: str) -> FactState:
        if code in self._dossiers:
            self._write()
        key = (agency, event_id)
        if key in self._received and code in self._dossier and code in self._buffered:
            return FactState(self._received[key], self._dossier[code], self._buffered[code])
        self._write()
        params = {"code": code, "agency": agency, "event_id": event_id}
        return _state_of(self.conn.execute(FACT_STATE, params).one())

    def get_dossier(self, code: str) -> Dossier | None:
        self._write()
        row = self.conn.execute(GET_DOSSIER, {"code": code}).first()
        return None if row is None else record_of(Dossier, row)  # type: ignore[no-any-return]

    def save_dossier(self, dossier: Dossier) -> None:
        if dossier.code in self._dossiers:
            self._write()  # one row per dossier in a statement (ON CONFLICT updates a row once)
        self._dossier.pop(dossier.code, None)
        self._dossiers[dossier.code] = values_of(dossier)

    def append_history(self, entry: HistoryEntry) -> None:
        values = values_of(entry)
        values.pop("seq")
        self._history.append({**values, "of_code": entry.code})

    def history(self, code: str) -> list[HistoryEntry]:
        self._write()
        rows = self.conn.execute(select(_H).where(_H.c.code == code).order_by(_H.c.seq))
        return [record_of(HistoryEntry, r) for r in rows]

    def list_dossiers(self, flt: DossierFilter) -> tuple[list[Dossier], int]:
        self._write()
        c = _D.c
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
        total = self.conn.execute(select(func.count()).select_from(_D).where(*conds)).scalar_one()
        rows = self.conn.execute(select(_D).where(*conds).order_by(c.code)
                                 .limit(flt.per_page).offset((flt.page - 1) * flt.per_page))
        return [record_of(Dossier, r) for r in rows], int(total)

    def get_received(self, agency: str, event_id: str) -> Received | None:
        self._write()
        row = self.conn.execute(GET_RECEIVED, {"agency": agency, "event_id": event_id}).first()
        return None if row is None else record_of(Received, row)  # type: ignore[no-any-return]

    def put_received(self, received: Received) -> None:
        if any(r["agency"] == received.agency and r["event_id"] == received.event_id for r in self._receipts):
            self._write()  # one row per key in a statement
        self._received.pop((received.agency, received.event_id), None)
        self._receipts.append(values_of(received))

    def add_pending(self, pending: PendingFact) -> None:
        self._write()
        self._buffered.pop(pending.code, None)
        self.conn.execute(insert(_P).values(**asdict(pending)))

    def pending_for(self, code: str) -> list[PendingFact]:
        self._write()
        return [record_of(PendingFact, r) for r in self.conn.execute(PENDING_FOR, {"code": code})]

    def delete_pending(self, agency: str, event_id: str) -> None:
        self._write()
        self._buffered.clear()
        self.conn.execute(delete(_P).where(_P.c.agency == agency, _P.c.event_id == event_id))

    def pending_received_before(self, before: datetime) -> list[PendingFact]:
        self._write()
        rows = self.conn.execute(select(_P).where(_P.c.received_at < before)
                                 .order_by(_P.c.received_at).with_for_update(skip_locked=True))
        return [record_of(PendingFact, r) for r in rows]

    def outbox(self, ce: CloudEvent) -> None:
        self._outbox.append((self._position, ce))

    def _write(self, outbox: list[dict[str, Any]] | None = None) -> None:
        """The writes made so far but the outbox's (which nothing in the transaction reads; it goes with the
        last, ``flush``), in one statement; the dossiers' rows it returns answer what follows."""
        if self._dossiers or self._receipts or self._history or outbox:
            params = {"dossiers": list(self._dossiers.values()), "receipts": self._receipts,
                      "history": self._history, **({"outbox": outbox} if outbox else {})}
            rows = self.conn.execute(FLUSH_ALL if outbox else WRITE_ALL,
                                     {k: json.dumps(v, default=_iso) for k, v in params.items()})
            if outbox is None:
                self._dossier |= {row.code: record_of(Dossier, row) for row in rows}
            self._dossiers, self._receipts, self._history = {}, [], []

    def flush(self) -> None:
        """Every write made so far, just before the commit (the outbox's in the order of the batch's messages,
        ``message``); what was read is forgotten (a transaction that goes on after a commit reads again)."""
        if len(self._dossiers) == len(self._receipts) == len(self._history) == len(self._outbox) == 1:
            params = {**_prefixed("d_", *self._dossiers.values()), **_prefixed("r_", self._receipts[0]),
                      **_prefixed("h_", self._history[0]), **_prefixed("o_", outbox_row(self._outbox[0][1]))}
            params.pop("h_of_code")
            self.conn.execute(RECORD_ONE, params)
            self._dossiers, self._receipts, self._history = {}, [], []
        else:
            self._write([{**row, "body": row["body"].decode()} for row in
                         (outbox_row(ce) for _, ce in sorted(self._outbox, key=lambda made: made[0]))])
        self._outbox, self._received, self._dossier, self._buffered = [], {}, {}, {}


def _iso(value: date) -> str:
    return value.isoformat()


def _prefixed(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}{k}": v for k, v in values.items()}
