"""Staff pages benchmark: form 06a and the service index on screen over a year of an agency's dossiers (real
PostgreSQL, the page rendered by the scoring app as a signed-in officer), against SELECT count(*) on them."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from dunghan.db import make_engine, upgrade
from dunghan.web.auth import hash_key
from dunghan.web.pages import PagesSettings
from dunghan.web.pages.directory import load_directory
from scoring.app import create_app
from scoring.bootstrap import MIGRATIONS
from scoring.config import Settings
from scoring.repository import SqlRepository

sys.path.insert(0, str(Path(__file__).parent))
from bench_scoring import _fill, _median
from bench_web import KEY, _signed_in, scratch_database, time_pages

ORG = Path(__file__).resolve().parents[1] / "services/intake/src/intake/data/org_sct.yaml"


def bench_pages(database_url: str, n: int = 60_000) -> list[dict[str, Any]]:
    """Scoring's report pages and deadline's board and dossier page, each over ``n`` dossiers of one agency in
    about a year (fresh databases); each page's median time against the goal."""
    import bench_pages_deadline

    return _scoring_pages(database_url, n) + bench_pages_deadline.run(database_url, n, load_directory(str(ORG)))


def _scoring_pages(database_url: str, n: int) -> list[dict[str, Any]]:
    with scratch_database(database_url, "bench_pages") as url:
        upgrade(url, MIGRATIONS)
        engine = make_engine(url)
        try:
            return _time_scoring_pages(engine, url, n)
        finally:
            engine.dispose()


def _time_scoring_pages(engine: Any, url: str, n: int) -> list[dict[str, Any]]:
    with engine.begin() as conn:
        _fill(conn, n)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE dossiers"))
        baseline = _median(lambda: conn.execute(text("SELECT count(*) FROM dossiers")).scalar(), repeat=5)
    pages = PagesSettings(secret_key="bench", dev_login=True, org_file=str(ORG))
    keys = f"bench:SCT:operator:{hash_key(KEY)}"
    app = create_app(Settings(database_url=url, pages=pages, api_keys=keys), repo=SqlRepository(engine),
                     directory=load_directory(str(ORG)))
    paths = {"page_06a_year": "/bao-cao/06a?from=2017-01-01&to=2017-12-31",
             "page_index_year": "/bao-cao/chi-so?year=2017",
             "api_index_year": "/api/v1/reports/index?agency=SCT&year=2017"}  # what the index page waits on
    return time_pages(_signed_in(app), paths, n, baseline)


if __name__ == "__main__":
    import json
    import os

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 60_000
    db = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    for result in bench_pages(db, size):
        print(json.dumps(result))
