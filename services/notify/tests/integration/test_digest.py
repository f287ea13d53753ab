"""The unit heads' daily digest, end to end on PostgreSQL: due dates and classifications in through the event
processor, the digest job, the send loop, and each head's mail caught by a real SMTP server (aiosmtpd) with the
unit's open dossiers; once a day."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev
from dunghan.contract.envelope import encode, envelope_for
from dunghan.testing.sinks import SmtpSink
from notify.channels.email import SmtpMailer
from notify.consumer import EventProcessor
from notify.digest import DigestJob
from notify.render import Renderer
from notify.sender import Sender

pytestmark = pytest.mark.integration
CAL = load_calendar()
MORNING = datetime(2017, 3, 2, 8, 0, tzinfo=LOCAL_TZ)  # a Thursday, after the 07:30 digest time


def _due(code: str, unit: str, due: datetime) -> ev.DueDateSet:
    return ev.DueDateSet(code=code, agency="SCT", unit=unit, officer="cb1", due_at=due, original_due_at=due,
                         calendar_version="v1", reason="accepted")


def _classified(code: str, unit: str) -> ev.DossierClassified:
    at = datetime(2017, 3, 1, 10, tzinfo=LOCAL_TZ)
    return ev.DossierClassified(code, "SCT", unit, "cb1", "P1", "x", 1, at, at, "result_ready", "early", -1, 8.0)


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def test_each_unit_head_gets_one_digest_mail_with_the_units_open_dossiers(repo, smtp):
    processor = EventProcessor(repo, Renderer(), CAL, link_base="https://dh/ho-so/", clock=lambda: MORNING)
    events: list[ev.Event] = [
        ev.UnitUpdated(unit="KTAT", agency="SCT", name="Phòng Kỹ thuật an toàn", head_officer="cb4"),
        ev.UnitUpdated(unit="XNK", agency="SCT", name="Phòng Xuất nhập khẩu", head_officer="cb5"),
        ev.OfficerUpdated(officer="cb4", agency="SCT", unit="KTAT", full_name="Phạm Thu Hà",
                          email="ha@example.vn"),
        ev.OfficerUpdated(officer="cb5", agency="SCT", unit="XNK", full_name="Đỗ Minh Tâm",
                          email="tam@example.vn"),
        _due("SCT-170301-0001", "QLTM", datetime(2017, 3, 2, 17, tzinfo=LOCAL_TZ)),   # due today
        _due("SCT-170220-0002", "QLTM", datetime(2017, 3, 1, 17, tzinfo=LOCAL_TZ)),   # overdue
        _due("SCT-170301-0003", "QLTM", datetime(2017, 3, 20, 17, tzinfo=LOCAL_TZ)),  # later: not in the digest
        _due("SCT-170301-0004", "QLTM", datetime(2017, 3, 2, 11, tzinfo=LOCAL_TZ)),   # resolved below
        _classified("SCT-170301-0004", "QLTM"),
        _due("SCT-170215-0005", "KTAT", datetime(2017, 2, 28, 17, tzinfo=LOCAL_TZ)),  # overdue, another unit
        _due("SCT-170301-0006", "XNK", datetime(2017, 3, 30, 17, tzinfo=LOCAL_TZ)),   # nothing due: no digest
    ]
    for e in events:
        processor.process(encode(envelope_for(e, now=datetime.now(UTC))))

    job = DigestJob(repo, Renderer(), CAL, at="07:30", link_base="https://dh/ho-so/",
                    available=frozenset({"email"}))
    assert job.run_once(MORNING) == 2
    assert job.run_once(MORNING.replace(hour=9)) == 0  # once per head and day

    mailer = SmtpMailer(smtp.host, smtp.port, sender="Đúng hạn <dunghan@example.gov.vn>")
    sender = Sender(repo, {"email": mailer}, CAL, clock=lambda: MORNING)
    assert sender.run_once() == 2
    assert sender.run_once() == 0

    mails = {m["X-Envelope-To"]: m for m in smtp.messages}
    assert sorted(mails) == ["ha@example.vn", "hung@example.vn"]
    qltm = mails["hung@example.vn"].get_body(preferencelist=("plain",)).get_content()
    assert "SCT-170301-0001" in qltm and "SCT-170220-0002" in qltm
    assert "SCT-170301-0003" not in qltm and "SCT-170301-0004" not in qltm and "SCT-170215-0005" not in qltm
    ktat = mails["ha@example.vn"].get_body(preferencelist=("plain",)).get_content()
    assert "SCT-170215-0005" in ktat and "SCT-170301-0001" not in ktat
    assert all(m["Message-ID"].startswith("<notification-") for m in smtp.messages)
