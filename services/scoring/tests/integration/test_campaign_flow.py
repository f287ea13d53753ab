"""Classified events in → standings; closing freezes and queues PhaseClosed once; late corrections sit beside."""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from scoring_events import CAMPAIGN, PROC, apply  # type: ignore[import-not-found]
from sqlalchemy import text

from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import (
    DossierAccepted,
    DossierClassified,
    OfficerUpdated,
    StepResult,
)
from dunghan.web import hash_key
from scoring import commands, errors, readers, records
from scoring.app import create_app
from scoring.config import Settings
from scoring.reports import DossierFact, Period, form_06a
from scoring.repository import SqlRepository

pytestmark = pytest.mark.integration


def classified(code: str, officer: str, outcome: str, stopped: datetime, unit: str = "KTAT",
               **kw: Any) -> DossierClassified:
    return DossierClassified(
        code=code, agency="SCT", unit=unit, officer=officer, procedure_code="P1", procedure_field="Công nghiệp",
        channel=2, accepted_at=stopped - timedelta(days=4), stopped_at=stopped, stop_reason="result_ready",
        outcome=outcome, working_days_diff=0, resolution_working_hours=24.0, due_at=stopped, **kw)  # type: ignore[arg-type]


def fill_phase_1(repo: SqlRepository) -> None:
    apply(repo, OfficerUpdated("an", "SCT", "KTAT", "Nguyễn Văn An", email="an@example.vn"))
    day = datetime(2017, 4, 3, 9, tzinfo=LOCAL_TZ)
    for i in range(6):
        apply(repo, classified(f"A{i}", "an", "early" if i < 3 else "on_time", day + timedelta(days=i)))
        apply(repo, classified(f"B{i}", "binh", "on_time", day + timedelta(days=i)))
        apply(repo, classified(f"C{i}", "chi", "late" if i == 0 else "early", day + timedelta(days=i),
                               unit="QLTM"))
    step = StepResult("review", "KTAT", "binh", day, day, day, "late")
    apply(repo, classified("B9", "binh", "on_time", day, steps=(step,), supplement_requests=2))
    apply(repo, classified("OUT", "an", "late", datetime(2017, 7, 3, 9, tzinfo=LOCAL_TZ)))  # phase 2


