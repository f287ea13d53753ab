"""Reads a period's dossiers and their clock events from the deadline database (read-only)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, or_, select

from deadline import tables as t
from deadline.rows import snapshot_load
from deadline.whatif.model import DossierFacts, Period
from dunghan.deadline import ClockEvent, Rules

RulesFor = Callable[[str, str], Rules]


def period_facts(engine: Engine, period: Period, tz: ZoneInfo, *, agency: str | None = None,
                 rules_for: RulesFor | None = None) -> list[DossierFacts]:
    """Dossiers accepted by the period's end and not resolved before it started, with every clock event, the
    stored original due instant and outcome; in code order. Two queries, streamed."""
    first = datetime.combine(period.first, time(0), tzinfo=tz)
    after = datetime.combine(period.last + timedelta(days=1), time(0), tzinfo=tz)
    c = t.dossiers.c
    conds = [c.procedure_code.is_not(None), c.accepted_at.is_not(None), c.accepted_at < after,
             or_(c.stopped_at.is_(None), c.stopped_at >= first)]
    if agency:
        conds.append(c.agency == agency)
    where = and_(*conds)
    e = t.dossier_events.c
    events: dict[str, list[ClockEvent]] = {}
    out: list[DossierFacts] = []
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=5000).execute(
            select(e.code, e.kind, e.at, e.unit, e.officer, e.step, e.new_due_date, e.decision, e.event_id)
            .join(t.dossiers, c.code == e.code).where(where).order_by(e.code, e.at, e.id))
        for code, kind, at, unit, officer, step, new_due, decision, event_id in rows:
            events.setdefault(code, []).append(ClockEvent(
                kind=kind, at=at, unit=unit, officer=officer, step=step, new_due_date=new_due, decision=decision,
                event_id=event_id))
        dossiers = conn.execution_options(stream_results=True, yield_per=5000).execute(
            select(c.code, c.agency, c.unit, c.procedure, c.original_due_at, c.classification)
            .where(where).order_by(c.code))
        for r in dossiers:
            snap = snapshot_load(r.procedure)
            rules = rules_for(r.agency, snap.code) if rules_for else Rules()
            outcome = (r.classification or {}).get("outcome")
            out.append(DossierFacts(code=r.code, agency=r.agency, procedure=snap,
                                    events=tuple(events.pop(r.code, ())), rules=rules, unit=r.unit,
                                    stored_original_due_at=r.original_due_at, stored_outcome=outcome))
    return out
