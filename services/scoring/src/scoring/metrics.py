"""Business metrics of the scoring service (names as in docs/ARCHITECTURE.md)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

CAMPAIGN_RESOLVED = Counter(
    "dunghan_campaign_resolved_total", "Classified dossiers counted in an open campaign phase, by outcome.",
    ["campaign", "phase", "unit", "outcome"],
)
CAMPAIGN_SCORE = Gauge(
    "dunghan_campaign_score", "Campaign score of a unit in a phase (last computed).",
    ["campaign", "phase", "unit"],
    multiprocess_mode="mostrecent",
)
PHASE_STATE = Gauge(
    "dunghan_campaign_phase_state", "1 for the phase's current state (open or closed).",
    ["campaign", "phase", "state"], multiprocess_mode="mostrecent",
)


def resolved(campaign: str, phase: str, unit: str, outcome: str) -> None:
    CAMPAIGN_RESOLVED.labels(campaign, phase, unit, outcome).inc()


def unit_score(campaign: str, phase: str, unit: str, score: float) -> None:
    CAMPAIGN_SCORE.labels(campaign, phase, unit).set(score)


def seed(campaign: str, phase: str, unit: str, counts: dict[str, int]) -> None:
    """At worker start: bring the counters to the totals in the database, so ratios over raw counter values
    (the campaign phase's on-time rate) survive a restart."""
    for outcome, n in counts.items():
        if n:
            CAMPAIGN_RESOLVED.labels(campaign, phase, unit, outcome).inc(n)


def phase_state(campaign: str, phase: str, state: str) -> None:
    for s in ("open", "closed"):
        PHASE_STATE.labels(campaign, phase, s).set(1 if s == state else 0)
