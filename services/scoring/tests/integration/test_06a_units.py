"""Form 06a per unit on PostgreSQL: dossiers accepted at the one-stop desk and transferred to specialist units
sit, at a period's end, with the unit handling them, as the registry's open dossiers of that unit do."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from scoring_events import NOW, PROC  # type: ignore[import-not-found]

from dunghan.clock import LOCAL_TZ
from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import (
    DossierAccepted,
    DossierClassified,
    DossierTransferred,
    Event,
    SupplementReceived,
    SupplementRequested,
    UnitUpdated,
)
from scoring import event_handlers, readers
from scoring.form06a import TOTAL, DossierFact, form_06a
from scoring.periods import Period, official_period
from scoring.repository import SqlRepository

pytestmark = pytest.mark.integration
DESK, SPECIALISTS = "SCT-MC", ("SCT-QLTM", "SCT-KTAT", "SCT-QLNL", "SCT-QLCN", "SCT-VP")
NAMES = {DESK: "Bộ phận Một cửa", "SCT-QLTM": "Phòng Quản lý thương mại", "SCT-KTAT": "Phòng Kỹ thuật an toàn",
         "SCT-QLNL": "Phòng Quản lý năng lượng", "SCT-QLCN": "Phòng Quản lý công nghiệp", "SCT-VP": "Văn phòng"}
FIELDS = ("Lưu thông hàng hóa trong nước", "Điện", "Hóa chất", "Xúc tiến thương mại")


def apply(repo: SqlRepository, ev: Event) -> None:
    assert event_handlers.handle_event(repo, envelope_for(ev, now=NOW), ev, NOW)


def generated(n: int = 400, seed: int = 16) -> list[DossierFact]:
    """A year of dossiers: accepted at the desk, transferred to a specialist unit (some onward), some waiting
    for a supplement, most resolved (the result handed back to the desk a little later)."""
    rnd = random.Random(seed)
    start = datetime(2016, 12, 1, 8, tzinfo=LOCAL_TZ)
    out = []
    for i in range(n):
        accepted = start + timedelta(days=rnd.randint(0, 390), hours=rnd.randint(0, 8))
        holders = [(accepted, DESK), (accepted + timedelta(hours=2), rnd.choice(SPECIALISTS))]
        if rnd.random() < 0.3:
            holders.append((accepted + timedelta(days=rnd.randint(1, 6)), rnd.choice(SPECIALISTS)))
        waits: list[tuple[datetime, datetime | None]] = []
        if rnd.random() < 0.2:
            asked = accepted + timedelta(days=rnd.randint(1, 5), hours=1)
            waits.append((asked, asked + timedelta(days=rnd.randint(2, 20)) if rnd.random() < 0.7 else None))
        stopped = outcome = None
        if rnd.random() < 0.85 and not (waits and waits[0][1] is None):
            stopped = holders[-1][0] + timedelta(days=rnd.randint(1, 25), hours=1)
            if waits:
                stopped = max(stopped, waits[0][1] + timedelta(hours=1))  # type: ignore[operator]
            outcome = rnd.choice(["early", "on_time", "late"])
        out.append(DossierFact(
            code=f"SCT-{i:06d}", unit=holders[-1][1], channel=rnd.choice([1, 2, 3]), accepted_at=accepted,
            stopped_at=stopped, outcome=outcome, due_at=accepted + timedelta(days=rnd.randint(3, 15)),
            waiting_supplement=bool(waits) and waits[-1][1] is None, procedure_code="P1",
            field=rnd.choice(FIELDS), holders=tuple(holders), waits=tuple(waits)))
    return out


def load(repo: SqlRepository, facts: list[DossierFact]) -> None:
    for unit, name in NAMES.items():
        apply(repo, UnitUpdated(unit, "SCT", name))
    for f in facts:
        proc = PROC.__class__(**{**PROC.__dict__, "field": f.field})
        apply(repo, DossierAccepted(f.code, "SCT", f.accepted_at, DESK, "desk", proc, f.channel, "Công ty A"))
        for at, unit in f.holders[1:]:
            apply(repo, DossierTransferred(f.code, "SCT", at, unit, "o1"))
        for asked, back in f.waits:
            apply(repo, SupplementRequested(f.code, "SCT", asked))
            if back is not None:
                apply(repo, SupplementReceived(f.code, "SCT", back))
        if f.stopped_at is not None:
            apply(repo, DossierClassified(
                f.code, "SCT", f.unit_at(f.stopped_at, inclusive=True), "o1", "P1", f.field, f.channel,
                f.accepted_at, f.stopped_at, "result_ready", f.outcome, 0, 16.0, due_at=f.due_at))  # type: ignore[arg-type]
            apply(repo, DossierTransferred(f.code, "SCT", f.stopped_at + timedelta(hours=2), DESK, "desk"))
    with repo.engine.begin() as conn:  # the due date of an open dossier comes from DueDateSet in production
        from sqlalchemy import text

        for f in facts:
            conn.execute(text("UPDATE dossiers SET original_due_at = :d WHERE code = :c"),
                         {"d": f.due_at, "c": f.code})


def registry_open_at(facts: list[DossierFact], end: datetime) -> dict[str, int]:
    """What the registry listed as open per unit at ``end``: accepted, not resolved, by its last handover."""
    out: dict[str, int] = {}
    for f in facts:
        if f.accepted_at < end and (f.stopped_at is None or f.stopped_at >= end):
            unit = [u for at, u in f.holders if at < end][-1]
            out[unit] = out.get(unit, 0) + 1
    return out


PERIODS = (official_period("2017-Q2"), official_period("2017-H1"), official_period("2017"),
           Period(date(2017, 3, 1), date(2017, 6, 29)), Period(date(2017, 7, 1), date(2017, 12, 30)))


def test_each_units_pending_is_the_registrys_open_dossiers_of_that_unit_at_the_period_end(
    repo: SqlRepository,
) -> None:
    facts = generated()
    load(repo, facts)
    for period in PERIODS:
        report = readers.report_06a(repo, "SCT", period)
        by_unit = {r.key: r for r in report.rows if r.key != TOTAL}
        expected = registry_open_at(facts, period.bounds()[1])
        assert {k: r.pending_total for k, r in by_unit.items() if r.pending_total} == expected, period
        assert by_unit.get(DESK) is None or by_unit[DESK].pending_total == expected.get(DESK, 0) == 0
        assert all(r.reconciles() for r in report.rows)
        assert {r.name for r in by_unit.values()} <= set(NAMES.values())
        assert report.rows == form_06a(facts, period, names=NAMES)


def test_06a_by_field_and_received_of_a_closed_period_stay_put_when_dossiers_resolve_later(
    repo: SqlRepository,
) -> None:
    facts = generated(200, seed=3)
    q2 = official_period("2017-Q2")
    end = q2.bounds()[1]
    load(repo, [as_of(f, end) for f in facts if f.accepted_at < end])  # what was known at the end of Q2
    before = readers.report_06a(repo, "SCT", q2).rows
    assert before == form_06a(facts, q2, names=NAMES)
    load(repo, facts)  # then everything after: transfers, supplements, results
    assert readers.report_06a(repo, "SCT", q2).rows == before
    by_field = readers.report_06a(repo, "SCT", q2, "field").rows
    assert by_field == form_06a(facts, q2, by="field")
    assert by_field[-1].received_total == before[-1].received_total
    assert {r.key for r in by_field[:-1]} <= set(FIELDS)


def as_of(f: DossierFact, end: datetime) -> DossierFact:
    """The dossier as known at ``end``: its later moves and its later result not yet there."""
    from dataclasses import replace

    if f.stopped_at is not None and f.stopped_at < end:
        return f
    waits = tuple((a, b if b is not None and b < end else None) for a, b in f.waits if a < end)
    return replace(f, stopped_at=None, outcome=None, holders=tuple(h for h in f.holders if h[0] < end),
                   waits=waits)


def test_api_takes_an_official_period_and_groups_by_field(repo: SqlRepository) -> None:
    from .test_campaign_flow import api_client

    load(repo, generated(60, seed=5))
    c = api_client(repo)
    sys_ = {"Authorization": "Bearer sys-key"}
    body = c.get("/api/v1/reports/06a?agency=SCT&period=2017-Q2", headers=sys_).json
    assert (body["from"], body["to"], body["period"]) == ("2017-03-15", "2017-06-14", "Quý II năm 2017")
    assert body["rows"][0]["stt"] == 1 and body["rows"][-1]["key"] == body["rows"][-1]["unit"] == TOTAL
    assert all(r["name"] in NAMES.values() or r["key"] == TOTAL for r in body["rows"])
    by_field = c.get("/api/v1/reports/06a?agency=SCT&period=2017-Q2&by=field", headers=sys_).json
    assert by_field["rows"][-1]["received_total"] == body["rows"][-1]["received_total"]
    assert all(r["field"] == r["key"] for r in by_field["rows"])
    bad: dict[str, Any] = c.get("/api/v1/reports/06a?agency=SCT&period=2017-Q5", headers=sys_).json
    assert bad["error"]["field"] == "period"
    both = c.get("/api/v1/reports/06a?agency=SCT&period=2017&from=2017-01-01&to=2017-02-01", headers=sys_)
    assert both.status_code == 422
    csv_body = c.get("/api/v1/reports/06a?agency=SCT&period=2017&format=csv", headers=sys_).data
    csv_text = csv_body.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Mẫu số 06a/VPCP/KSTT — SCT — Năm 2017 (từ ngày 15/12/2016")
