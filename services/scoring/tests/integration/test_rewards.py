"""Rewards on PostgreSQL: the proposal store contract, the workflow over HTTP with role checks, the exports, the
final review, correction flags beside frozen figures."""
from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from proposal_fakes import proposal_store_contract
from sqlalchemy import text

from dunghan.clock import LOCAL_TZ
from dunghan.web import hash_key
from scoring import campaign_file, commands, errors, readers
from scoring.app import create_app
from scoring.config import Settings
from scoring.repository import SqlRepository

from .test_campaign_flow import CAMPAIGN, apply, classified, fill_phase_1  # type: ignore[import-not-found]

pytestmark = pytest.mark.integration
URL = f"/api/v1/campaigns/{CAMPAIGN}/phases"


def client(repo: SqlRepository):  # type: ignore[no-untyped-def]
    keys = ";".join(f"{n}:SCT:{role}:{hash_key(n + '-key')}" for n, role in (
        ("ops", "operator"), ("sys", "system"), ("cd", "union"), ("gd", "leadership")))
    app = create_app(Settings(api_keys=keys), repo=repo, clock=lambda: datetime(2017, 7, 3, tzinfo=UTC))
    return app.test_client()


def h(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}-key"}


def test_postgres_keeps_the_proposal_store_contract(repo: SqlRepository) -> None:
    proposal_store_contract(repo)


