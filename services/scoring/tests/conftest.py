"""Shared test helpers: generated dossier facts (deterministic, seeded)."""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from scoring.reports import LOCAL, DossierFact


def _generated_facts(n: int = 2000, seed: int = 7, year: int = 2017) -> list[DossierFact]:
    rnd = random.Random(seed)
    start = datetime(year - 1, 11, 1, 8, tzinfo=LOCAL)
    out = []
    for i in range(n):
        accepted = start + timedelta(days=rnd.randint(0, 420), hours=rnd.randint(0, 9))
        due = accepted + timedelta(days=rnd.randint(1, 20))
        stopped = None
        outcome = None
        if rnd.random() < 0.8:
            stopped = accepted + timedelta(days=rnd.randint(0, 30), hours=rnd.randint(0, 5))
            diff = (stopped.date() - due.date()).days
            outcome = "early" if diff < 0 else "on_time" if diff == 0 else "late"
        out.append(DossierFact(
            code=f"SCT-{i:06d}", unit=rnd.choice(["KTAT", "QLTM", "VP"]), channel=rnd.choice([1, 2, 2, 3]),
            accepted_at=accepted, stopped_at=stopped, outcome=outcome, due_at=due,
            waiting_supplement=stopped is None and rnd.random() < 0.1,
            procedure_code=rnd.choice(["P1", "P2", "P3"]),
            resolution_working_hours=rnd.randint(4, 120) if stopped else None, complained=rnd.random() < 0.02,
        ))
    return out


@pytest.fixture
def make_facts() -> Callable[..., list[DossierFact]]:
    return _generated_facts
