"""Storage of reward proposals: one review per (campaign, phase) with its state, the proposals, their log."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from scoring.domain import Proposal
from scoring.repository.tables import names, proposal_log, proposal_reviews, proposals


class ProposalStore:
    """Mixin of the transaction object (``self.conn``)."""

    conn: Connection

    def proposal_review(self, campaign_id: str, phase: str, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(proposal_reviews).where(and_(
            proposal_reviews.c.campaign_id == campaign_id, proposal_reviews.c.phase == phase))
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        return dict(row._mapping) if row else None

    def save_review(self, campaign_id: str, phase: str, state: str, by: str, at: datetime, *,
                    decision_number: str | None = None, decision_date: date | None = None) -> None:
        values = {"state": state, "updated_by": by, "updated_at": at, "decision_number": decision_number,
                  "decision_date": decision_date}
        self.conn.execute(pg_insert(proposal_reviews).values(campaign_id=campaign_id, phase=phase, **values)
                          .on_conflict_do_update(index_elements=["campaign_id", "phase"], set_=values))

    def add_proposal(self, campaign_id: str, phase: str, p: Proposal, *, origin: str, by: str, at: datetime,
                     reason: str = "") -> int | None:
        """The new proposal's id; None when the subject already has one in this review."""
        values = {**asdict(p), "criteria": list(p.criteria)}
        return self.conn.execute(pg_insert(proposals).values(  # type: ignore[no-any-return]
            campaign_id=campaign_id, phase=phase, origin=origin, status="proposed", reason=reason,
            updated_by=by, updated_at=at, **values).on_conflict_do_nothing().returning(proposals.c.id)).scalar()

    def get_proposal(self, campaign_id: str, phase: str, *, id: int | None = None,
                     subject: tuple[str, str] | None = None) -> dict[str, Any] | None:
        where = and_(proposals.c.campaign_id == campaign_id, proposals.c.phase == phase)
        if id is not None:
            where = and_(where, proposals.c.id == id)
        if subject is not None:
            where = and_(where, proposals.c.kind == subject[0], proposals.c.subject == subject[1])
        row = self.conn.execute(select(proposals).where(where).with_for_update()).first()
        return dict(row._mapping) if row else None

    def set_proposal(self, proposal_id: int, **values: Any) -> None:
        if "criteria" in values:
            values["criteria"] = list(values["criteria"])
        self.conn.execute(update(proposals).where(proposals.c.id == proposal_id).values(**values))

    def list_proposals(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(select(proposals).where(and_(
            proposals.c.campaign_id == campaign_id, proposals.c.phase == phase)).order_by(proposals.c.id))
        return [dict(r._mapping) for r in rows]

    def log_proposal(self, campaign_id: str, phase: str, action: str, *, by: str, role: str, at: datetime,
                     proposal_id: int | None = None, reason: str = "", details: dict[str, Any] | None = None,
                     ) -> None:
        self.conn.execute(proposal_log.insert().values(
            campaign_id=campaign_id, phase=phase, proposal_id=proposal_id, action=action, by=by, role=role, at=at,
            reason=reason, details=details or {}))

    def unit_names(self, agency: str) -> dict[str, str]:
        rows = self.conn.execute(select(names.c.subject, names.c.name).where(and_(
            names.c.kind == "unit", names.c.agency == agency)))
        return {r.subject: r.name for r in rows}

    def proposal_log(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(select(proposal_log).where(and_(
            proposal_log.c.campaign_id == campaign_id, proposal_log.c.phase == phase)).order_by(proposal_log.c.id))
        return [dict(r._mapping) for r in rows]
