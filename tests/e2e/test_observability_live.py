"""A real Prometheus with the project's configuration and rules scrapes the four services (and RabbitMQ's
rabbitmq_prometheus plugin) while dossiers flow: every dashboard query and every recording rule returns data,
the official figures equal the scoring API's, and no page alert would fire on the healthy system."""
from __future__ import annotations

import json
import random
import re
import shutil
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.testing.polling import wait_until
from dunghan.testing.prometheus import Prometheus, live_config, live_rules

from .conftest import System

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
CAL = load_calendar()
RABBITMQ_PROMETHEUS = "127.0.0.1:15692"
UNIT, OFFICER, DESK = "SCT-QLTM", "SCT-QLTM-03", "SCT-MC-02"
# A healthy system fires no alert: the firing-alerts table is empty (its count beside it shows 0).
MAY_BE_EMPTY = {"Sức khỏe hệ thống / Cảnh báo đang phát (table)"}
VARIABLES = {"$agency": ".*", "$unit": ".*", "$campaign": ".*", "$phase": ".*"}


def working_days_ago(n: int) -> date:
    day = datetime.now(LOCAL_TZ).date()
    for _ in range(n):
        day = CAL.previous_working_day(day)
    return day


def facts_for(code: str, accepted: date) -> list[dict[str, Any]]:
    at = datetime.combine(accepted, datetime.min.time(), LOCAL_TZ)
    base = {"code": code, "agency": "SCT"}
    return [
        {**base, "fact": "dossier.accepted", "event_id": f"{code}-1",
         "occurred_at": (at + timedelta(hours=9)).isoformat(),
         "procedure_code": "SCT-TM-09", "channel": 2, "unit": "SCT-MC", "officer": DESK,
         "applicant": {"name": "Công ty TNHH Thương mại Đồng Nai", "id_number": "079123456789"}},
        {**base, "fact": "dossier.transferred", "event_id": f"{code}-2",
         "occurred_at": (at + timedelta(hours=10)).isoformat(), "unit": UNIT, "officer": OFFICER,
         "step": "thẩm định"},
    ]


def result(code: str, minutes_ago: int) -> dict[str, Any]:
    return {"fact": "result.ready", "event_id": f"{code}-9", "code": code, "agency": "SCT",
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(),
            "decision": "approved", "officer": OFFICER}


