"""What-if over PostgreSQL: a generated demo year through the deadline service's own handler, then the replay
read back from its tables — "no change" reproduces every stored due instant and outcome; the API and the CLI."""
from __future__ import annotations

import io
import json

import pytest
from deadline_fakes import FakeRepository
from openpyxl import load_workbook
from whatif_support import CALENDAR, YEAR, feed, year

from deadline.app import create_app
from deadline.bootstrap import MIGRATIONS
from deadline.cli import main
from deadline.config import Settings
from deadline.handlers import CalendarSource, Deps
from deadline.repository import SqlRepository
from deadline.whatif import Change, Proposal, prepare, run_whatif
from deadline.whatif.check import no_change_mismatches
from deadline.whatif.source import period_facts
from dunghan.db import make_engine, upgrade
from dunghan.web.auth import hash_key

pytestmark = pytest.mark.integration
DOSSIERS = 900
SEVEN = {"from": "2017-01-01", "to": "2017-12-31", "agency": "SCT",
         "procedures": {"SCT-TM-01": {"committed_value": 7, "committed_unit": "working_days"}}}


@pytest.fixture(scope="module")
def loaded(make_database):
    url = make_database("whatif")
    upgrade(url, MIGRATIONS)
    repo = SqlRepository(make_engine(url))
    feed(year(DOSSIERS), repo, Deps(CalendarSource(CALENDAR, repo.notices)))
    yield url, repo
    repo.engine.dispose()


def test_no_change_reproduces_every_stored_due_instant_and_outcome(loaded) -> None:
    _, repo = loaded
    facts = period_facts(repo.engine, YEAR, CALENDAR.tz)
    prepared = prepare(facts, CALENDAR, YEAR)
    resolved = [d for d, r in zip(prepared.facts, prepared.resolved, strict=True) if r]
    assert len(resolved) > 0.9 * DOSSIERS * 0.95
    assert all(d.stored_original_due_at is not None and d.stored_outcome for d in resolved)
    assert no_change_mismatches(prepared) == []
    # and the "no change" report's counts are the stored classifications'
    total = run_whatif(facts, CALENDAR, YEAR, Proposal())["total"]["before"]
    stored = [d.stored_outcome for d in resolved]
    assert (total["early"], total["on_time"], total["late"]) == (
        stored.count("early"), stored.count("on_time"), stored.count("late"))


def test_period_facts_on_postgresql_equal_the_fake(make_database) -> None:
    url = make_database("whatif")
    upgrade(url, MIGRATIONS)
    repo = SqlRepository(make_engine(url))
    fake = FakeRepository()
    facts = year()[:25]
    for r in (repo, fake):
        feed(facts, r, Deps(CalendarSource(CALENDAR, r.notices)))
    for period in (YEAR, type(YEAR)(YEAR.first.replace(month=3), YEAR.first.replace(month=3, day=31))):
        sql = period_facts(repo.engine, period, CALENDAR.tz, agency="SCT")
        assert sql == fake.whatif_facts(period, CALENDAR.tz, agency="SCT")
        assert period_facts(repo.engine, period, CALENDAR.tz, agency="XYZ") == []
    repo.engine.dispose()


def test_api_seven_working_days_instead_of_ten(loaded) -> None:
    url, repo = loaded
    settings = Settings(database_url=url, api_keys=f"op:SCT:operator:{hash_key('k')}")
    client = create_app(settings).test_client()
    h = {"Authorization": "Bearer k"}
    r = client.post("/api/v1/what-if", json=SEVEN, headers=h)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    pure = run_whatif(period_facts(repo.engine, YEAR, CALENDAR.tz), CALENDAR, YEAR,
                      Proposal({"SCT-TM-01": Change(7)}))
    assert body["total"] == pure["total"]
    late = [d for d in body["late_dossiers"] if not d["late_today"]]
    assert late and all(d["procedure_code"] == "SCT-TM-01" for d in late)
    for unit in body["units"]:
        assert sorted(unit["late_codes"]) == sorted(d["code"] for d in body["late_dossiers"]
                                                    if d["unit"] == unit["unit"])
    x = client.post("/api/v1/what-if?format=xlsx", json=SEVEN, headers=h)
    assert x.status_code == 200
    assert load_workbook(io.BytesIO(x.data)).sheetnames[:4] == ["Tổng hợp", "Theo thủ tục", "Theo đơn vị",
                                                                "Hồ sơ trễ hạn"]


def test_cli_reads_the_database(loaded, monkeypatch, capsys, tmp_path) -> None:
    url, _ = loaded
    monkeypatch.setenv("DATABASE_URL", url)
    out = tmp_path / "whatif.xlsx"
    assert main(["what-if", "--from", "2017-01-01", "--to", "2017-12-31", "--procedure", "SCT-TM-01=7d",
                 "--target", "0.9", "--xlsx", str(out)]) == 0
    body = json.loads(capsys.readouterr().out)
    tm01 = next(p for p in body["procedures"] if p["procedure_code"] == "SCT-TM-01")
    assert tm01["proposed"] == {"value": 7.0, "unit": "working_days"} and "curve" not in tm01
    assert body["target"] == 0.9 and out.stat().st_size > 0
