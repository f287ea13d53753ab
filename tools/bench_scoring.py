"""Scoring benchmark: standings and a year's 06a over n classified dossiers, against SELECT count(*) on them."""
from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from dunghan.clock import LOCAL_TZ
from dunghan.db import make_engine
from scoring.domain import campaign_from_dict
from scoring.reports import Period
from scoring.repository import queries
from scoring.repository.tables import (
    complaints,
    discipline,
    dossier_moves,
    dossiers,
    metadata,
    names,
    step_results,
)

COLUMNS = ("code", "agency", "unit", "officer", "procedure_code", "procedure_field", "channel", "accepted_at",
           "due_at", "original_due_at", "stopped_at", "stop_reason", "outcome", "working_days_diff",
           "resolution_hours", "apologies", "repeat_supplements")
CAMPAIGN = campaign_from_dict({"id": "bench", "name": "bench", "agency": "SCT", "phases": [
    {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"},
    {"key": "2", "starts_on": "2017-07-01", "ends_on": "2017-12-30", "review_date": "2017-12-31"}]})


def _rows(n: int, seed: int = 1) -> Any:
    rnd = random.Random(seed)
    start = datetime(2016, 12, 1, 8, tzinfo=LOCAL_TZ)
    for i in range(n):
        accepted = start + timedelta(minutes=rnd.randrange(0, 400 * 24 * 60))
        due = accepted + timedelta(days=rnd.randint(1, 15))
        stopped = accepted + timedelta(days=rnd.randint(0, 18), hours=rnd.randint(0, 8))
        diff = (stopped.date() - due.date()).days
        outcome = "early" if diff < 0 else "on_time" if diff == 0 else "late"
        unit = rnd.randrange(20)
        yield (f"SCT-{i:08d}", "SCT", f"U{unit:02d}", f"O{unit:02d}{rnd.randrange(15):02d}",
               f"P{rnd.randrange(200):03d}", "Công nghiệp", rnd.choice((1, 2, 2, 3)), accepted, due, due, stopped,
               "result_ready", outcome, diff, rnd.uniform(2, 160), int(diff > 0 and rnd.random() < 0.3),
               int(rnd.random() < 0.01))


def _fill(conn: Connection, n: int) -> None:
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY dossiers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in _rows(n):
            copy.write_row(row)


def _median(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(database_url: str, n: int = 1_000_000) -> list[dict[str, Any]]:
    """Fill a fresh schema with n classified dossiers (COPY), then time the queries against count(*)."""
    schema = f"bench_scoring_{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            conn.execute(text(f'SET search_path TO "{schema}"'))
            mapped = conn.execution_options(schema_translate_map={None: schema})
            metadata.create_all(mapped, tables=[dossiers, dossier_moves, step_results, names, complaints,
                                                    discipline])
            _fill(conn, n)
            conn.execute(text("VACUUM ANALYZE dossiers"))
            baseline = _median(lambda: conn.execute(text("SELECT count(*) FROM dossiers")).scalar())
            standings = _median(lambda: queries.phase_tallies(conn, CAMPAIGN, CAMPAIGN.phase("2")))
            year = _median(lambda: queries.form_06a(conn, "SCT", Period(date(2017, 1, 1), date(2017, 12, 31))))
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        engine.dispose()
    return [
        {"name": f"scoring_standings_{n}", "value": round(standings, 4), "baseline": round(baseline, 4),
         "ratio": round(standings / baseline, 2)},
        {"name": f"scoring_06a_year_{n}", "value": round(year, 4), "baseline": round(baseline, 4),
         "ratio": round(year / baseline, 2)},
    ]


if __name__ == "__main__":
    import json
    import os

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    url = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    for result in run(url, size):
        print(json.dumps(result))
