"""Real database: per-step figures live, frozen at closing and corrected beside; index 3.3 and 06a refusals."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from scoring_events import CAMPAIGN, NOW, PROC, apply  # type: ignore[import-not-found]
from sqlalchemy import text

from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import (
    DossierAccepted,
    DossierClassified,
    DossierRefused,
    DossierSubmitted,
    OfficerUpdated,
    StepResult,
)
from dunghan.web import hash_key
from scoring import readers
from scoring.app import create_app
from scoring.config import Settings
from scoring.form06a import refused_in
from scoring.reports import DossierFact, IntakeFact, Period, form_06a, index_month, month_figures
from scoring.repository import SqlRepository

pytestmark = pytest.mark.integration
DAY = datetime(2017, 4, 3, 9, tzinfo=LOCAL_TZ)


def step(name: str, officer: str, outcome: str, unit: str = "KTAT") -> StepResult:
    return StepResult(name, unit, officer, DAY - timedelta(days=2), DAY - timedelta(days=1), DAY, outcome)  # type: ignore[arg-type]


def classified(code: str, steps: tuple[StepResult, ...], stopped: datetime = DAY) -> DossierClassified:
    return DossierClassified(
        code=code, agency="SCT", unit="KTAT", officer="an", procedure_code="P1", procedure_field="Công nghiệp",
        channel=2, accepted_at=stopped - timedelta(days=4), stopped_at=stopped, stop_reason="result_ready",
        outcome="on_time", working_days_diff=0, resolution_working_hours=24.0, due_at=stopped, steps=steps)


def fill_steps(repo: SqlRepository) -> None:
    apply(repo, OfficerUpdated("binh", "SCT", "KTAT", "Trần Văn Bình"))
    apply(repo, classified("S1", (step("intake", "an", "on_time"), step("review", "binh", "late"),
                                  step("sign", "an", "early"))))
    apply(repo, classified("S2", (step("intake", "an", "early"), step("review", "binh", "late"),
                                  step("sign", "an", "on_time"))))
    apply(repo, classified("S3", (step("intake", "chi", "on_time", "QLTM"),
                                  step("review", "chi", "late", "QLTM"))))
    phase_2 = datetime(2017, 7, 5, 9, tzinfo=LOCAL_TZ)
    apply(repo, classified("S4", (step("review", "an", "late"),), phase_2))


def client(repo: SqlRepository) -> Any:
    keys = f"ops:SCT:operator:{hash_key('op-key')};other:SXD:system:{hash_key('other-key')}"
    return create_app(Settings(api_keys=keys), repo=repo, clock=lambda: NOW).test_client()


def test_steps_endpoint_live_filtered_then_frozen_and_corrected_beside(repo: SqlRepository) -> None:
    fill_steps(repo)
    with repo.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT started_at, due_at, ended_at FROM step_results WHERE code = 'S1' AND seq = 1")).one()
    assert row.due_at == DAY - timedelta(days=1) and row.ended_at == DAY
    c, op = client(repo), {"Authorization": "Bearer op-key"}
    url = f"/api/v1/campaigns/{CAMPAIGN}/phases/1/steps"
    body = c.get(url, headers=op).json
    assert body["state"] == "open"
    by = {s["step"]: s for s in body["steps"]}
    assert [s["step"] for s in body["steps"]] == ["intake", "review", "sign"]
    assert (by["review"]["handled"], by["review"]["late"], by["review"]["late_share"]) == (3, 3, 100.0)
    assert by["review"]["top_late_officers"] == [
        {"officer": "binh", "name": "Trần Văn Bình", "late": 2}, {"officer": "chi", "name": "chi", "late": 1}]
    assert (by["intake"]["early"], by["intake"]["on_time"], by["intake"]["late"]) == (1, 2, 0)
    qltm = c.get(url + "?unit=QLTM", headers=op).json["steps"]
    assert [(s["step"], s["handled"]) for s in qltm] == [("intake", 1), ("review", 1)]
    an = c.get(url + "?officer=an", headers=op).json["steps"]
    assert [(s["step"], s["handled"], s["late"]) for s in an] == [("intake", 2, 0), ("sign", 2, 0)]
    assert c.get(url, headers={"Authorization": "Bearer other-key"}).status_code == 403
    assert c.get(f"/api/v1/campaigns/{CAMPAIGN}/phases/9/steps", headers=op).status_code == 404

    closed = c.post(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/close", headers=op).json
    assert {s["step"]: s["late"] for s in closed["steps"]} == {"intake": 0, "review": 3, "sign": 0}
    apply(repo, classified("S1", (step("intake", "an", "on_time"), step("review", "binh", "on_time"),
                                  step("sign", "an", "early"))))
    apply(repo, classified("S5", (step("review", "chi", "late", "QLTM"),),
                           datetime(2017, 5, 2, 9, tzinfo=LOCAL_TZ)))
    frozen = c.get(url, headers=op).json
    assert frozen["state"] == "closed" and frozen["steps"] == body["steps"]
    standings = c.get(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/standings?kind=officer", headers=op).json
    assert standings["state"] == "closed" and standings["steps"] == body["steps"]
    corr = c.get(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/corrections", headers=op).json["items"]
    assert [(i["code"], [s["outcome"] for s in i["steps"]]) for i in corr] == [
        ("S1", ["on_time", "on_time", "early"]), ("S5", ["late"])]
    live2 = c.get(f"/api/v1/campaigns/{CAMPAIGN}/phases/2/steps", headers=op).json
    assert live2["state"] == "open" and [(s["step"], s["late"]) for s in live2["steps"]] == [("review", 1)]


def test_sql_index_and_06a_count_receipts_like_the_pure_reports(
    repo: SqlRepository, make_facts: Callable[..., list[DossierFact]],
    make_intake: Callable[..., list[IntakeFact]],
) -> None:
    facts = make_facts(n=500)
    intake = make_intake(facts, n_refused=150)
    for e in intake:
        if e.kind == "submitted":
            apply(repo, DossierSubmitted(e.code, "SCT", e.occurred_at, "P1", e.channel or 2))
        else:
            apply(repo, DossierRefused(e.code, "SCT", e.occurred_at, "thiếu hồ sơ", "P1", e.channel, e.unit))
    for f in facts:
        apply(repo, DossierAccepted(f.code, "SCT", f.accepted_at, f.unit, "o1", PROC, f.channel, "Công ty A"))
        if f.stopped_at is not None:
            apply(repo, DossierClassified(
                f.code, "SCT", f.unit, "o1", f.procedure_code, "x", f.channel, f.accepted_at, f.stopped_at,
                "result_ready", f.outcome, 0, float(f.resolution_working_hours or 0), due_at=f.due_at))  # type: ignore[arg-type]
    with repo.engine.begin() as conn:
        for f in facts:
            conn.execute(text("UPDATE dossiers SET original_due_at = :d, waiting_supplement = :w WHERE code = :c"),
                         {"d": f.due_at, "w": f.waiting_supplement, "c": f.code})
    for period in (Period(date(2017, 1, 1), date(2017, 12, 31)), Period(date(2017, 4, 1), date(2017, 4, 30))):
        report = readers.report_06a(repo, "SCT", period)
        assert report.rows == form_06a(facts, period)
        assert all(r.reconciles() for r in report.rows)
        assert report.refused_at_intake == refused_in(intake, period)
        assert sum(report.refused_at_intake.values()) > 0
    months = readers.report_index(repo, "SCT", 2017, retroactive=True).months
    pure = [index_month(month_figures(facts, 2017, m, intake)) for m in (*range(1, 13), 0)]
    fields = lambda i: (i.received, i.received_in_period, i.refused, i.resolved, i.pending,  # noqa: E731
                        i.on_time_rate, i.i2_1, i.i2_2, i.i3_3, i.i3_3_points)
    assert [fields(m) for m in months] == [fields(m) for m in pure]  # 5.4 needs complaints, not loaded here
    assert all(m.refused > 0 for m in months)
