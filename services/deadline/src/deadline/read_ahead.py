"""What a consumer batch's messages will read, read before they write, in a few statements.

Every answer here is the database's. The batch's inbox rows are inserted at once and each says whether it was
new. Its dossiers are locked (``FOR UPDATE``, in code order) and read, then their fired thresholds and clock
events; a dossier not there yet is created at once (``SqlTx.create`` of them all in one statement), which
locks it, and reads as absent. ``SqlTx`` drops an answer when it writes what it answers (the database answers
after that); ``handlers.handle_events`` asks once per dossier, a dossier's next event starting from what its
previous one computed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, DateTime, String, any_, bindparam, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from deadline import tables as t
from deadline.domain import Dossier
from deadline.rows import clock_event, dossier_from_row
from dunghan.db.messaging import inbox_accept_many
from dunghan.deadline import ClockEvent

_CODES = bindparam("codes", type_=ARRAY(String))
_DOSSIERS_LOCKED = (select(t.dossiers).where(t.dossiers.c.code == any_(_CODES))
                    .order_by(t.dossiers.c.code).with_for_update())
_BARE = text(
    "INSERT INTO dossiers (code, agency, updated_at) SELECT code, agency, :now "
    "FROM unnest(:codes, :agencies) AS u(code, agency) ON CONFLICT DO NOTHING RETURNING code"
).bindparams(_CODES, bindparam("agencies", type_=ARRAY(String)), bindparam("now", type_=DateTime(timezone=True)))
# Once the dossiers are locked (a statement of its own: a locking read that waited sees other tables as they were
# when it started): each one's fired thresholds (once per dossier: OFFSET 0 keeps the subquery apart) on every one
# of its clock events' rows.
_FIRED = (select(t.dossiers.c.code, func.array(
    select(t.thresholds.c.threshold).where(t.thresholds.c.code == t.dossiers.c.code).scalar_subquery(),
    type_=ARRAY(String)).label("fired")).where(t.dossiers.c.code == any_(_CODES))
          .offset(literal_column("0")).subquery("d"))
_HISTORY = (select(_FIRED, *(c.label(f"event_{c.name}") for c in t.dossier_events.c))
            .select_from(_FIRED.outerjoin(t.dossier_events, t.dossier_events.c.code == _FIRED.c.code))
            .order_by(_FIRED.c.code, t.dossier_events.c.at, t.dossier_events.c.id))


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
    _read_history(conn, ahead, sorted(found))
    return ahead


def _read_history(conn: Connection, ahead: Ahead, codes: list[str]) -> None:
    if codes:
        for r in conn.execute(_HISTORY, {"codes": codes}):
            if r.code not in ahead.events:
                ahead.events[r.code], ahead.fired[r.code] = [], set(r.fired)
            if r.event_kind is not None:
                ahead.events[r.code].append(clock_event(r, "event_"))


def _locked(conn: Connection, ahead: Ahead, codes: list[str]) -> set[str]:
    """Lock and read the dossiers of ``codes`` that are there; their codes."""
    found = set()
    for r in conn.execute(_DOSSIERS_LOCKED, {"codes": codes}):
        ahead.dossiers[r.code] = dossier_from_row(r)
        found.add(r.code)
    return found
