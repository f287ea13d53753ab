"""What a consumer batch's messages will read, read before they write, in a few statements.

Every answer here is the database's. The batch's inbox rows are inserted at once and each says whether it was
new. Its dossiers are locked (``FOR UPDATE``, in code order) and read with their fired thresholds, then their clock
events; a dossier not there yet is created at once (``SqlTx.create`` of them all in one statement), which
locks it, and reads as absent. ``SqlTx`` drops an answer when it writes what it answers (the database answers
after that); ``handlers.handle_events`` asks once per dossier, a dossier's next event starting from what its
previous one computed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, DateTime, String, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from deadline import tables as t
from deadline.domain import Dossier
from deadline.rows import clock_event, dossier_from_row
from dunghan.db.messaging import inbox_accept_many
from dunghan.deadline import ClockEvent

_CODES = bindparam("codes", type_=ARRAY(String))
_FIRED_KEYS = func.array(select(t.thresholds.c.threshold).where(t.thresholds.c.code == t.dossiers.c.code)
                         .scalar_subquery(), type_=ARRAY(String)).label("fired_keys")
_DOSSIERS_LOCKED = (select(t.dossiers, _FIRED_KEYS).where(t.dossiers.c.code == any_(_CODES))
                    .order_by(t.dossiers.c.code).with_for_update(of=t.dossiers))
_BARE = text(
    "INSERT INTO dossiers (code, agency, updated_at) SELECT code, agency, :now "
    "FROM unnest(:codes, :agencies) AS u(code, agency) ON CONFLICT DO NOTHING RETURNING code"
).bindparams(_CODES, bindparam("agencies", type_=ARRAY(String)), bindparam("now", type_=DateTime(timezone=True)))
_EVENTS_OF = (select(t.dossier_events).where(t.dossier_events.c.code == any_(_CODES))
              .order_by(t.dossier_events.c.code, t.dossier_events.c.at, t.dossier_events.c.id))


@dataclass
class Ahead:
    """The answers, by inbox key and by dossier code (``created``: the dossiers the read-ahead created)."""

    inbox: dict[tuple[str, str], bool] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    dossiers: dict[str, Dossier | None] = field(default_factory=dict)
    events: dict[str, list[ClockEvent]] = field(default_factory=dict)
    fired: dict[str, set[str]] = field(default_factory=dict)


def read_ahead(conn: Connection, keys: Sequence[tuple[str, str]], dossiers: dict[str, str],
               now: datetime) -> Ahead:
    """Insert the inbox rows of ``keys``, and lock and read ``dossiers`` (``code → agency``)."""
    unique = list(dict.fromkeys(keys))
    new = inbox_accept_many(conn, unique)
    ahead = Ahead(inbox={k: k in new for k in unique})
    codes = sorted(dossiers)
    found = _locked(conn, ahead, codes)
    missing = [c for c in codes if c not in found]
    if missing:
        params = {"codes": missing, "agencies": [dossiers[c] for c in missing], "now": now}
        ahead.created = set(conn.execute(_BARE, params).scalars())
        raced = [c for c in missing if c not in ahead.created]  # inserted meanwhile by another transaction
        if raced:
            found |= _locked(conn, ahead, raced)
        for code in ahead.created:
            ahead.dossiers[code], ahead.events[code], ahead.fired[code] = None, [], set()
    _read_events(conn, ahead, sorted(found))
    return ahead


def _read_events(conn: Connection, ahead: Ahead, codes: list[str]) -> None:
    for code in codes:
        ahead.events[code] = []
    if codes:
        for r in conn.execute(_EVENTS_OF, {"codes": codes}):
            ahead.events[r.code].append(clock_event(r))


def _locked(conn: Connection, ahead: Ahead, codes: list[str]) -> set[str]:
    """Lock and read the dossiers of ``codes`` that are there, with their fired thresholds; their codes."""
    found = set()
    for r in conn.execute(_DOSSIERS_LOCKED, {"codes": codes}):
        ahead.dossiers[r.code], ahead.fired[r.code] = dossier_from_row(r), set(r.fired_keys)
        found.add(r.code)
    return found
