"""Business metrics of intake (names as in docs/ARCHITECTURE.md).

Every label set the catalogue allows exists at 0 (agency × channel × procedure field of each procedure version,
agency × fact, every rejection reason), refreshed from the database before a scrape when the catalogue grew.
"""
from __future__ import annotations

from typing import Any, get_args

from prometheus_client import Counter
from sqlalchemy import Engine, select

from dunghan.metrics import before_scrape, product, zero
from intake import tables as t
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


def zero_from(engine: Engine) -> None:
    p = t.procedures.c
    with engine.connect() as conn:
        rows = conn.execute(select(p.agency, p.field, p.channels)).all()
    zero_catalogue([(r[0], r[1], r[2]) for r in rows])


def watch_catalogue(engine: Engine, every: float = 60.0) -> None:
    before_scrape(lambda: zero_from(engine), every)
