"""What is recorded beside the results: corrections after a freeze, complaints, discipline."""
from __future__ import annotations

from typing import Any

from scoring.lookups import campaign_of, phase_of
from scoring.ports import Repository


def corrections(repo: Repository, campaign_id: str, phase_key: str) -> list[dict[str, Any]]:
    with repo.uow as tx:
        phase_of(campaign_of(tx, campaign_id), phase_key)
        return tx.corrections(campaign_id, phase_key)  # type: ignore[no-any-return]


def record_complaint(repo: Repository, campaign_id: str, values: dict[str, Any], by: str) -> int:
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        if values.get("phase"):
            phase_of(c, values["phase"])
        return tx.add_complaint(c, {**values, "recorded_by": by})  # type: ignore[no-any-return]


def record_discipline(repo: Repository, campaign_id: str, values: dict[str, Any], by: str) -> int:
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        return tx.add_discipline(c, {**values, "recorded_by": by})  # type: ignore[no-any-return]
