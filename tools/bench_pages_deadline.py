"""Deadline's pages over a year of an agency's dossiers on PostgreSQL: the unit head's board, the dossier page."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from deadline import handlers
from deadline import tables as t
from deadline.app import create_app
from deadline.bootstrap import MIGRATIONS
from deadline.config import Settings
from deadline.domain import Dossier
from deadline.handlers import CalendarSource, Deps
from deadline.repository import SAVE, SqlRepository, dossier_row
from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract import envelope_for
from dunghan.contract import events as ev
from dunghan.db import make_engine, upgrade
from dunghan.web.pages import PagesSettings
from dunghan.web.pages.directory import Directory

UNITS = ("SCT-VP", "SCT-QLTM", "SCT-KTAT", "SCT-QLCN", "SCT-QLNL", "SCT-TTS", "SCT-MC")
PROCEDURE = ev.ProcedureSnapshot(code="SCT-TM-09", version=1, name="Cấp Giấy phép thành lập Văn phòng đại diện",
                                 field="thuong_mai", committed_value=5, committed_unit="working_days",
                                 statutory_value=7, statutory_unit="working_days")


def _year(n: int, now: datetime, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` dossiers accepted over the year before ``now``: those of the last weeks mostly open."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        accepted = now - timedelta(minutes=rnd.randrange(0, 365 * 24 * 60))
        due = accepted + timedelta(days=rnd.randint(3, 20))
        open_ = (now - accepted).days < 25 and rnd.random() < 0.7
        stopped = None if open_ else min(now, accepted + timedelta(days=rnd.randint(1, 22)))
        unit = UNITS[rnd.randrange(len(UNITS))]
        d = Dossier(code=f"BENCH-{i:07d}", agency="SCT", procedure=PROCEDURE, unit=unit,
                    officer=f"{unit}-0{rnd.randint(1, 5)}", channel=2, accepted_at=accepted, start_at=accepted,
                    due_at=due, original_due_at=due,
                    due_date=due.date(), paused=open_ and rnd.random() < 0.1, stopped_at=stopped,
                    state="on_time" if open_ else "done_on_time")
        rows.append(dossier_row(d, now))
    return rows


def run(database_url: str, n: int, directory: Directory) -> list[dict[str, Any]]:
    from bench_scoring import _median
    from bench_web import _signed_in, scratch_database, time_pages

    with scratch_database(database_url, "bench_pages_dl") as url:
        upgrade(url, MIGRATIONS)
        engine = make_engine(url)
        try:
            now = datetime.now(LOCAL_TZ).replace(microsecond=0)
            rows = _year(n, now)
            with engine.begin() as conn:
                for start in range(0, len(rows), 5000):
                    conn.execute(SAVE, rows[start:start + 5000])
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"VACUUM ANALYZE {t.dossiers.name}"))
                count = text(f"SELECT count(*) FROM {t.dossiers.name}")
                baseline = _median(lambda: conn.execute(count).scalar(), repeat=5)
            repo = SqlRepository(engine)
            deps = Deps(CalendarSource(load_calendar(), repo.notices))
            accepted = ev.DossierAccepted(code="BENCH-PAGE", agency="SCT", occurred_at=now - timedelta(days=2),
                                          unit="SCT-QLTM", officer="SCT-QLTM-03", procedure=PROCEDURE, channel=2,
                                          applicant_name="Công ty kiểm thử")
            handlers.handle_event(envelope_for(accepted, now=now), repo, deps, now)
            app = create_app(Settings(migrate=False, pages=PagesSettings(secret_key="bench", dev_login=True)),
                             repo=repo, deps=deps, directory=directory)
            paths = {"page_unit_board": "/don-vi", "page_dossier": "/ho-so/BENCH-PAGE"}
            return time_pages(_signed_in(app, "SCT-QLTM-01"), paths, n, baseline)
        finally:
            engine.dispose()
