"""In-memory fake of the proposal store (the ``ProposalStore`` port), for unit tests; the same contract suite
runs on it and on PostgreSQL."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from scoring.domain import Proposal


class FakeProposalStore:
    """Mixin of a fake transaction object: keeps its rows in ``self.rows`` (a dict shared per repository)."""

    rows: dict[str, Any]

    def _t(self, name: str) -> Any:
        return self.rows.setdefault(name, {} if name != "log" else [])

    def proposal_review(self, campaign_id: str, phase: str, *, lock: bool = False) -> dict[str, Any] | None:
        found = self._t("reviews").get((campaign_id, phase))
        return dict(found) if found else None

    def save_review(self, campaign_id: str, phase: str, state: str, by: str, at: datetime, *,
                    decision_number: str | None = None, decision_date: date | None = None) -> None:
        self._t("reviews")[(campaign_id, phase)] = {
            "campaign_id": campaign_id, "phase": phase, "state": state, "updated_by": by, "updated_at": at,
            "decision_number": decision_number, "decision_date": decision_date}

    def add_proposal(self, campaign_id: str, phase: str, p: Proposal, *, origin: str, by: str, at: datetime,
                     reason: str = "") -> int | None:
        table = self._t("proposals")
        if any((r["campaign_id"], r["phase"], r["kind"], r["subject"]) == (campaign_id, phase, p.kind, p.subject)
               for r in table.values()):
            return None
        pid = len(table) + 1
        table[pid] = {"id": pid, "campaign_id": campaign_id, "phase": phase, **asdict(p),
                      "criteria": list(p.criteria), "origin": origin, "status": "proposed", "reason": reason,
                      "updated_by": by, "updated_at": at}
        return pid

    def get_proposal(self, campaign_id: str, phase: str, *, id: int | None = None,
                     subject: tuple[str, str] | None = None) -> dict[str, Any] | None:
        for r in self._t("proposals").values():
            if (r["campaign_id"], r["phase"]) != (campaign_id, phase):
                continue
            if (id is None or r["id"] == id) and (subject is None or (r["kind"], r["subject"]) == subject):
                return dict(r)
        return None

    def set_proposal(self, proposal_id: int, **values: Any) -> None:
        if "criteria" in values:
            values["criteria"] = list(values["criteria"])
        self._t("proposals")[proposal_id].update(values)

    def list_proposals(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        return [dict(r) for _, r in sorted(self._t("proposals").items())
                if (r["campaign_id"], r["phase"]) == (campaign_id, phase)]

    def log_proposal(self, campaign_id: str, phase: str, action: str, *, by: str, role: str, at: datetime,
                     proposal_id: int | None = None, reason: str = "", details: dict[str, Any] | None = None,
                     ) -> None:
        log = self._t("log")
        log.append({"id": len(log) + 1, "campaign_id": campaign_id, "phase": phase, "proposal_id": proposal_id,
                    "action": action, "by": by, "role": role, "at": at, "reason": reason,
                    "details": details or {}})

    def proposal_log(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._t("log") if (r["campaign_id"], r["phase"]) == (campaign_id, phase)]

    def unit_names(self, agency: str) -> dict[str, str]:
        return dict(self.rows.get("unit_names", {}))

    def corrections(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows.get("corrections", [])
                if (r["campaign_id"], r["phase"]) == (campaign_id, phase)]


def proposal_store_contract(repo: Any) -> None:
    """What every proposal store does (run on the fake and on PostgreSQL): one proposal per subject and review,
    updates, listing in order, the review's state, the log in order."""
    at = datetime(2017, 7, 1, 3)
    p = Proposal("officer", "an", "Nguyễn Văn An", "Giấy khen (cá nhân)", 363_000, ("Không có hồ sơ quá hạn",),
                 "KTAT", "chuyen_vien")
    with repo.uow as tx:
        assert tx.proposal_review("c", "1") is None
        tx.save_review("c", "1", "drafted", "hệ thống", at)
        first = tx.add_proposal("c", "1", p, origin="system", by="hệ thống", at=at)
        assert first is not None
        assert tx.add_proposal("c", "1", p, origin="union", by="cđ", at=at) is None
        unit = Proposal("unit", "KTAT", "Phòng KTAT", "Giấy khen (tập thể)", 726_000, ())
        second = tx.add_proposal("c", "1", unit,
                                 origin="union", by="cđ", at=at, reason="thành tích nổi bật")
        assert tx.add_proposal("c", "2", p, origin="system", by="hệ thống", at=at) is not None
        tx.set_proposal(first, status="removed", reason="trùng", updated_by="cđ", updated_at=at)
        tx.save_review("c", "1", "decided", "gđ", at, decision_number="12/QĐ-SCT", decision_date=date(2017, 7, 5))
        tx.log_proposal("c", "1", "drafted", by="hệ thống", role="system", at=at, proposal_id=first)
        tx.log_proposal("c", "1", "removed", by="cđ", role="union", at=at, proposal_id=first, reason="trùng")
    with repo.uow as tx:
        rows = tx.list_proposals("c", "1")
        assert [(r["id"], r["subject"], r["status"], r["origin"]) for r in rows] == [
            (first, "an", "removed", "system"), (second, "KTAT", "proposed", "union")]
        assert rows[0]["criteria"] == ["Không có hồ sơ quá hạn"] and rows[0]["role"] == "chuyen_vien"
        assert tx.get_proposal("c", "1", subject=("unit", "KTAT"))["reason"] == "thành tích nổi bật"
        assert tx.get_proposal("c", "1", id=second)["amount_vnd"] == 726_000
        assert tx.get_proposal("c", "1", id=999) is None
        review = tx.proposal_review("c", "1", lock=True)
        assert (review["state"], review["decision_number"], review["decision_date"]) == (
            "decided", "12/QĐ-SCT", date(2017, 7, 5))
        assert [(e["action"], e["by"], e["role"], e["reason"]) for e in tx.proposal_log("c", "1")] == [
            ("drafted", "hệ thống", "system", ""), ("removed", "cđ", "union", "trùng")]
        assert tx.proposal_log("c", "2") == []