def dashboard_queries() -> dict[str, str]:
    out = {}
    for path in sorted((ROOT / "deploy/grafana/dashboards").glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        for p in board["panels"]:
            for t in p["targets"]:
                expr = t["expr"]
                for var, value in VARIABLES.items():
                    expr = expr.replace(var, value)
                ref = f" #{t['refId']}" if t["refId"] != "A" else ""
                out[f"{board['title']} / {p['title']} ({p['type']}){ref}"] = expr
    return out


def rules() -> tuple[list[str], list[dict[str, Any]]]:
    records, alerts = [], []
    for path in sorted((ROOT / "deploy/prometheus/rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            records += [r["record"] for r in group["rules"] if "record" in r]
            alerts += [r for r in group["rules"] if "alert" in r]
    return records, alerts


@pytest.fixture(scope="module")
def prometheus(system: System, tmp_path_factory: pytest.TempPathFactory) -> Any:
    if shutil.which("prometheus") is None:
        pytest.skip("prometheus not installed (apt-get install prometheus; .ci/run installs it)")
    try:
        requests.get(f"http://{RABBITMQ_PROMETHEUS}/metrics", timeout=3)
    except requests.RequestException:
        pytest.fail("RabbitMQ's prometheus plugin does not answer on :15692 "
                    "(rabbitmq-plugins enable rabbitmq_prometheus; make dev and .ci/run do it)")
    work = tmp_path_factory.mktemp("prometheus")
    config = live_config(system.stack, live_rules(work / "rules"), RABBITMQ_PROMETHEUS, system.prefix)
    prom = Prometheus(work).start(config)
    try:
        yield prom
    finally:
        prom.stop()


def missing(prom: Prometheus, queries: dict[str, str]) -> dict[str, str]:
    return {name: expr for name, expr in queries.items() if not prom.query(expr)}


def test_every_dashboard_query_and_recording_rule_has_data_and_no_page_fires(
        system: System, prometheus: Prometheus) -> None:
    prom = prometheus
    wait_until(lambda: len([r for r in prom.query("up == 1")]) >= 9, timeout=20, what="every target up")
    tag = uuid.uuid4().hex[:4]
    seq = random.Random().randint(8100, 9900)
    accepted = {"overdue": working_days_ago(12), "late": working_days_ago(10), "early": working_days_ago(1)}
    codes = {k: f"SCT-{day:%y%m%d}-{seq + i:04d}" for i, (k, day) in enumerate(accepted.items())}
    phase_start = working_days_ago(25)
    campaign = {"id": f"live-{tag}", "name": "Giải quyết nhanh (kiểm tra giám sát)", "agency": "SCT",
                "plan": "live", "phases": [{"key": "1", "name": "Đợt 1", "starts_on": phase_start.isoformat(),
                                            "ends_on": (date.today() + timedelta(days=30)).isoformat(),
                                            "review_date": (date.today() + timedelta(days=31)).isoformat()}]}
    assert system.api("scoring", "POST", "/api/v1/campaigns", json=campaign).status_code == 201
    opened = [f for k, day in accepted.items() for f in facts_for(codes[k], day)]
    replies = system.send(opened)
    assert {r["status"] for r in replies} == {"accepted"}, replies
    # The resolution counter of the unit is at 0 (created when its clocks started) before its first resolution.
    wait_until(lambda: prom.query(f'dunghan_dossiers_resolved_total{{unit="{UNIT}",outcome="late"}}'), timeout=20,
               what="the unit's resolution series scraped at its starting value")
    bad = {**facts_for(f"SCT-{accepted['early']:%y%m%d}-{seq + 9:04d}", accepted["early"])[0],
           "procedure_code": "KHONG-CO"}
    replies = system.send([result(codes["late"], 2), result(codes["early"], 1), bad])
    assert [r["status"] for r in replies] == ["accepted", "accepted", "rejected"], replies

    queries = dashboard_queries()
    records, alerts = rules()
    queries |= {f"rule {r}": r for r in records}
    assert len(queries) > 90
    wait_until(lambda: not set(missing(prom, queries)) - MAY_BE_EMPTY, timeout=45, interval=1.0,
               what=f"data for every query: missing {sorted(set(missing(prom, queries)) - MAY_BE_EMPTY)}")

    # The official month figure for the unit equals scoring's own count of this month's resolutions.
    month = prom.query(f'agency_unit_period_outcome:dunghan_period_dossiers_resolved:max'
                       f'{{unit="{UNIT}",period="month"}}')
    assert {s["metric"]["outcome"] for s in month} == {"early", "on_time", "late"}
    late_now = prom.query(f'increase(dunghan_dossiers_resolved_total{{unit="{UNIT}",outcome="late"}}[10m])')
    assert sum(float(s["value"][1]) for s in late_now) >= 1, "the unit's first late resolution was not counted"

    # The current phase's figures equal the scoring API's standings for the same dossiers; once closed, the
    # phase leaves the current figures.
    def api_row() -> Any:
        resp = system.api("scoring", "GET", f"/api/v1/campaigns/{campaign['id']}/phases/1/standings",
                          params={"kind": "unit"})
        return next((r for r in resp.json().get("entries", []) if r["subject"] == UNIT), None)

    row = wait_until(api_row, what="the unit in the standings")
    sel = f'{{campaign="{campaign["id"]}",unit="{UNIT}"}}'
    wait_until(lambda: [float(s["value"][1]) for s in prom.query(
        f"campaign_phase_unit:dunghan_campaign_phase_dossiers:sum{sel}")] == [row["criteria"]["handled"]],
        timeout=20, interval=1.0, what="the phase's handled count equal to the standings'")
    outcomes = "campaign_phase_unit_outcome:dunghan_campaign_phase_dossiers:max"
    late = prom.query(f'{outcomes}{sel[:-1]},outcome="late"}}')
    assert [float(s["value"][1]) for s in late] == [row["criteria"]["late"]]
    closed = system.api("scoring", "POST", f"/api/v1/campaigns/{campaign['id']}/phases/1/close")
    assert closed.status_code in (200, 201), closed.text
    wait_until(lambda: not prom.query(f"campaign_phase_unit:dunghan_campaign_ontime:ratio{sel}"), timeout=30,
               interval=1.0, what="the closed phase gone from the current figures")

    pages = {a["alert"]: a["expr"] for a in alerts if a["labels"]["severity"] == "page"}
    firing = {name: prom.query(expr) for name, expr in pages.items()}
    assert {name: res for name, res in firing.items() if res} == {}
    assert prom.query('ALERTS{severity="page",alertstate="firing"}') == []


def test_dashboard_queries_name_only_known_variables() -> None:
    for name, expr in dashboard_queries().items():
        assert not re.search(r"\$\w+", expr.replace("$1", "")), name
