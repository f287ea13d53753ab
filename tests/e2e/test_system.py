"""End to end: facts in through the inbound contract; due dates, warnings, SMS, classification, standings, 06a,
the phase-closed proposal and metrics out through the public APIs, the SMTP server and the SMS gateway."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from email.message import Message
from typing import Any

import pytest
import requests

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.testing.polling import wait_until

from .conftest import SYSTEM_KEY, System

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PROCEDURE = "SCT-TM-09"  # committed 5 working days
UNIT, HEAD, OFFICER, DESK = "SCT-QLTM", "SCT-QLTM-01", "SCT-QLTM-03", "SCT-MC-02"
CAL = load_calendar()
SEQ = random.Random().randint(1000, 8000)


def before(day: date, n: int) -> date:
    for _ in range(n):
        day = CAL.previous_working_day(day)
    return day


def anchor() -> date:
    """The first working day whose 17:00 is still ahead: a dossier due then is warned (d-1) but not overdue."""
    now = datetime.now(LOCAL_TZ)
    day = now.date()
    if not CAL.is_working_day(day) or now.time() >= time(17, 0):
        day = CAL.next_working_day(day)
    return day


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).isoformat()


class Dossier:
    def __init__(self, n: int, accepted: date) -> None:
        self.code = f"SCT-{accepted:%y%m%d}-{SEQ + n:04d}"
        self.accepted = accepted
        self.facts: list[dict[str, Any]] = []
        self._n = 0

    def fact(self, fact: str, occurred_at: str, **fields: Any) -> Dossier:
        self._n += 1
        self.facts.append({"fact": fact, "event_id": f"e2e-{self.code}-{self._n}", "code": self.code,
                           "agency": "SCT", "occurred_at": occurred_at, **fields})
        return self

    def accept(self, channel: int = 2) -> Dossier:
        self.fact("dossier.accepted", at(self.accepted, 9), procedure_code=PROCEDURE, channel=channel,
                  unit="SCT-MC", officer=DESK, applicant={"name": "Công ty TNHH Thương mại Đồng Nai",
                                                          "id_number": "079123456789"})
        return self.fact("dossier.transferred", at(self.accepted, 10), unit=UNIT, officer=OFFICER,
                         step="thẩm định")


def by_subject(messages: list[Message], needle: str) -> list[Message]:
    return [m for m in messages if needle in str(m.get("Subject", "")) or needle in _text(m)]


def _text(m: Message) -> str:
    parts = [p for p in m.walk() if p.get_content_type() == "text/plain"]
    return parts[0].get_payload(decode=True).decode("utf-8") if parts else ""


@pytest.fixture(scope="module")
def world(system: System) -> dict[str, Any]:
    d = anchor()
    soon = Dossier(1, before(d, 5)).accept()                 # due d 17:00: warned, not overdue
    overdue = Dossier(2, before(d, 8)).accept()              # due 3 working days before d: overdue now
    early = Dossier(3, before(d, 7)).accept()
    early.fact("result.ready", at(before(d, 4), 15), decision="approved", officer=OFFICER)
    late = Dossier(4, before(d, 10)).accept(channel=1)
    late.fact("result.ready", at(before(d, 3), 10), decision="approved", officer=OFFICER)
    dossiers = {"soon": soon, "overdue": overdue, "early": early, "late": late}
    phase_start = before(d, 30)
    campaign = {
        "id": f"e2e-{SEQ}", "name": "Giải quyết nhanh thủ tục hành chính (kiểm thử)", "agency": "SCT",
        "plan": "e2e", "phases": [{"key": "1", "name": "Đợt 1", "starts_on": phase_start.isoformat(),
                                    "ends_on": (d + timedelta(days=30)).isoformat(),
                                    "review_date": (d + timedelta(days=31)).isoformat()}],
    }
    resp = system.api("scoring", "POST", "/api/v1/campaigns", json=campaign)
    assert resp.status_code == 201, resp.text
    facts = [f for x in dossiers.values() for f in x.facts]
    replies = system.send(facts)
    assert [r["status"] for r in replies] == ["accepted"] * len(facts), replies
    return {"anchor": d, "dossiers": dossiers, "campaign": campaign["id"], "phase_start": phase_start}


def clock(system: System, code: str) -> dict[str, Any] | None:
    resp = system.api("deadline", "GET", f"/api/v1/dossiers/{code}/clock")
    return resp.json() if resp.status_code == 200 else None


def test_due_dates_follow_the_working_day_calendar(system: System, world: dict[str, Any]) -> None:
    d = world["anchor"]
    c = wait_until(lambda: clock(system, world["dossiers"]["soon"].code), what="clock of the due-soon dossier")
    due_at = datetime.fromisoformat(c["due_at"]).astimezone(LOCAL_TZ)
    assert due_at == datetime.combine(d, time(17), tzinfo=LOCAL_TZ)
    assert c["explanation"] and any("làm việc" in line for line in c["explanation"])
    over = wait_until(lambda: clock(system, world["dossiers"]["overdue"].code), what="overdue clock")
    assert datetime.fromisoformat(over["due_at"]).astimezone(LOCAL_TZ).date() == before(d, 3)


def test_resolved_dossiers_are_classified_early_and_late(system: System, world: dict[str, Any]) -> None:
    early = wait_until(lambda: (c := clock(system, world["dossiers"]["early"].code)) and c.get("outcome") and c)
    late = wait_until(lambda: (c := clock(system, world["dossiers"]["late"].code)) and c.get("outcome") and c)
    assert early["outcome"] == "early" and early["working_days_diff"] == -2
    assert late["outcome"] == "late" and late["working_days_diff"] == 2


def test_a_warning_email_goes_out_before_the_due_date(system: System, world: dict[str, Any]) -> None:
    code = world["dossiers"]["soon"].code
    def warnings() -> list[Message]:
        return [m for m in by_subject(system.smtp.messages, code) if "đến hạn" in str(m["Subject"]).lower()]

    mails = wait_until(warnings, what="warning e-mail")
    assert all(str(m["Subject"]).startswith(("[Sắp đến hạn]", "[Đến hạn hôm nay]")) for m in mails)
    text = _text(mails[0])
    assert "Công ty TNHH Thương mại Đồng Nai" in text and "079123456789" not in text
    assert any("@sct.example.vn" in m["X-Envelope-To"] for m in mails)


def test_an_overdue_dossier_sends_an_unaccented_sms(system: System, world: dict[str, Any]) -> None:
    code = world["dossiers"]["overdue"].code
    def overdue_texts() -> list[str]:
        texts = [v for r in system.sms.requests for v in r.values() if isinstance(v, str) and code in v]
        return [t for t in texts if t.startswith("Qua han")]

    texts = wait_until(overdue_texts, what="overdue SMS")
    assert all(t.isascii() for t in texts)
    log = system.api("notify", "GET", "/api/v1/notifications", params={"dossier": code}).json()
    assert any(item["channel"] == "sms" and item["status"] == "sent" for item in log["notifications"])


def test_standings_06a_and_phase_closed_proposal(system: System, world: dict[str, Any]) -> None:
    campaign = world["campaign"]

    def officer_row() -> Any:
        resp = system.api("scoring", "GET", f"/api/v1/campaigns/{campaign}/phases/1/standings",
                          params={"kind": "officer"})
        rows = [r for r in resp.json().get("entries", []) if r["subject"] == OFFICER]
        return rows and rows[0]["criteria"]["handled"] == 2 and rows[0]

    row = wait_until(officer_row, what="standings with both resolved dossiers")
    assert row["criteria"]["late"] == 1 and row["rank"] >= 1 and row["eligible"] is False
    report = system.api("scoring", "GET", "/api/v1/reports/06a", params={
        "agency": "SCT", "from": world["phase_start"].isoformat(), "to": world["anchor"].isoformat()}).json()
    total = report["rows"][-1]
    assert total["key"] == "Tổng cộng" and total["name"] == "Tổng cộng"
    assert total["received_total"] == total["resolved_total"] + total["pending_total"]
    assert total["received_total"] == 4 and total["resolved_total"] == 2 and total["late"] == 1
    assert total["pending_overdue"] == 1 and total["pending_in_time"] == 1
    for row in report["rows"][:-1]:  # each unit's pending = the registry's open dossiers of that unit now
        listed = system.api("intake", "GET", "/api/v1/dossiers", params={
            "unit": row["key"], "open": "true", "received_to": world["anchor"].isoformat()}).json()
        assert row["pending_total"] == listed["total"], row
    assert {r["key"]: r["pending_total"] for r in report["rows"][:-1]} == {UNIT: 2}
    closed = system.api("scoring", "POST", f"/api/v1/campaigns/{campaign}/phases/1/close")
    assert closed.status_code in (200, 201), closed.text
    mails = wait_until(lambda: by_subject(system.smtp.messages, "Đợt 1"), what="phase-closed e-mail")
    assert mails


def test_agency_scope_and_metrics(system: System, world: dict[str, Any]) -> None:
    code = world["dossiers"]["late"].code
    assert system.api("intake", "GET", f"/api/v1/dossiers/{code}", key=SYSTEM_KEY).status_code == 200
    assert system.api("intake", "GET", f"/api/v1/dossiers/{code}", key="wrong").status_code == 401
    intake_metrics = requests.get(system.stack.url("intake") + "/metrics", timeout=5).text
    assert "dunghan_http_request_duration_seconds" in intake_metrics
    worker = requests.get(system.stack.services["deadline"].worker_metrics_url, timeout=5).text
    assert 'dunghan_dossiers_resolved_total{' in worker and 'outcome="late"' in worker
    assert "dunghan_worker_up" in worker
