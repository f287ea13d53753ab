"""The threshold scheduler: one pass emits reached warnings and refreshes the open-dossier gauges."""
from __future__ import annotations

from datetime import datetime

from deadline.figures import open_figures
from deadline.handlers import Deps, scan_thresholds
from deadline.ports import Repository

SCHEDULER_NAME = "deadline-thresholds"


class ThresholdScan:
    """Callable for ``dunghan.worker.Periodic``: ``scan(now)`` returns how many warnings were emitted."""

    def __init__(self, repo: Repository, deps: Deps) -> None:
        self.repo = repo
        self.deps = deps

    def __call__(self, now: datetime) -> int:
        emitted = scan_thresholds(self.repo, self.deps, now)
        if self.deps.metrics:
            self.deps.metrics.open_dossiers(self.repo.band_counts(now))
            self.deps.metrics.open_figures(open_figures(self.repo.open_clocks(), now))
        return emitted