def test_proposals_workflow_over_http_with_roles_exports_and_correction_flags(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    c = client(repo)
    assert c.get(f"{URL}/1/proposals", headers=h("sys")).status_code == 409  # not closed yet
    closed = c.post(f"{URL}/1/close", headers=h("ops")).json
    assert {p["title"] for p in closed["proposals"]} <= {"Giấy khen (cá nhân)", "Giấy khen (tập thể)"}
    review = c.get(f"{URL}/1/proposals", headers=h("sys")).json
    assert review["state"] == "drafted" and review["items"] and review["log"][0]["action"] == "drafted"
    body = {"kind": "officer", "subject": "chi", "title": "Giấy khen (cá nhân)", "reason": "Nhân tố điển hình"}
    assert c.post(f"{URL}/1/proposals", headers=h("sys"), json=body).status_code == 403
    assert c.post(f"{URL}/1/proposals", headers=h("gd"), json=body).status_code == 403
    assert c.post(f"{URL}/1/proposals", headers=h("cd"), json={**body, "title": "Lao động tiên tiến"}
                  ).json["error"]["field"] == "title"
    added = c.post(f"{URL}/1/proposals", headers=h("cd"), json=body)
    assert added.status_code == 201
    assert c.post(f"{URL}/1/proposals", headers=h("cd"), json=body).status_code == 409
    first = review["items"][0]["id"]
    assert c.post(f"{URL}/1/proposals/{first}/remove", headers=h("cd"), json={}).json["error"]["field"] == "reason"
    assert c.post(f"{URL}/1/proposals/{first}/remove", headers=h("cd"), json={"reason": "Đã khen đợt trước"}
                  ).status_code == 200
    decision = {"decision_number": "45/QĐ-SCT", "decision_date": "2017-07-10"}
    assert c.post(f"{URL}/1/proposals/decision", headers=h("gd"), json=decision).status_code == 409
    assert c.post(f"{URL}/1/proposals/compile", headers=h("gd")).status_code == 403
    assert c.post(f"{URL}/1/proposals/compile", headers=h("cd")).status_code == 200
    assert c.post(f"{URL}/1/proposals/decision", headers=h("cd"), json=decision).status_code == 403
    assert c.post(f"{URL}/1/proposals/decision", headers=h("gd"), json=decision).status_code == 200
    apply(repo, classified("A0", "an", "late", datetime(2017, 4, 3, 9, tzinfo=LOCAL_TZ)))  # after the freeze

    review = c.get(f"{URL}/1/proposals", headers=h("sys")).json
    assert (review["state"], review["decision_number"], review["decision_date"]) == (
        "decided", "45/QĐ-SCT", "2017-07-10")
    active = [i for i in review["items"] if i["status"] == "proposed"]
    assert {i["amount_vnd"] for i in active if i["kind"] == "officer"} == {390_000}  # base salary of 10/07/2017
    assert [(e["action"], e["by"], e["role"]) for e in review["log"][-4:]] == [
        ("added", "cd", "union"), ("removed", "cd", "union"), ("compiled", "cd", "union"),
        ("decided", "gd", "leadership")]
    an = next((i for i in review["items"] if i["subject"] == "an"), None)
    if an is not None:
        assert an["corrections"][0]["code"] == "A0"
    standings = c.get(f"{URL}/1/standings?kind=officer", headers=h("sys")).json
    an_entry = next(e for e in standings["entries"] if e["subject"] == "an")
    assert an_entry["corrected"] and an_entry["criteria"]["late"] == 0.0  # frozen figures unchanged

    wb = load_workbook(io.BytesIO(c.get(f"{URL}/1/proposals?format=xlsx", headers=h("sys")).data))
    ws = wb.active
    assert [cell.value for cell in ws[3]][:4] == ["STT", "Họ và tên / Tập thể", "Đơn vị", "Hình thức khen thưởng"]
    assert ws.cell(row=ws.max_row, column=2).value == "Tổng cộng"
    doc = Document(io.BytesIO(c.get(f"{URL}/1/proposals?format=docx", headers=h("sys")).data))
    texts = [p.text for p in doc.paragraphs]
    assert "TỜ TRÌNH" in texts and any(t.startswith("Kính gửi: Giám đốc Sở Công Thương") for t in texts)
    header, table, _sign = doc.tables
    assert header.cell(0, 1).paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert table.rows[0].cells[0].text == "STT" and len(table.rows) == len(active) + 2
    assert any("45/QĐ-SCT" in t for t in texts)


def test_the_final_review_waits_for_every_phase_and_proposes_the_annual_titles_once(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    with pytest.raises(errors.Conflict):
        commands.close_phase(repo, CAMPAIGN, "tong-ket", datetime(2018, 1, 2, tzinfo=UTC))
    commands.close_phase(repo, CAMPAIGN, "1", datetime(2017, 6, 30, 10, tzinfo=UTC))
    apply(repo, classified("A0", "an", "late", datetime(2017, 4, 3, 9, tzinfo=LOCAL_TZ)))
    assert commands.close_due_phases(repo, datetime(2018, 1, 1, 3, tzinfo=UTC)) == [
        (CAMPAIGN, "2"), (CAMPAIGN, "tong-ket")]
    with repo.engine.connect() as conn:
        bodies = [json.loads(r.body)["data"] for r in conn.execute(text("SELECT body FROM outbox ORDER BY id"))]
    final = bodies[-1]
    assert final["phase"] == "tong-ket" and final["rules"] and final["corrections"]
    assert "A0" in final["corrections"][0]
    titles = [(p["subject"], p["title"]) for p in final["proposals"]]
    assert len({s for s, _ in titles}) == len(titles)
    phase_titles = {p["title"] for b in bodies[:-1] for p in b["proposals"]}
    assert phase_titles <= {"Giấy khen (cá nhân)", "Giấy khen (tập thể)"}


def test_migration_adds_the_final_review_of_campaigns_stored_before_it(make_database) -> None:  # type: ignore[no-untyped-def]
    from dunghan.db import make_engine, upgrade
    from scoring.bootstrap import MIGRATIONS
    from scoring.config import SAMPLE_CAMPAIGN

    url = make_database("scoring_0003")
    upgrade(url, MIGRATIONS, "0002")
    engine = make_engine(url)
    try:
        campaign_file.load_campaign_file(_Pre0003(engine), SAMPLE_CAMPAIGN)
        upgrade(url, MIGRATIONS)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT key, starts_on, ends_on, review_date, state, name FROM phases "
                                     "ORDER BY key")).all()
        assert [(r.key, str(r.starts_on), str(r.ends_on), r.state) for r in rows] == [
            ("1", "2017-03-01", "2017-06-29", "open"), ("2", "2017-07-01", "2017-12-30", "open"),
            ("tong-ket", "2017-03-01", "2017-12-30", "open")]
        assert rows[-1].name.startswith("Tổng kết chiến dịch “Giải quyết nhanh")
        repo = SqlRepository(engine)
        commands.close_phase(repo, CAMPAIGN, "1", datetime(2017, 6, 30, 10, tzinfo=UTC))
        assert readers.standings(repo, CAMPAIGN, "tong-ket", "unit").state == "open"
    finally:
        engine.dispose()


class _Pre0003(SqlRepository):
    """Stores a campaign as the code before 0003 did: its phases only."""

    def __init__(self, engine):  # type: ignore[no-untyped-def]
        from scoring.repository import ScoringUow

        super().__init__(engine)

        class Uow(ScoringUow):
            def bind(self, conn):  # type: ignore[no-untyped-def]
                t = super().bind(conn)
                t.save_campaign = lambda c: _save_phases_only(conn, c)  # type: ignore[method-assign]
                return t

        self.uow = Uow(engine)


def _save_phases_only(conn, c) -> None:  # type: ignore[no-untyped-def]
    from scoring.domain import campaign_to_dict
    from scoring.repository.tables import campaigns, phases

    conn.execute(campaigns.insert().values(id=c.id, name=c.name, agency=c.agency, plan=c.plan,
                                           definition=campaign_to_dict(c)))
    conn.execute(phases.insert(), [{"campaign_id": c.id, "key": p.key, "name": p.name, "starts_on": p.starts_on,
                                    "ends_on": p.ends_on, "review_date": p.review_date} for p in c.phases])
