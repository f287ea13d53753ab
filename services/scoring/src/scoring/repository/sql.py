"""The SQL adapter of the storage port (``scoring.ports``): the statements of a unit of work (``SqlTx``)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from dunghan.contract.envelope import CloudEvent
from dunghan.contract.events import DossierAccepted, DossierClassified, DueDateSet
from dunghan.db.messaging import inbox_accept, inbox_accept_many, outbox_add
from dunghan.db.statements import upsert_statement
from dunghan.db.unit_of_work import SqlUnitOfWork
from scoring.domain import (
    FINAL_KEY,
    Campaign,
    Phase,
    Proposal,
    Standing,
    StepCount,
    Tally,
    campaign_from_dict,
    campaign_to_dict,
)
from scoring.ports import AlreadyExists
from scoring.reports import MonthFigures, Period, Row06a
from scoring.repository import index_queries, queries
from scoring.repository.proposals import ProposalStore
from scoring.repository.tables import (
    campaigns,
    complaints,
    corrections,
    discipline,
    dossier_moves,
    dossiers,
    intake_events,
    names,
    phase_closures,
    phase_results,
    phase_step_results,
    phases,
    step_results,
)

# The per-event statements, built once (building one costs more than running it from the cache).
_ACCEPTED = upsert_statement(dossiers, ["channel", "accepted_at"])
_DUE = upsert_statement(dossiers, ["due_at", "original_due_at", "waiting_supplement"])
_INTAKE_EVENT = pg_insert(intake_events).on_conflict_do_nothing()
_MOVE = pg_insert(dossier_moves).on_conflict_do_nothing()
_NAME = upsert_statement(names, ["name", "unit", "agency"])
_CLASSIFIED_COLUMNS = (
    "agency", "unit", "officer", "procedure_code", "procedure_field", "channel", "accepted_at", "due_at",
    "original_due_at", "waiting_supplement", "stopped_at", "stop_reason", "outcome", "working_days_diff",
    "resolution_hours", "apologies", "repeat_supplements", "classified_at")
_CLASSIFIED = upsert_statement(dossiers, _CLASSIFIED_COLUMNS)
_PREVIOUS_OUTCOME = select(dossiers.c.outcome).where(dossiers.c.code == bindparam("code")).with_for_update()
_DELETE_STEPS = step_results.delete().where(step_results.c.code == bindparam("code"))
_INSERT_STEPS = insert(step_results)
_SET_WAITING = (update(dossiers).where(dossiers.c.code == bindparam("of_code"))
                .values(waiting_supplement=bindparam("waiting")))
_PHASES_COVERING = (
    select(phases.c.campaign_id, phases.c.key, phases.c.state)
    .join(campaigns, campaigns.c.id == phases.c.campaign_id)
    .where(and_(campaigns.c.agency == bindparam("agency"), phases.c.starts_on <= bindparam("day"),
                phases.c.ends_on >= bindparam("day")))
    .order_by(phases.c.campaign_id, phases.c.key))


__all__ = ["AlreadyExists", "ScoringUow", "SqlRepository", "SqlTx"]


class SqlTx(ProposalStore):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # ---- messaging ----
    def inbox_accept(self, source: str, event_id: str) -> bool:
        return inbox_accept(self.conn, source, event_id)

    def inbox_accept_many(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The inbox rows of several events in one statement: the keys that were new."""
        return inbox_accept_many(self.conn, keys)

    def add_outbox(self, ce: CloudEvent) -> None:
        outbox_add(self.conn, ce)

    # ---- facts from events ----
    def record_accepted(self, ev: DossierAccepted) -> None:
        values = {"code": ev.code, "agency": ev.agency, "unit": ev.unit, "officer": ev.officer,
                  "procedure_code": ev.procedure.code, "procedure_field": ev.procedure.field,
                  "channel": ev.channel, "accepted_at": ev.occurred_at}
        self.conn.execute(_ACCEPTED, values)

    def record_intake(self, code: str, kind: str, agency: str, channel: int | None, at: datetime,
                      unit: str | None = None) -> None:
        self.conn.execute(_INTAKE_EVENT, {"code": code, "kind": kind, "agency": agency, "channel": channel,
                                          "occurred_at": at, "unit": unit})

    def record_due(self, ev: DueDateSet, waiting: bool, accepted_at: datetime) -> None:
        self.conn.execute(_DUE, {"code": ev.code, "agency": ev.agency, "unit": ev.unit, "officer": ev.officer,
                                 "accepted_at": accepted_at, "due_at": ev.due_at,
                                 "original_due_at": ev.original_due_at, "waiting_supplement": waiting})

    def record_classified(self, ev: DossierClassified, repeat_supplements: int, at: datetime) -> str | None:
        """Store the classification; returns the outcome it replaces, if any."""
        previous = self.conn.execute(_PREVIOUS_OUTCOME, {"code": ev.code}).scalar()
        values = {
            "code": ev.code, "agency": ev.agency, "unit": ev.unit, "officer": ev.officer,
            "procedure_code": ev.procedure_code, "procedure_field": ev.procedure_field, "channel": ev.channel,
            "accepted_at": ev.accepted_at,
            "due_at": ev.due_at, "original_due_at": ev.original_due_at or ev.due_at, "waiting_supplement": False,
            "stopped_at": ev.stopped_at, "stop_reason": ev.stop_reason, "outcome": ev.outcome,
            "working_days_diff": ev.working_days_diff, "resolution_hours": ev.resolution_working_hours,
            "apologies": ev.apologies, "repeat_supplements": repeat_supplements, "classified_at": at,
        }
        self.conn.execute(_CLASSIFIED, values)
        self.conn.execute(_DELETE_STEPS, {"code": ev.code})
        if ev.steps:
            self.conn.execute(_INSERT_STEPS, [
                {"code": ev.code, "seq": i, "agency": ev.agency, "stopped_at": ev.stopped_at, "step": s.step,
                 "unit": s.unit, "officer": s.officer, "outcome": s.outcome, "started_at": s.started_at,
                 "due_at": s.due_at, "ended_at": s.ended_at} for i, s in enumerate(ev.steps)])
        return previous  # type: ignore[no-any-return]

    def set_waiting(self, code: str, waiting: bool) -> None:
        self.conn.execute(_SET_WAITING, {"of_code": code, "waiting": waiting})

    def record_move(self, code: str, at: datetime, kind: str, unit: str | None = None) -> None:
        """One step of the dossier's history (holder, waiting, resumed); a replay adds nothing."""
        self.conn.execute(_MOVE, {"code": code, "at": at, "kind": kind, "unit": unit})

    def upsert_name(self, kind: str, subject: str, agency: str, name: str, unit: str | None) -> None:
        self.conn.execute(_NAME, {"kind": kind, "subject": subject, "agency": agency, "name": name, "unit": unit})

    def phases_covering(self, agency: str, day: date) -> list[tuple[str, str, str]]:
        """(campaign, phase, state) of every phase of the agency's campaigns whose window holds ``day``."""
        rows = self.conn.execute(_PHASES_COVERING, {"agency": agency, "day": day})
        return [(r.campaign_id, r.key, r.state) for r in rows]

    def add_correction(self, campaign_id: str, phase: str, ev: DossierClassified, event_id: str,
                       previous: str | None, at: datetime) -> None:
        self.conn.execute(insert(corrections).values(
            campaign_id=campaign_id, phase=phase, code=ev.code, event_id=event_id, unit=ev.unit,
            officer=ev.officer, outcome=ev.outcome, previous_outcome=previous, stopped_at=ev.stopped_at,
            recorded_at=at, steps=[
                {"step": s.step, "unit": s.unit, "officer": s.officer, "outcome": s.outcome,
                 "due_at": s.due_at.isoformat(), "ended_at": s.ended_at.isoformat()} for s in ev.steps]))

    # ---- campaigns ----
    def save_campaign(self, c: Campaign) -> None:
        """A new campaign and its phases; ``AlreadyExists`` (nothing written) when the id is taken."""
        inserted = self.conn.execute(pg_insert(campaigns).values(
            id=c.id, name=c.name, agency=c.agency, plan=c.plan, definition=campaign_to_dict(c),
        ).on_conflict_do_nothing().returning(campaigns.c.id)).first()
        if inserted is None:
            raise AlreadyExists(c.id)
        self.conn.execute(insert(phases), [
            {"campaign_id": c.id, "key": p.key, "name": p.name, "starts_on": p.starts_on,
             "ends_on": p.ends_on, "review_date": p.review_date} for p in c.reviews])

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        raw = self.conn.execute(select(campaigns.c.definition).where(campaigns.c.id == campaign_id)).scalar()
        return campaign_from_dict(raw) if raw else None

    def list_campaigns(self) -> list[tuple[Campaign, dict[str, str]]]:
        states: dict[str, dict[str, str]] = {}
        for r in self.conn.execute(select(phases.c.campaign_id, phases.c.key, phases.c.state)):
            states.setdefault(r.campaign_id, {})[r.key] = r.state
        rows = self.conn.execute(select(campaigns.c.id, campaigns.c.definition).order_by(campaigns.c.id))
        return [(campaign_from_dict(r.definition), states.get(r.id, {})) for r in rows]

    def lock_phase(self, campaign_id: str, key: str) -> str | None:
        return self.conn.execute(select(phases.c.state).where(and_(  # type: ignore[no-any-return]
            phases.c.campaign_id == campaign_id, phases.c.key == key)).with_for_update()).scalar()

    def phases_due(self, today: date, not_before: date | None = None) -> list[tuple[str, str]]:
        due = and_(phases.c.state == "open", phases.c.review_date <= today)
        if not_before is not None:
            due = and_(due, phases.c.review_date >= not_before)
        query = select(phases.c.campaign_id, phases.c.key).where(due).order_by(
            phases.c.review_date, phases.c.campaign_id, phases.c.key == FINAL_KEY, phases.c.starts_on,
            phases.c.key)
        rows = self.conn.execute(query)
        return [(r.campaign_id, r.key) for r in rows]

    def resolved_since(self, start: datetime) -> list[tuple[str, str, str, str, int]]:
        """(agency, unit, procedure code, outcome, count) of the dossiers whose clock stopped at or after
        ``start``."""
        d = dossiers.c
        rows = self.conn.execute(
            select(d.agency, d.unit, d.procedure_code, d.outcome, func.count())
            .where(d.stopped_at >= start, d.outcome.is_not(None))
            .group_by(d.agency, d.unit, d.procedure_code, d.outcome))
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    def tallies(self, campaign: Campaign, phase: Phase) -> tuple[list[Tally], list[Tally]]:
        return queries.phase_tallies(self.conn, campaign, phase)

    def step_counts(self, campaign: Campaign, phase: Phase) -> list[StepCount]:
        return queries.phase_steps(self.conn, campaign, phase)

    def add_complaint(self, campaign: Campaign, values: dict[str, Any]) -> int:
        return self.conn.execute(insert(complaints).values(  # type: ignore[no-any-return]
            campaign_id=campaign.id, agency=campaign.agency, **values).returning(complaints.c.id)).scalar_one()

    def add_discipline(self, campaign: Campaign, values: dict[str, Any]) -> int:
        return self.conn.execute(insert(discipline).values(  # type: ignore[no-any-return]
            campaign_id=campaign.id, **values).returning(discipline.c.id)).scalar_one()

    # ---- frozen results ----
    def freeze(self, campaign: Campaign, phase: Phase, standings: list[Standing], proposals: list[Proposal],
               closed_at: datetime, closed_by: str, event_id: str, steps: list[StepCount] | None = None) -> None:
        self.conn.execute(insert(phase_closures).values(
            campaign_id=campaign.id, phase=phase.key, closed_at=closed_at, closed_by=closed_by,
            config=campaign.config.to_json(), proposals=[asdict(p) for p in proposals], event_id=event_id))
        if standings:
            self.conn.execute(insert(phase_results), [
                {"campaign_id": campaign.id, "phase": phase.key, "kind": s.tally.kind, "subject": s.tally.subject,
                 "rank": s.rank, "name": s.tally.name, "unit": s.tally.unit, "score": s.score,
                 "tally": asdict(s.tally), "criteria": s.values, "gates": s.gates, "eligible": s.eligible}
                for s in standings])
        if steps:
            self.conn.execute(insert(phase_step_results), [
                {"campaign_id": campaign.id, "phase": phase.key, **asdict(s)} for s in steps])
        self.conn.execute(update(phases).values(state="closed").where(
            and_(phases.c.campaign_id == campaign.id, phases.c.key == phase.key)))

    def frozen(self, campaign_id: str, phase: str, kind: str) -> tuple[dict[str, Any], list[Standing]] | None:
        closure = self.conn.execute(select(phase_closures).where(and_(
            phase_closures.c.campaign_id == campaign_id, phase_closures.c.phase == phase))).first()
        if closure is None:
            return None
        rows = self.conn.execute(select(phase_results).where(and_(
            phase_results.c.campaign_id == campaign_id, phase_results.c.phase == phase,
            phase_results.c.kind == kind)).order_by(phase_results.c.rank, phase_results.c.subject))
        standings = [Standing(r.rank, Tally(**r.tally), r.score, r.criteria, r.gates) for r in rows]
        return dict(closure._mapping), standings

    def frozen_steps(self, campaign_id: str, phase: str) -> list[StepCount] | None:
        """The per-step results frozen at closing; None while the phase is open."""
        closed = self.conn.execute(select(phase_closures.c.phase).where(and_(
            phase_closures.c.campaign_id == campaign_id, phase_closures.c.phase == phase))).first()
        if closed is None:
            return None
        rows = self.conn.execute(select(phase_step_results).where(and_(
            phase_step_results.c.campaign_id == campaign_id, phase_step_results.c.phase == phase))
            .order_by(phase_step_results.c.position, phase_step_results.c.step, phase_step_results.c.unit,
                      phase_step_results.c.officer))
        return [StepCount(r.step, r.unit, r.officer, r.name, r.position, r.early, r.on_time, r.late)
                for r in rows]

    def corrections(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(select(corrections).where(and_(
            corrections.c.campaign_id == campaign_id, corrections.c.phase == phase)).order_by(corrections.c.id))
        return [dict(r._mapping) for r in rows]

    # ---- reports ----
    def form_06a(self, agency: str, period: Period, by: str = "unit") -> list[Row06a]:
        return queries.form_06a(self.conn, agency, period, by=by)

    def refused_at_intake(self, agency: str, period: Period) -> dict[str, int]:
        return queries.refused_at_intake(self.conn, agency, period)

    def index_figures(self, agency: str, year: int, months: list[int]) -> list[MonthFigures]:
        return index_queries.index_figures(self.conn, agency, year, months)

    def ping(self) -> None:
        self.conn.execute(select(func.now()))
        self.conn.execute(text("SELECT 1"))


class ScoringUow(SqlUnitOfWork[SqlTx]):
    """``with uow as tx``: a ``SqlTx`` on the unit of work's transaction."""

    def bind(self, conn: Connection) -> SqlTx:
        return SqlTx(conn)


class SqlRepository:
    """The storage port on PostgreSQL: ``uow`` opens its units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.uow = ScoringUow(engine)
