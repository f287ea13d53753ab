"""Use cases that change state: create a campaign, close (freeze) a phase, close the phases that are due."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import PhaseClosed, RewardProposal, StandingEntry
from scoring.awards import correction_notes, draft_proposals
from scoring.domain import Campaign, Phase, Proposal, Standing, campaign_from_dict, propose
from scoring.errors import Conflict
from scoring.lookups import Repository, campaign_of, local_day, phase_of
from scoring.readers import live_standings
from scoring.rules import rules_text

SYSTEM = "hệ thống"


def create_campaign(repo: Repository, raw: dict[str, Any]) -> Campaign:
    from scoring.repository.sql import AlreadyExists

    campaign = campaign_from_dict(raw)
    with repo.transaction() as tx:
        try:
            tx.save_campaign(campaign)
        except AlreadyExists as exc:
            raise Conflict("id", f"chiến dịch {campaign.id!r} đã có") from exc
    return campaign


def phase_closed_event(c: Campaign, p: Phase, standings: list[Standing], proposals: list[Proposal],
                       corrections: tuple[str, ...] = ()) -> PhaseClosed:
    roles = {r.key: r.label for r in c.config.roles}
    return PhaseClosed(
        campaign=c.id, phase=p.key, phase_name=p.name, review_date=p.review_date,
        standings=tuple(StandingEntry(s.rank, s.tally.kind, s.tally.subject, s.tally.name, s.score,
                                      s.tally.handled, s.tally.late, s.eligible,
                                      roles.get(s.tally.role, "")) for s in standings),
        proposals=tuple(RewardProposal(x.kind, x.subject, x.name, x.title, x.amount_vnd, x.criteria)  # type: ignore[arg-type]
                        for x in proposals),
        rules=tuple(rules_text(c, p)), corrections=corrections,
    )


def close_phase(
    repo: Repository, campaign_id: str, phase_key: str, now: datetime, by: str = SYSTEM
) -> PhaseClosed:
    """Freeze the results and queue one PhaseClosed; a second close is a Conflict."""
    with repo.transaction() as tx:
        c = campaign_of(tx, campaign_id)
        p = phase_of(c, phase_key)
        if tx.lock_phase(c.id, p.key) != "open":
            raise Conflict("phase", f"đợt {p.key} của chiến dịch {c.id} đã kết thúc")
        if p.final:
            still_open = [q.key for q in c.phases if tx.lock_phase(c.id, q.key) == "open"]
            if still_open:
                raise Conflict("phase", f"chưa sơ kết đợt {', '.join(still_open)}: chưa thể tổng kết chiến dịch")
        units, officers = live_standings(tx, c, p)
        proposals = propose(units, officers, c.config, p.review_date, final=p.final)
        notes = correction_notes(tx, c, [q for q in c.phases if q.key != p.key and q.starts_on < p.ends_on])
        closed = phase_closed_event(c, p, units + officers, proposals, notes)
        envelope = envelope_for(closed, now=now, event_id=str(uuid.uuid4()))
        tx.freeze(c, p, units + officers, proposals, now, by, envelope.id, steps=tx.step_counts(c, p))
        draft_proposals(tx, c, p, proposals, now, by)
        tx.add_outbox(envelope)
    return closed


def close_due_phases(repo: Repository, now: datetime, window_days: int = 30) -> list[tuple[str, str]]:
    """The periodic job: close every open phase whose review date has come (local date) within the last
    ``window_days``. Older ones are history being loaded (a backfill, the demo): an operator closes those."""
    today = local_day(now)
    with repo.transaction() as tx:
        due = tx.phases_due(today, today - timedelta(days=window_days))
    closed = []
    for campaign_id, key in due:
        try:
            close_phase(repo, campaign_id, key, now)
        except Conflict:
            continue
        closed.append((campaign_id, key))
    return closed
