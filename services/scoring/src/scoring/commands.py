"""Use cases that change state: create a campaign, close (freeze) a phase and those due, the proposals' review."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import PhaseClosed, RewardProposal, StandingEntry
from scoring.awards import Actor, correction_notes, draft_proposals, expect_state, review_of
from scoring.domain import (
    Campaign,
    CampaignError,
    Phase,
    Proposal,
    Standing,
    campaign_from_dict,
    propose,
    reward_amount,
    titles_for,
)
from scoring.errors import Conflict, NotFound
from scoring.lookups import campaign_of, local_day, phase_of
from scoring.ports import AlreadyExists, Repository
from scoring.readers import live_standings
from scoring.rules import rules_text

SYSTEM = "hệ thống"


def create_campaign(repo: Repository, raw: dict[str, Any]) -> Campaign:
    campaign = campaign_from_dict(raw)
    with repo.uow as tx:
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
    with repo.uow as tx:
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
    with repo.uow as tx:
        due = tx.phases_due(today, today - timedelta(days=window_days))
    closed = []
    for campaign_id, key in due:
        try:
            close_phase(repo, campaign_id, key, now)
        except Conflict:
            continue
        closed.append((campaign_id, key))
    return closed


def add_proposal(repo: Any, campaign_id: str, phase_key: str, values: dict[str, Any], actor: Actor,
                 now: datetime) -> int:
    """The union adds a subject (or brings back one removed) with a title allowed at this review."""
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        p = phase_of(c, phase_key)
        expect_state(review_of(tx, c, p, lock=True), "drafted", "thêm đề nghị")
        kind, subject, title = values["kind"], values["subject"], values["title"]
        if title not in titles_for(p.final, kind):
            where = "tổng kết chiến dịch" if p.final else "sơ kết đợt (danh hiệu năm chỉ xét khi tổng kết)"
            raise CampaignError("title", f"hình thức {title!r} không xét ở {where}")
        frozen = tx.frozen(c.id, p.key, kind)
        standing = next((s for s in (frozen[1] if frozen else []) if s.tally.subject == subject), None)
        if standing is None and not values.get("name"):
            raise CampaignError("name", f"{subject!r} không có trong bảng xếp hạng: cần ghi họ tên / tên đơn vị")
        t = standing.tally if standing else None
        proposal = Proposal(kind, subject, values.get("name") or (t.name if t else subject), title,
                            reward_amount(title, p.review_date), tuple(values.get("criteria") or ()),
                            t.unit if t else values.get("unit") or "", t.role if t else "")
        existing = tx.get_proposal(c.id, p.key, subject=(kind, subject))
        if existing is not None and existing["status"] == "proposed":
            raise Conflict("subject", f"{proposal.name} đã có đề nghị {existing['title']} trong lần xét này "
                                      "(mỗi thành tích chỉ khen một lần)")
        if existing is not None:
            pid = int(existing["id"])
            tx.set_proposal(pid, title=title, amount_vnd=proposal.amount_vnd, status="proposed", origin="union",
                            reason=values["reason"], updated_by=actor.name, updated_at=now,
                            criteria=proposal.criteria or existing["criteria"])
        else:
            pid = tx.add_proposal(c.id, p.key, proposal, origin="union", by=actor.name, at=now,
                                  reason=values["reason"])
        tx.log_proposal(c.id, p.key, "added", by=actor.name, role=actor.role, at=now, proposal_id=pid,
                        reason=values["reason"], details={"kind": kind, "subject": subject, "title": title})
        return pid

def remove_proposal(repo: Repository, campaign_id: str, phase_key: str, proposal_id: int, reason: str,
                    actor: Actor, now: datetime) -> None:
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        p = phase_of(c, phase_key)
        expect_state(review_of(tx, c, p, lock=True), "drafted", "bớt đề nghị")
        row = tx.get_proposal(c.id, p.key, id=proposal_id) if 0 < proposal_id < 2**63 else None
        if row is None or row["status"] != "proposed":
            raise NotFound("proposal", f"không có đề nghị số {proposal_id} trong lần xét này")
        tx.set_proposal(proposal_id, status="removed", reason=reason, updated_by=actor.name, updated_at=now)
        tx.log_proposal(c.id, p.key, "removed", by=actor.name, role=actor.role, at=now, proposal_id=proposal_id,
                        reason=reason,
                        details={"kind": row["kind"], "subject": row["subject"], "title": row["title"]})

def compile_proposals(repo: Repository, campaign_id: str, phase_key: str, actor: Actor, now: datetime) -> None:
    """The union hands its compiled list to the leadership; no more additions or removals."""
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        p = phase_of(c, phase_key)
        expect_state(review_of(tx, c, p, lock=True), "drafted", "trình danh sách")
        tx.save_review(c.id, p.key, "compiled", actor.name, now)
        tx.log_proposal(c.id, p.key, "compiled", by=actor.name, role=actor.role, at=now)

def decide(repo: Repository, campaign_id: str, phase_key: str, number: str, on: date, actor: Actor,
           now: datetime) -> None:
    """The leadership's decision: its number and date; each amount at the base salary of that date."""
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        p = phase_of(c, phase_key)
        expect_state(review_of(tx, c, p, lock=True), "compiled", "quyết định")
        if on < p.ends_on:
            raise CampaignError("decision_date", "ngày quyết định trước khi kết thúc đợt")
        for item in tx.list_proposals(c.id, p.key):
            if item["status"] == "proposed":
                tx.set_proposal(item["id"], amount_vnd=reward_amount(item["title"], on))
        tx.save_review(c.id, p.key, "decided", actor.name, now, decision_number=number, decision_date=on)
        tx.log_proposal(c.id, p.key, "decided", by=actor.name, role=actor.role, at=now,
                        details={"decision_number": number, "decision_date": on.isoformat()})
