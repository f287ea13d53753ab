"""Shared test helpers: generated dossier facts (deterministic, seeded); makes ``scoring_fakes`` importable."""
from __future__ import annotations

import random
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dunghan.clock import LOCAL_TZ
from scoring.reports import DossierFact, IntakeFact

sys.path.insert(0, str(Path(__file__).parent))


def _generated_facts(n: int = 2000, seed: int = 7, year: int = 2017) -> list[DossierFact]:
    rnd = random.Random(seed)
    start = datetime(year - 1, 11, 1, 8, tzinfo=LOCAL_TZ)
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


def _generated_intake(facts: list[DossierFact], n_refused: int = 300, seed: int = 11) -> list[IntakeFact]:
    """Online submissions before some acceptances (some in the previous month) and refusals at intake (some
    after an online submission, some with no unit or channel)."""
    rnd = random.Random(seed)
    out = []
    for f in facts:
        if f.channel == 2 and rnd.random() < 0.5:
            out.append(IntakeFact(f.code, "submitted", f.accepted_at - timedelta(days=rnd.randint(0, 6)), 2))
    start = datetime(2016, 11, 1, 8, tzinfo=LOCAL_TZ)
    for i in range(n_refused):
        at = start + timedelta(days=rnd.randint(0, 420), hours=rnd.randint(0, 9))
        channel = rnd.choice([1, 2, 3, None])
        if channel == 2 and rnd.random() < 0.6:
            out.append(IntakeFact(f"REF-{i:05d}", "submitted", at - timedelta(days=rnd.randint(0, 5)), 2))
        out.append(IntakeFact(f"REF-{i:05d}", "refused", at, channel, rnd.choice(["KTAT", "QLTM", "VP", None])))
    return out


@pytest.fixture
def make_intake() -> Callable[..., list[IntakeFact]]:
    return _generated_intake
