"""Reward proposals' life: drafted by the system at a review → compiled by the union (add or remove, with a
reason) → decided by the leadership (decision number and date, amounts at that date's base salary). Every
change is logged with who, in which role, and when. Corrections after a freeze are flagged on each proposal.
Here what the commands (``commands``) and the review's reader (``readers.proposal_review``) share."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from scoring.domain import Campaign, Phase, Proposal
from scoring.errors import Conflict

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


def review_of(tx: Any, c: Campaign, p: Phase, *, lock: bool = False) -> dict[str, Any]:
    review = tx.proposal_review(c.id, p.key, lock=lock)
    if review is None:
        raise Conflict("phase", f"{p.name} chưa kết thúc: chưa có dự thảo đề nghị khen thưởng")
    return review  # type: ignore[no-any-return]


def expect_state(review: dict[str, Any], state: str, action: str) -> None:
    if review["state"] != state:
        raise Conflict("state", f"không thể {action}: danh sách đề nghị đang ở trạng thái {review['state']}")
