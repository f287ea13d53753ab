"""The scoring service's metrics (names as in docs/ARCHITECTURE.md): read from its database at scrape time.

Every replica reports the same figures (the database's), so a phase closed by any process is closed in every
scrape, and ``max by`` over replicas is exact. Cached for ``cache_seconds`` so a scrape burst costs one read.

- ``dunghan_campaign_phase_state{campaign,phase,state}``: 1 for the phase's state (open or closed).
- ``dunghan_campaign_phase_dossiers{campaign,phase,unit,outcome}``: dossiers of an *open* phase by outcome, as
  the standings count them (clock stopped in the phase window: by resolution date); closed phases are absent.
- ``dunghan_campaign_score{campaign,phase,unit}``: a unit's score, live for an open phase, frozen for a closed one.
- ``dunghan_period_dossiers_resolved{agency,unit,period,outcome}``: dossiers whose clock stopped in the current
  local month (``period="month"``) or year (``"year"``), the official period figures; the same by procedure code in
  ``dunghan_period_procedure_dossiers_resolved{agency,procedure,period,outcome}``.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as dt_time
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from dunghan.clock import LOCAL_TZ
from scoring.domain import rank

OUTCOMES = ("early", "on_time", "late")
log = logging.getLogger(__name__)


@dataclass
class Figures:
    states: list[tuple[str, str, str]] = field(default_factory=list)  # (campaign, phase, state)
    phase_dossiers: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    scores: dict[tuple[str, str, str], float] = field(default_factory=dict)
    period: dict[tuple[str, str, str, str], int] = field(default_factory=dict)  # (agency, unit, period, outcome)
    by_procedure: dict[tuple[str, str, str, str], int] = field(default_factory=dict)  # (agency, procedure, ...)


def period_starts(now: datetime) -> dict[str, datetime]:
    """The local midnight starting the current month and year."""
    today = now.astimezone(LOCAL_TZ).date()
    return {name: datetime.combine(day, dt_time(), LOCAL_TZ)
            for name, day in (("month", today.replace(day=1)), ("year", today.replace(month=1, day=1)))}


def figures(tx: Any, now: datetime) -> Figures:
    f = Figures()
    for campaign, states in tx.list_campaigns():
        for phase in campaign.phases:
            state = states.get(phase.key, "open")
            f.states.append((campaign.id, phase.key, state))
            if state != "open":
                frozen = tx.frozen(campaign.id, phase.key, "unit")
                for s in frozen[1] if frozen else []:
                    f.scores[(campaign.id, phase.key, s.tally.subject)] = s.score
                continue
            units, _officers = tx.tallies(campaign, phase)
            for s in rank(units, campaign.config):
                f.scores[(campaign.id, phase.key, s.tally.subject)] = s.score
            for t in units:
                for outcome in OUTCOMES:
                    f.phase_dossiers[(campaign.id, phase.key, t.subject, outcome)] = getattr(t, outcome)
    for period, start in period_starts(now).items():
        for agency, unit, procedure, outcome, n in tx.resolved_since(start):
            if outcome not in OUTCOMES:
                continue
            for target, key in ((f.period, (agency, unit)), (f.by_procedure, (agency, procedure))):
                for o in OUTCOMES:
                    target.setdefault((*key, period, o), 0)
                target[(*key, period, outcome)] += n
    return f


class ScoringCollector(Collector):
    def __init__(self, repo: Any, clock: Callable[[], datetime], cache_seconds: float = 10.0) -> None:
        self.repo = repo
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._at = float("-inf")
        self._figures = Figures()

    def current(self) -> Figures:
        """The cached figures, read again when older than ``cache_seconds``. A database that does not answer
        leaves the last figures (the scrape must still answer: a failed one would look like a dead worker)."""
        with self._lock:
            if time.monotonic() - self._at >= self.cache_seconds:
                self._at = time.monotonic()
                try:
                    with self.repo.uow as tx:
                        self._figures = figures(tx, self.clock())
                except Exception:
                    log.warning("campaign metrics not read from the database", exc_info=True)
            return self._figures

    def collect(self) -> Iterator[GaugeMetricFamily]:
        f = self.current()
        state = GaugeMetricFamily("dunghan_campaign_phase_state", "1 for the phase's state (open, closed).",
                                  labels=["campaign", "phase", "state"])
        for campaign, phase, s in f.states:
            for option in ("open", "closed"):
                state.add_metric([campaign, phase, option], 1.0 if s == option else 0.0)
        yield state
        yield _filled(GaugeMetricFamily(
            "dunghan_campaign_phase_dossiers",
            "Dossiers of an open campaign phase by outcome (clock stopped in the phase window), as scored.",
            labels=["campaign", "phase", "unit", "outcome"]), f.phase_dossiers.items())
        yield _filled(GaugeMetricFamily(
            "dunghan_campaign_score", "Campaign score of a unit in a phase (live while open, frozen once closed).",
            labels=["campaign", "phase", "unit"]), f.scores.items())
        yield _filled(GaugeMetricFamily(
            "dunghan_period_dossiers_resolved",
            "Dossiers whose clock stopped in the current local month or year, by outcome (official figures).",
            labels=["agency", "unit", "period", "outcome"]), f.period.items())
        yield _filled(GaugeMetricFamily(
            "dunghan_period_procedure_dossiers_resolved",
            "Dossiers whose clock stopped in the current local month or year, by procedure and outcome.",
            labels=["agency", "procedure", "period", "outcome"]), f.by_procedure.items())


def _filled(family: GaugeMetricFamily, values: Iterable[tuple[tuple[str, ...], float]]) -> GaugeMetricFamily:
    """``family`` with one sample per label values, in label order."""
    for key, value in sorted(values):
        family.add_metric(list(key), float(value))
    return family
