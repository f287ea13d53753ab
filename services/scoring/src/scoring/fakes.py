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
                    "action": action, "by": by, "role": role, "at": at, "reason": reason, "details": details or {}})

    def proposal_log(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._t("log") if (r["campaign_id"], r["phase"]) == (campaign_id, phase)]

    def unit_names(self, agency: str) -> dict[str, str]:
        return dict(self.rows.get("unit_names", {}))

    def corrections(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows.get("corrections", [])
                if (r["campaign_id"], r["phase"]) == (campaign_id, phase)]
