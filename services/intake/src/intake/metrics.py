"""Business metrics of intake (names as in docs/ARCHITECTURE.md).

Every label set the catalogue allows exists at 0 (agency × channel × procedure field of each procedure version,
agency × fact, every rejection reason), refreshed from the database before a scrape when the catalogue grew.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from prometheus_client import Counter

from dunghan.metrics import before_scrape, product, zero
from intake.domain import RejectKind
from intake.facts import FACTS

DOSSIERS_RECEIVED = Counter(
    "dunghan_dossiers_received_total", "Dossiers accepted (clock started), by agency, channel and field.",
    ["agency", "channel", "procedure_field"],
)
INBOUND_REJECTED = Counter("dunghan_inbound_rejected_total", "Inbound facts rejected, by reason.", ["reason"])
LIFECYCLE_EVENTS = Counter(
    "dunghan_lifecycle_events_total", "Lifecycle facts applied to the registry, by agency and kind.",
    ["agency", "kind"],
)

zero(INBOUND_REJECTED, product(reason=get_args(RejectKind)))


def zero_catalogue(rows: list[tuple[str, str, Any]]) -> None:
    """``rows``: (agency, procedure field, channels) of each procedure version."""
    for agency, field, channels in rows:
        zero(DOSSIERS_RECEIVED, product(agency=[agency], channel=[str(c) for c in channels or ()],
                                        procedure_field=[field or ""]))
    zero(LIFECYCLE_EVENTS, product(agency=sorted({a for a, _, _ in rows}), kind=FACTS))


def watch_catalogue(catalogue: Callable[[], list[tuple[str, str, Any]]], every: float = 60.0) -> None:
    """Before a scrape (at most every ``every`` seconds), the label sets of ``catalogue()``'s procedures."""
    before_scrape(lambda: zero_catalogue(catalogue()), every)
