"""Events applied to a repository as the consumer applies them, and the sample campaign's names."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import Event, ProcedureSnapshot
from scoring import event_handlers

CAMPAIGN = "sct-2017-giai-quyet-nhanh-tthc"
NOW = datetime(2017, 6, 15, 3, tzinfo=UTC)
PROC = ProcedureSnapshot("P1", 1, "Cấp giấy phép", "Công nghiệp", 5, "working_days", 7, "working_days")


def apply(repo: Any, ev: Event, now: datetime = NOW) -> Any:
    """``ev`` handled once (its CloudEvent returned)."""
    ce = envelope_for(ev, now=now)
    assert event_handlers.handle_event(repo, ce, ev, now)
    return ce
