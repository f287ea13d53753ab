"""The fact path's storage. For a consumer batch, the idempotency records, dossiers and buffer flags of all its
facts are read in three statements before they are recorded, and the dossiers, idempotency records, history and
outbox rows they write are flushed together before the batch commits. For one fact (over HTTP, or a message
handled alone), its four writes go out in one statement when its transaction ends.

``BatchTx`` answers ``SqlTx``'s calls from that read and from the writes made so far, so ``record_fact`` runs
unchanged; anything not read beforehand flushes what is buffered and goes to the database. Buffered
(out-of-order) facts are written and read at once, as ``SqlTx`` does.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, String, Table, any_, bindparam, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY

from dunghan.contract.envelope import CloudEvent
from dunghan.db import batch_member, outbox_add_many, outbox_row, outbox_table, upsert_statement
from dunghan.db.messaging import OUTBOX_CHANNEL
from intake import tables as t
from intake.cache import TtlCache
from intake.records import Dossier, FactState, HistoryEntry, Received
from intake.repository import (
    APPEND_HISTORY,
    BATCH_TX,
    PUT_RECEIVED,
    SAVE_DOSSIER,
    SqlRepository,
    SqlTx,
    record_of,
    values_of,
)

_D, _R, _P = t.dossiers, t.received_facts, t.pending_facts
_RECEIVED_OF = select(_R).where(_R.c.agency == any_(bindparam("agencies", type_=ARRAY(String))),
                                _R.c.event_id == any_(bindparam("event_ids", type_=ARRAY(String))))
_DOSSIERS_OF = select(_D).where(_D.c.code == any_(bindparam("codes", type_=ARRAY(String))))
_BUFFERED_OF = select(_P.c.code).distinct().where(_P.c.code == any_(bindparam("codes", type_=ARRAY(String))))
_MISSING: Any = object()


def _bound(table: Table, prefix: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.name: bindparam(f"{prefix}{c.name}", type_=c.type) for c in table.c if c.name not in skip}


def _record_one() -> Any:
    """One fact's four writes (dossier, idempotency record, history step, outbox row) and the relay's wake-up
    in one statement: the common case of a transaction, one round trip instead of five."""
    h = t.dossier_history
    # Constants as literals: psycopg caches the parsing of a statement with at most 50 parameters.
    zero: Any = literal_column("0")
    last = func.coalesce(func.max(h.c.seq), zero)
    next_seq = select(last + literal_column("1")).where(h.c.code == bindparam("h_code"))
    history = insert(h).values({**_bound(h, "h_", ("seq",)), "seq": next_seq.scalar_subquery()})
    out = insert(outbox_table).values(_bound(outbox_table, "o_", ("id", "created_at", "published_at",
                                                                   "attempts", "last_error")))
    return select(func.pg_notify(literal_column(f"'{OUTBOX_CHANNEL}'"), literal_column("''"))).add_cte(
        upsert_statement(_D, values=_bound(_D, "d_")).cte("d"),
        upsert_statement(_R, values=_bound(_R, "r_")).cte("r"), history.cte("h"), out.cte("o"))


RECORD_ONE = _record_one()


class BatchTx(SqlTx):
    def __init__(self, conn: Connection, cache: TtlCache | None) -> None:
        super().__init__(conn, cache)
        self._asked: set[tuple[str, str]] = set()
        self._received: dict[tuple[str, str], Received] = {}
        self._dossiers: dict[str, Dossier | None] = {}
        self._buffered: set[str] = set()
        self._saves: dict[str, dict[str, Any]] = {}
        self._receipts: dict[tuple[str, str], dict[str, Any]] = {}
        self._history: list[dict[str, Any]] = []
        self._outbox: list[CloudEvent] = []
        self._locked: set[str] = set()

    def lock_dossiers(self, codes: list[str]) -> None:
        new = sorted(set(codes) - self._locked)
        if new:
            super().lock_dossiers(new)
            self._locked |= set(new)

    def prefetch(self, keys: Sequence[tuple[str, str, str]]) -> None:
        """Lock the facts' dossiers (in code order), then read what recording the facts ``(agency, event_id,
        code)`` starts from."""
        self.lock_dossiers([c for _, _, c in keys])
        pairs = {(a, e) for a, e, _ in keys}
        codes = sorted({c for _, _, c in keys} - self._dossiers.keys())
        self._asked |= pairs
        agencies, event_ids = sorted({a for a, _ in pairs}), sorted({e for _, e in pairs})
        for r in self.conn.execute(_RECEIVED_OF, {"agencies": agencies, "event_ids": event_ids}):
            if (r.agency, r.event_id) in pairs:
                self._received[(r.agency, r.event_id)] = record_of(Received, r)
        self._dossiers |= dict.fromkeys(codes)
        if codes:
            rows = self.conn.execute(_DOSSIERS_OF, {"codes": codes})
            self._dossiers |= {r.code: record_of(Dossier, r) for r in rows}
            self._buffered |= set(self.conn.execute(_BUFFERED_OF, {"codes": codes}).scalars())

    def fact_state(self, agency: str, event_id: str, code: str) -> FactState:
        if (agency, event_id) not in self._asked or code not in self._dossiers:
            self.flush()
            state = super().fact_state(agency, event_id, code)
            self._asked.add((agency, event_id))
            if state.received is not None:
                self._received[(agency, event_id)] = state.received
            self._dossiers[code] = state.dossier
            if state.buffered:
                self._buffered.add(code)
            return state
        return FactState(self._received.get((agency, event_id)), self._dossiers[code], code in self._buffered)

    def get_dossier(self, code: str) -> Dossier | None:
        d = self._dossiers.get(code, _MISSING)
        if d is _MISSING:
            self.flush()
            d = self._dossiers[code] = super().get_dossier(code)
        return d  # type: ignore[no-any-return]

    def save_dossier(self, dossier: Dossier) -> None:
        self._dossiers[dossier.code] = dossier
        self._saves[dossier.code] = values_of(dossier)

    def append_history(self, entry: HistoryEntry) -> None:
        values = values_of(entry)
        values.pop("seq")
        self._history.append({**values, "of_code": entry.code})

    def history(self, code: str) -> list[HistoryEntry]:
        self.flush()
        return super().history(code)

    def get_received(self, agency: str, event_id: str) -> Received | None:
        if (agency, event_id) in self._asked:
            return self._received.get((agency, event_id))
        return super().get_received(agency, event_id)

    def put_received(self, received: Received) -> None:
        key = (received.agency, received.event_id)
        self._asked.add(key)
        self._received[key] = received
        self._receipts[key] = values_of(received)

    def add_pending(self, pending: Any) -> None:
        super().add_pending(pending)
        self._buffered.add(pending.code)

    def outbox(self, ce: CloudEvent) -> None:
        self._outbox.append(ce)

    def flush(self) -> None:
        """Dossiers first (history rows follow them), then idempotency records, history and outbox, in order.
        History goes row by row in one pipelined ``executemany``: each row's ``seq`` follows the one before.
        One fact's writes go in one statement (``RECORD_ONE``)."""
        if len(self._saves) == len(self._receipts) == len(self._history) == len(self._outbox) == 1:
            params = {**_prefixed("d_", *self._saves.values()), **_prefixed("r_", *self._receipts.values()),
                      **_prefixed("h_", *self._history), **_prefixed("o_", outbox_row(self._outbox[0]))}
            params.pop("h_of_code")
            self.conn.execute(RECORD_ONE, params)
            self._saves.clear()
            self._receipts.clear()
            self._history, self._outbox = [], []
            return
        if self._saves:
            self.conn.execute(SAVE_DOSSIER, list(self._saves.values()))
            self._saves.clear()
        if self._receipts:
            self.conn.execute(PUT_RECEIVED, list(self._receipts.values()))
            self._receipts.clear()
        if self._history:
            self.conn.execute(APPEND_HISTORY, self._history)
            self._history = []
        if self._outbox:
            outbox_add_many(self.conn, self._outbox)
            self._outbox = []


def _prefixed(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}{k}": v for k, v in values.items()}


def open_batch_tx(repo: SqlRepository) -> BatchTx | None:
    """The open consumer batch's ``BatchTx`` (``repo.transaction(cached=True)`` then yields it); None outside
    a batch."""
    return batch_member(repo.engine, BATCH_TX, lambda conn: BatchTx(conn, repo.cache))