def test_classified_events_make_standings_with_ties_gates_and_names(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    st = readers.standings(repo, CAMPAIGN, "1", "officer")
    by = {s.tally.subject: s for s in st.entries}
    assert st.state == "open"
    assert by["an"].tally.name == "Nguyễn Văn An" and by["an"].tally.handled == 6 and by["an"].rank == 1
    assert by["binh"].tally.repeat_supplements == 1 and by["binh"].tally.late_steps == 1
    assert by["chi"].gates["no_late"] is False and not by["chi"].eligible
    units = readers.standings(repo, CAMPAIGN, "1", "unit").entries
    assert {u.tally.subject: (u.tally.handled, u.tally.late_steps, u.eligible) for u in units} == {
        "KTAT": (13, 1, False), "QLTM": (6, 0, False)}  # KTAT: its one step was late
    assert next(u for u in units if u.tally.subject == "KTAT").gates["within_late_share"] is False


def test_close_freezes_once_queues_phase_closed_and_records_late_corrections(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    ev = commands.close_phase(repo, CAMPAIGN, "1", datetime(2017, 6, 30, 10, tzinfo=UTC))
    assert {p.subject for p in ev.proposals if p.title == "Giấy khen (cá nhân)"} == {"an", "binh"}
    assert {p.amount_vnd for p in ev.proposals if p.subject == "an"} == {363_000}
    with pytest.raises(errors.Conflict):
        commands.close_phase(repo, CAMPAIGN, "1", datetime(2017, 6, 30, 11, tzinfo=UTC))
    assert commands.close_due_phases(repo, datetime(2017, 7, 1, tzinfo=UTC)) == []
    with repo.engine.connect() as conn:
        rows = conn.execute(text("SELECT routing_key, body FROM outbox")).all()
    assert [r.routing_key for r in rows] == ["scoring.phase_closed.v1._"]  # no agency: the word `_`
    assert json.loads(rows[0].body)["data"]["phase"] == "1"

    ce = apply(repo, classified("A0", "an", "late", datetime(2017, 4, 3, 9, tzinfo=LOCAL_TZ)))
    apply(repo, classified("NEW", "binh", "early", datetime(2017, 5, 3, 9, tzinfo=LOCAL_TZ)))
    frozen = readers.standings(repo, CAMPAIGN, "1", "officer")
    assert frozen.state == "closed" and next(s for s in frozen.entries if s.tally.subject == "an").tally.late == 0
    corr = records.corrections(repo, CAMPAIGN, "1")
    assert [(c["code"], c["outcome"], c["previous_outcome"]) for c in corr] == [
        ("A0", "late", "early"), ("NEW", "early", None)]
    assert corr[0]["event_id"] == ce.id


def test_periodic_job_closes_phases_whose_review_date_has_come(repo: SqlRepository) -> None:
    assert commands.close_due_phases(repo, datetime(2017, 6, 29, 12, tzinfo=UTC)) == []
    assert commands.close_due_phases(repo, datetime(2017, 6, 29, 17, 30, tzinfo=UTC)) == [(CAMPAIGN, "1")]
    assert commands.close_due_phases(repo, datetime(2018, 1, 1, tzinfo=UTC)) == [
        (CAMPAIGN, "2"), (CAMPAIGN, "tong-ket")]


def test_phases_reviewed_long_ago_are_history_left_for_an_operator_to_close(repo: SqlRepository) -> None:
    assert commands.close_due_phases(repo, datetime(2026, 11, 26, tzinfo=UTC)) == []
    assert commands.close_due_phases(repo, datetime(2017, 7, 20, tzinfo=UTC), window_days=30) == [(CAMPAIGN, "1")]


def test_sql_06a_matches_the_pure_report_and_reconciles(
    repo: SqlRepository, make_facts: Callable[..., list[DossierFact]]
) -> None:
    facts = make_facts(n=600)
    for f in facts:
        apply(repo, DossierAccepted(f.code, "SCT", f.accepted_at, f.unit, "o1", PROC, f.channel, "Công ty A"))
        if f.stopped_at is not None:
            apply(repo, DossierClassified(
                f.code, "SCT", f.unit, "o1", f.procedure_code, "x", f.channel, f.accepted_at, f.stopped_at,
                "result_ready", f.outcome, 0, float(f.resolution_working_hours or 0), due_at=f.due_at))  # type: ignore[arg-type]
    with repo.engine.begin() as conn:  # pending dossiers carry their due date (set by DueDateSet in production)
        for f in facts:
            conn.execute(text("UPDATE dossiers SET original_due_at = :d, waiting_supplement = :w WHERE code = :c"),
                         {"d": f.due_at, "w": f.waiting_supplement, "c": f.code})
    period = Period(date(2017, 1, 1), date(2017, 12, 31))
    rows = readers.report_06a(repo, "SCT", period).rows
    assert rows == form_06a(facts, period)
    assert all(r.reconciles() for r in rows)
    months = readers.report_index(repo, "SCT", 2017, retroactive=True).months
    assert len(months) == 13 and all(m.i2_1 is not None for m in months)


def api_client(repo: SqlRepository) -> Any:
    keys = f"ops:SCT:operator:{hash_key('op-key')};sys:SCT:system:{hash_key('sys-key')};" \
           f"other:SXD:system:{hash_key('other-key')}"
    app = create_app(Settings(api_keys=keys), repo=repo, clock=lambda: datetime(2018, 1, 5, tzinfo=UTC))
    return app.test_client()


def test_api_standings_close_exports_and_auth(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    c = api_client(repo)
    op, sys_ = {"Authorization": "Bearer op-key"}, {"Authorization": "Bearer sys-key"}
    r = c.get(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/standings?kind=officer", headers=sys_)
    assert r.status_code == 200 and r.json["entries"][0]["subject"] == "an"
    assert c.get(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/standings",
                 headers={"Authorization": "Bearer other-key"}).status_code == 403
    assert c.post(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/close", headers=sys_).status_code == 403
    r = c.post(f"/api/v1/campaigns/{CAMPAIGN}/complaints", headers=op,
               json={"kind": "officer", "subject": "an", "occurred_on": "2017-05-02", "phase": "1"})
    assert r.status_code == 201
    assert c.post(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/close", headers=op).status_code == 200
    assert c.post(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/close", headers=op).json["error"]["code"] == "conflict"
    frozen = c.get(f"/api/v1/campaigns/{CAMPAIGN}/phases/1/standings?kind=officer", headers=sys_).json
    assert frozen["state"] == "closed" and frozen["config"]["gates"]["max_late"] == 0
    assert not next(e for e in frozen["entries"] if e["subject"] == "an")["gates"]["no_complaints"]
    new = {"id": "c2", "name": "Thử", "agency": "SCT", "phases": [
        {"key": "1", "starts_on": "2018-01-01", "ends_on": "2018-06-29", "review_date": "2018-06-30"}]}
    assert c.post("/api/v1/campaigns", headers=op, json=new).status_code == 201
    assert c.post("/api/v1/campaigns", headers=op, json=new).status_code == 409

    q = "/api/v1/reports/06a?agency=SCT&from=2017-01-01&to=2017-12-31"
    assert c.get(q, headers=sys_).json["rows"][-1]["received_total"] == 20
    csv_text = c.get(q + "&format=csv", headers=sys_).data.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("STT,Đơn vị / lĩnh vực,Số hồ sơ nhận giải quyết: Tổng số,"
                                               "Trong kỳ: Trực tuyến,\"Trong kỳ: Trực tiếp, dịch vụ bưu chính\"")
    wb = load_workbook(io.BytesIO(c.get(q + "&format=xlsx", headers=sys_).data))
    assert wb.active["A1"].value == "SỞ CÔNG THƯƠNG TỈNH BÀ RỊA-VŨNG TÀU"  # type: ignore[index]
    idx = c.get("/api/v1/reports/index?agency=SCT&year=2017", headers=sys_).json
    assert len(idx["months"]) == 13 and idx["months"][-1]["month"] == "Cả năm"
    assert idx["applies"] is False and idx["months"][3]["i3_3"] is None and idx["months"][3]["on_time_rate"]
    back = c.get("/api/v1/reports/index?agency=SCT&year=2017&retroactive=true", headers=sys_).json
    assert back["retroactive"] is True and back["months"][3]["i3_3"] == 100.0
    assert c.get("/api/v1/reports/index?agency=SCT&year=2017&format=xlsx", headers=sys_).status_code == 200


def test_metrics_read_from_the_database_equal_the_standings_and_drop_a_closed_phase(repo: SqlRepository) -> None:
    from datetime import UTC, datetime

    from prometheus_client import CollectorRegistry

    from scoring.metrics import ScoringCollector

    fill_phase_1(repo)
    registry = CollectorRegistry()
    collector = ScoringCollector(repo, lambda: datetime(2017, 7, 3, tzinfo=UTC), cache_seconds=0)
    registry.register(collector)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, {"campaign": CAMPAIGN, "phase": "1", **labels})

    standings = readers.standings(repo, CAMPAIGN, "1", "unit").entries
    ktat = next(t for t in standings if t.tally.subject == "KTAT")
    assert value("dunghan_campaign_phase_dossiers", unit="KTAT", outcome="late") == ktat.tally.late
    assert value("dunghan_campaign_phase_dossiers", unit="KTAT", outcome="on_time") == ktat.tally.on_time
    assert value("dunghan_campaign_score", unit="KTAT") == ktat.score
    assert value("dunghan_campaign_phase_state", state="open") == 1.0

    def period(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, {"agency": "SCT", **labels})

    # Official figures by resolution date: July 2017 holds only OUT (late); the year holds every one.
    resolved = "dunghan_period_dossiers_resolved"
    assert period(resolved, unit="KTAT", period="month", outcome="late") == 1
    assert period(resolved, unit="KTAT", period="month", outcome="early") == 0
    assert period(resolved, unit="KTAT", period="year", outcome="on_time") == 10
    assert period(resolved, unit="QLTM", period="year", outcome="late") == 1
    by_procedure = "dunghan_period_procedure_dossiers_resolved"
    assert period(by_procedure, procedure="P1", period="year", outcome="early") == 8
    commands.close_phase(repo, CAMPAIGN, "1", datetime(2017, 7, 3, tzinfo=UTC))
    assert value("dunghan_campaign_phase_state", state="open") == 0.0
    assert value("dunghan_campaign_phase_state", state="closed") == 1.0
    assert value("dunghan_campaign_phase_dossiers", unit="KTAT", outcome="late") is None
    assert value("dunghan_campaign_score", unit="KTAT") == ktat.score

