"""Business metrics of intake (names as in docs/ARCHITECTURE.md)."""
from __future__ import annotations

from prometheus_client import Counter

DOSSIERS_RECEIVED = Counter(
    "dunghan_dossiers_received_total", "Dossiers accepted (clock started), by agency, channel and field.",
    ["agency", "channel", "procedure_field"],
)
INBOUND_REJECTED = Counter("dunghan_inbound_rejected_total", "Inbound facts rejected, by reason.", ["reason"])
LIFECYCLE_EVENTS = Counter(
    "dunghan_lifecycle_events_total", "Lifecycle facts applied to the registry, by agency and kind.",
    ["agency", "kind"],
)
