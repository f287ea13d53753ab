"""The event path's storage for a consumer batch: what the batch's dossiers need is read in a few statements
before its messages are handled, and what they write is flushed as multi-row statements before it commits.

``BatchTx`` answers ``SqlTx``'s calls from that read and from the writes made so far in the batch, so the
use cases run unchanged. The locking is ``SqlTx``'s: every dossier the batch touches is locked (``FOR UPDATE``,
in code order) or, when new, inserted at once, before any message is handled. A call for anything not read
beforehand flushes what is buffered and goes to the database, as ``SqlTx`` does.
"""
from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, String, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from deadline import tables as t
from deadline.domain import Dossier, Threshold
from deadline.repository import (
    ADD_EVENT,
    BATCH_TX,
    SAVE,
    SqlRepository,
    SqlTx,
    clock_event,
    clock_event_row,
    dossier_from_row,
    dossier_row,
)
from dunghan.contract import CloudEvent, Event, envelope_for
from dunghan.db import BatchInbox, batch_member, outbox_add_many
from dunghan.deadline import ClockEvent

_CODES = bindparam("codes", type_=ARRAY(String))
_DOSSIERS_LOCKED = (select(t.dossiers).where(t.dossiers.c.code == any_(_CODES))
                    .order_by(t.dossiers.c.code).with_for_update())
# Only the key and what may not be null: the batch's flush writes every column of these rows.
_PLACEHOLDERS = text(
    "INSERT INTO dossiers (code, agency, updated_at) SELECT code, agency, :now "
    "FROM unnest(:codes, :agencies) AS u(code, agency) ON CONFLICT DO NOTHING RETURNING code"
).bindparams(_CODES, bindparam("agencies", type_=ARRAY(String)), bindparam("now", type_=DateTime(timezone=True)))
_EVENTS_OF = (select(t.dossier_events).where(t.dossier_events.c.code == any_(_CODES))
              .order_by(t.dossier_events.c.code, t.dossier_events.c.at, t.dossier_events.c.id))
_FIRED_OF = select(t.thresholds.c.code, t.thresholds.c.threshold).where(t.thresholds.c.code == any_(_CODES))

_MISSING: Any = object()


class BatchTx(BatchInbox, SqlTx):
    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._dossiers: dict[str, Dossier | None] = {}
        self._events: dict[str, list[ClockEvent]] = {}
        self._fired: dict[str, set[str]] = {}
        self._saves: dict[str, dict[str, Any]] = {}
        self._event_rows: list[dict[str, Any]] = []
        self._outbox: list[CloudEvent] = []
        self._placeholders: set[str] = set()
        self._tz = conn.connection.driver_connection.info.timezone  # type: ignore[union-attr]

    def prefetch(self, keys: Sequence[tuple[str, str]], dossiers: dict[str, str], now: datetime) -> None:
        """Record the batch's ``(source, event_id)`` keys in the inbox, and lock and read its dossiers
        (``code → agency``); a dossier not there yet is inserted empty, as the first event's ``_create`` does."""
        self.prefetch_inbox(keys)
        codes = sorted(dossiers)
        found = self._locked(codes)
        missing = [c for c in codes if c not in found]
        created: set[str] = set()
        if missing:
            params = {"codes": missing, "agencies": [dossiers[c] for c in missing], "now": now}
            created = set(self.conn.execute(_PLACEHOLDERS, params).scalars())
            raced = [c for c in missing if c not in created]  # created meanwhile by another transaction
            if raced:
                found |= self._locked(raced)
        self._placeholders |= created
        for code in created:
            self._dossiers[code], self._events[code], self._fired[code] = None, [], set()
        self._dossiers |= found
        existing = sorted(found)
        for code in existing:
            self._events[code], self._fired[code] = [], set()
        if existing:
            for r in self.conn.execute(_EVENTS_OF, {"codes": existing}):
                self._events[r.code].append(clock_event(r))
            for r in self.conn.execute(_FIRED_OF, {"codes": existing}):
                self._fired[r.code].add(r.threshold)

    def _locked(self, codes: list[str]) -> dict[str, Dossier]:
        return {r.code: dossier_from_row(r) for r in self.conn.execute(_DOSSIERS_LOCKED, {"codes": codes})}

    def dossier(self, code: str, *, lock: bool = True) -> Dossier | None:
        d = self._dossiers.get(code, _MISSING)
        if d is _MISSING:
            self.flush()
            d = self._dossiers[code] = super().dossier(code, lock=lock)
        return d  # type: ignore[no-any-return]

    def save(self, d: Dossier, now: datetime) -> None:
        if d.code in self._placeholders or self._dossiers.get(d.code) is not None:
            self._saves[d.code] = dossier_row(d, now)
        else:
            self.flush()
            super().save(d, now)  # not read beforehand, or read as absent: inserted at once (which locks it)
        self._dossiers[d.code] = d

    def add_event(self, code: str, ce: ClockEvent, now: datetime) -> None:
        self._event_rows.append(clock_event_row(code, ce, now))
        events = self._events.get(code)
        if events is not None:
            # As the database gives it back: in the session's time zone.
            ce = dataclasses.replace(ce, at=ce.at.astimezone(self._tz))
            events.insert(bisect.bisect_right([e.at for e in events], ce.at), ce)

    def events(self, code: str) -> list[ClockEvent]:
        if code not in self._events:
            self.flush()
            self._events[code] = super().events(code)
        return list(self._events[code])

    def fired(self, code: str) -> set[str]:
        if code not in self._fired:
            self._fired[code] = super().fired(code)
        return set(self._fired[code])

    def fire(self, code: str, th: Threshold, *, emitted: bool, now: datetime) -> bool:
        done = super().fire(code, th, emitted=emitted, now=now)
        if code in self._fired:
            self._fired[code].add(th.key)
        return done

    def publish(self, e: Event, now: datetime) -> None:
        self._outbox.append(envelope_for(e, now=now))

    def flush(self) -> None:
        """Write what the batch buffered: dossiers, then their events, then the outbox, in the order made."""
        if self._saves:
            self.conn.execute(SAVE, list(self._saves.values()))
            self._saves.clear()
        if self._event_rows:
            self.conn.execute(ADD_EVENT, self._event_rows)
            self._event_rows = []
        if self._outbox:
            outbox_add_many(self.conn, self._outbox)
            self._outbox = []


def open_batch_tx(repo: SqlRepository) -> BatchTx | None:
    """The open consumer batch's ``BatchTx`` (``repo.transaction()`` then yields it); None outside a batch."""
    return batch_member(repo.engine, BATCH_TX, BatchTx)
