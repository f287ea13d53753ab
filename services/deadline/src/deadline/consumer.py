"""Queue → handler: decode the CloudEvent, apply it, map the outcome to the broker action."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from deadline.handlers import Deps, handle_event
from deadline.repository import Repository
from dunghan.bus.errors import Duplicate, Reject
from dunghan.contract import decode
from dunghan.contract.envelope import ContractError
from dunghan.worker import utc_now


def make_handler(repo: Repository, deps: Deps, clock: Callable[[], datetime] = utc_now) -> Callable[[Any], None]:
    def handle(delivery: Any) -> None:
        try:
            ce = decode(delivery.body)
            outcome = handle_event(ce, repo, deps, clock())
        except ContractError as exc:
            raise Reject(exc.reason, exc.field) from exc
        if outcome == "duplicate":
            raise Duplicate(f"{ce.source} {ce.id}")

    return handle
