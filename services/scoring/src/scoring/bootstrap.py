"""Composition root of scoring: settings → database → repository (with the sample campaign) → clock, for web,
worker, commands and tests (which pass fakes)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dunghan.bootstrap import Process, open_database
from dunghan.clock import utc_now
from scoring.campaign_file import load_campaign_file
from scoring.config import Settings
from scoring.ports import Repository

if TYPE_CHECKING:
    from sqlalchemy import Engine

SERVICE = "scoring"
MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class ScoringDeps:
    settings: Settings
    repo: Repository
    clock: Callable[[], datetime]
    engine: Engine | None = None  # None when the repository is a fake


def bootstrap(settings: Settings, *, process: Process = "web", repo: Repository | None = None,
              clock: Callable[[], datetime] = utc_now) -> ScoringDeps:
    """A web or worker process loads the sample campaign when it is absent (``SCORING_LOAD_SAMPLE_CAMPAIGN``);
    a command loads what it is told."""
    engine = None
    if repo is None:
        from scoring.repository import SqlRepository

        engine = open_database(settings, MIGRATIONS, process)
        repo = SqlRepository(engine)
        if process != "manage" and settings.load_sample_campaign and settings.sample_campaign:
            load_campaign_file(repo, settings.sample_campaign, if_absent=True)
    return ScoringDeps(settings, repo, clock, engine)
