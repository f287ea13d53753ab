"""What the page benchmarks share: a scratch database, a signed-in test client, each page's median time."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bench_scoring import _median
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dunghan.db import make_engine

GOAL_SECONDS = 0.3
KEY = "bench-pages-key"


def _signed_in(app: Any, officer: str = "SCT-VP-01") -> Any:
    client = app.test_client()
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/dang-nhap/dev", data={"csrf_token": token, "officer": officer})
    return client


def _get(client: Any, path: str) -> None:
    response = client.get(path, headers={"Authorization": f"Bearer {KEY}"} if path.startswith("/api/") else {})
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")


@contextmanager
def scratch_database(database_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database ``<prefix>_<random>`` beside ``database_url``, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def time_pages(client: Any, paths: Mapping[str, str], n: int, baseline: float) -> list[dict[str, Any]]:
    """Each page's median time after a warm-up (templates compiled, statements cached), against ``baseline``."""
    for path in paths.values():
        _get(client, path)
    timed = {key: _median(lambda p=path: _get(client, p), repeat=5) for key, path in paths.items()}
    return [{"name": f"{key}_{n}", "value": round(value, 4), "unit": "s", "baseline": round(baseline, 4),
             "ratio": round(value / baseline, 2), **_goal(key, value)} for key, value in timed.items()]


def _goal(key: str, value: float) -> dict[str, Any]:
    """The pages' goal; the API figure shows what the index page waits on."""
    if not key.startswith("page_"):
        return {"goal": None, "met": None}
    return {"goal": f"value < {GOAL_SECONDS:g}", "met": value < GOAL_SECONDS}
