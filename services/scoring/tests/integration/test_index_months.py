"""Real database: the index's months computed together equal each month computed alone, at local month edges."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import insert

from dunghan.clock import LOCAL_TZ
from scoring.repository import SqlRepository, queries
from scoring.repository.index_queries import index_figures
from scoring.repository.tables import complaints, dossier_moves, dossiers, intake_events

pytestmark = pytest.mark.integration
YEAR = 2017
MONTHS = [*range(1, 13), 0]


def _edges() -> list[datetime]:
    """A second before, at and after each local month start of the year and of its neighbours."""
    starts = [datetime.combine(date(YEAR + (m > 12) - (m < 1), (m - 1) % 12 + 1, 1), time(), LOCAL_TZ)
              for m in range(0, 14)]
    return [s + timedelta(seconds=d) for s in starts for d in (-1, 0, 1)]


def _fill(repo: SqlRepository, n: int = 600, seed: int = 7) -> None:
    rnd = random.Random(seed)
    edges = _edges()
    first, last = edges[0], edges[-1]

    def instant() -> datetime:
        if rnd.random() < 0.5:
            return rnd.choice(edges)
        return first + timedelta(seconds=rnd.randint(0, int((last - first).total_seconds())))

    rows, moves, claims, intake = [], [], [], []
    for i in range(n):
        code = f"I{i:05d}"
        accepted = instant()
        stopped = None if rnd.random() < 0.25 else max(accepted, instant())
        due = None if rnd.random() < 0.1 else accepted + timedelta(days=rnd.choice([0, 3, 20, 45]))
        if due is not None and rnd.random() < 0.4:
            due = rnd.choice(edges) - timedelta(hours=rnd.choice([0, 24]))
        rows.append({
            "code": code, "agency": "SCT" if i % 17 else "SXD", "unit": rnd.choice(["KTAT", "QLTM", "VP"]),
            "procedure_code": f"P{rnd.randint(1, 6)}", "channel": rnd.choice([1, 2, 2, 3]),
            "accepted_at": accepted,
            "original_due_at": due, "waiting_supplement": rnd.random() < 0.2, "stopped_at": stopped,
            "outcome": None if stopped is None else rnd.choice(["early", "on_time", "late"]),
            "resolution_hours": None if stopped is None or rnd.random() < 0.1 else rnd.uniform(1, 400)})
        if rnd.random() < 0.3:
            at = accepted
            for kind in rnd.sample(["waiting", "resumed", "waiting"], rnd.randint(1, 3)):
                at = max(at, instant()) + timedelta(seconds=1)
                moves.append({"code": code, "at": at, "kind": kind})
        if stopped is not None and rnd.random() < 0.15:
            claims.append({"campaign_id": "c", "agency": "SCT", "kind": "unit", "subject": "KTAT",
                           "dossier_code": code, "well_founded": rnd.random() < 0.7,
                           "occurred_on": date(YEAR, 6, 1)})
        if rnd.random() < 0.2:
            intake.append({"code": f"R{i:05d}", "kind": "refused", "agency": "SCT", "occurred_at": instant(),
                           "unit": rnd.choice(["KTAT", "VP", None]), "channel": 1})
    with repo.engine.begin() as conn:
        for table, values in ((dossiers, rows), (dossier_moves, moves), (complaints, claims),
                              (intake_events, intake)):
            if values:
                conn.execute(insert(table), values)


def test_index_months_together_equal_each_month_alone_at_local_month_edges(repo: SqlRepository) -> None:
    _fill(repo)
    with repo.engine.connect() as conn:
        together = index_figures(conn, "SCT", YEAR, MONTHS)
        alone = [queries.month_figures(conn, "SCT", YEAR, m) for m in MONTHS]
        part = index_figures(conn, "SCT", YEAR, [1, 2, 3, 0])
    assert together == alone
    assert part == [alone[0], alone[1], alone[2], alone[-1]]
    assert all(f.received and f.resolved and f.pending for f in together)
    assert sum(f.complained for f in together[:12]) == together[-1].complained > 0
    assert sum(f.refused for f in together[:12]) == together[-1].refused > 0
    assert any(f.pending_in_time < f.pending for f in together)


def test_index_of_a_year_with_nothing_is_zero_months(repo: SqlRepository) -> None:
    with repo.engine.connect() as conn:
        assert index_figures(conn, "SCT", 2030, [1, 0]) == [queries.month_figures(conn, "SCT", 2030, m)
                                                           for m in (1, 0)]
        assert index_figures(conn, "SCT", 2030, []) == []
