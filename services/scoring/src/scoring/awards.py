"""Reward proposals' life: drafted by the system at a review → compiled by the union (add or remove, with a
reason) → decided by the leadership (decision number and date, amounts at that date's base salary). Every
change is logged with who, in which role, and when. Corrections after a freeze are flagged on each proposal."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from scoring.domain import Campaign, CampaignError, Phase, Proposal, reward_amount, titles_for

SYSTEM_ROLE = "system"
OUTCOME_LABELS = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn", None: "chưa có"}


@dataclass(frozen=True)
class Actor:
    name: str
    role: str


@dataclass(frozen=True)
class ProposalReview:
    campaign: Campaign
    phase: Phase
    state: str
    decision_number: str | None
    decision_date: date | None
    items: list[dict[str, Any]]
    log: list[dict[str, Any]] = field(default_factory=list)

    @property
    def active(self) -> list[dict[str, Any]]:
        return [i for i in self.items if i["status"] == "proposed"]


def draft_proposals(tx: Any, c: Campaign, p: Phase, proposals: Sequence[Proposal], now: datetime, by: str) -> None:
    """At closing: the system's draft, one row per subject, each logged."""
    tx.save_review(c.id, p.key, "drafted", by, now)
    for x in proposals:
        pid = tx.add_proposal(c.id, p.key, x, origin="system", by=by, at=now)
        tx.log_proposal(c.id, p.key, "drafted", by=by, role=SYSTEM_ROLE, at=now, proposal_id=pid,
                        details={"kind": x.kind, "subject": x.subject, "title": x.title})


def correction_flags(tx: Any, campaign_id: str, phase: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Corrections recorded after the freeze, per (kind, subject) they touch: the dossier's unit and officer, and
    every step's unit and officer."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in tx.corrections(campaign_id, phase):
        flag = {"code": c["code"], "outcome": c["outcome"], "previous_outcome": c["previous_outcome"],
                "recorded_at": c["recorded_at"].isoformat()}
        touched = {("unit", c["unit"]), ("officer", c["officer"])}
        for s in c.get("steps") or []:
            touched |= {("unit", s["unit"]), ("officer", s["officer"])}
        for key in touched:
            if key[1] and flag not in out.setdefault(key, []):
                out[key].append(flag)
    return out


def correction_notes(tx: Any, c: Campaign, reviews: Sequence[Phase]) -> tuple[str, ...]:
    """One line per correction recorded after an earlier review was frozen (for the phase e-mail)."""
    notes = []
    for p in reviews:
        for x in tx.corrections(c.id, p.key):
            notes.append(f"{p.name}: hồ sơ {x['code']} ({x['unit']}, {x['officer']}) phân loại sau khi đã sơ kết: "
                         f"{OUTCOME_LABELS.get(x['previous_outcome'], x['previous_outcome'])} → "
                         f"{OUTCOME_LABELS.get(x['outcome'], x['outcome'])}; kết quả đã đóng băng giữ nguyên.")
    return tuple(notes)


def _review(tx: Any, c: Campaign, p: Phase, *, lock: bool = False) -> dict[str, Any]:
    from scoring.handlers import Conflict

    review = tx.proposal_review(c.id, p.key, lock=lock)
    if review is None:
        raise Conflict("phase", f"{p.name} chưa kết thúc: chưa có dự thảo đề nghị khen thưởng")
    return review  # type: ignore[no-any-return]


def _expect(review: dict[str, Any], state: str, action: str) -> None:
    from scoring.handlers import Conflict

    if review["state"] != state:
        raise Conflict("state", f"không thể {action}: danh sách đề nghị đang ở trạng thái {review['state']}")


def get_review(repo: Any, campaign_id: str, phase_key: str) -> ProposalReview:
    """The proposals of a review with their state, log and correction flags."""
    from scoring.handlers import _campaign, _phase

    with repo.uow as tx:
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
        review = _review(tx, c, p)
        flags = correction_flags(tx, c.id, p.key)
        items = [{**i, "corrections": flags.get((i["kind"], i["subject"]), [])}
                 for i in tx.list_proposals(c.id, p.key)]
        return ProposalReview(c, p, review["state"], review["decision_number"], review["decision_date"], items,
                              tx.proposal_log(c.id, p.key))


def add_proposal(repo: Any, campaign_id: str, phase_key: str, values: dict[str, Any], actor: Actor,
                 now: datetime) -> int:
    """The union adds a subject (or brings back one removed) with a title allowed at this review."""
    from scoring.handlers import Conflict, _campaign, _phase

    with repo.uow as tx:
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
        _expect(_review(tx, c, p, lock=True), "drafted", "thêm đề nghị")
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


def remove_proposal(repo: Any, campaign_id: str, phase_key: str, proposal_id: int, reason: str, actor: Actor,
                    now: datetime) -> None:
    from scoring.handlers import NotFound, _campaign, _phase

    with repo.uow as tx:
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
        _expect(_review(tx, c, p, lock=True), "drafted", "bớt đề nghị")
        row = tx.get_proposal(c.id, p.key, id=proposal_id) if 0 < proposal_id < 2**63 else None
        if row is None or row["status"] != "proposed":
            raise NotFound("proposal", f"không có đề nghị số {proposal_id} trong lần xét này")
        tx.set_proposal(proposal_id, status="removed", reason=reason, updated_by=actor.name, updated_at=now)
        tx.log_proposal(c.id, p.key, "removed", by=actor.name, role=actor.role, at=now, proposal_id=proposal_id,
                        reason=reason,
                        details={"kind": row["kind"], "subject": row["subject"], "title": row["title"]})


def compile_proposals(repo: Any, campaign_id: str, phase_key: str, actor: Actor, now: datetime) -> None:
    """The union hands its compiled list to the leadership; no more additions or removals."""
    from scoring.handlers import _campaign, _phase

    with repo.uow as tx:
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
        _expect(_review(tx, c, p, lock=True), "drafted", "trình danh sách")
        tx.save_review(c.id, p.key, "compiled", actor.name, now)
        tx.log_proposal(c.id, p.key, "compiled", by=actor.name, role=actor.role, at=now)


def decide(repo: Any, campaign_id: str, phase_key: str, number: str, on: date, actor: Actor,
           now: datetime) -> None:
    """The leadership's decision: its number and date; each amount at the base salary of that date."""
    from scoring.handlers import _campaign, _phase

    with repo.uow as tx:
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
        _expect(_review(tx, c, p, lock=True), "compiled", "quyết định")
        if on < p.ends_on:
            raise CampaignError("decision_date", "ngày quyết định trước khi kết thúc đợt")
        for item in tx.list_proposals(c.id, p.key):
            if item["status"] == "proposed":
                tx.set_proposal(item["id"], amount_vnd=reward_amount(item["title"], on))
        tx.save_review(c.id, p.key, "decided", actor.name, now, decision_number=number, decision_date=on)
        tx.log_proposal(c.id, p.key, "decided", by=actor.name, role=actor.role, at=now,
                        details={"decision_number": number, "decision_date": on.isoformat()})


__all__ = ["Actor", "ProposalReview", "add_proposal", "compile_proposals", "correction_flags", "correction_notes",
           "decide", "draft_proposals", "get_review", "remove_proposal"]
