"""Real SMTP (aiosmtpd) and a real HTTP SMS gateway on loopback, through the SQL repository and the send loop."""
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev
from dunghan.testing.sinks import SmsGatewayStub, SmtpSink
from notify.channels.base import FakeChannel
from notify.channels.email import SmtpMailer
from notify.channels.sms_http import HttpSmsGateway
from notify.handlers import Context, handle
from notify.render import Renderer
from notify.sender import RetryPolicy, Sender

pytestmark = pytest.mark.integration
CAL = load_calendar()
IN_WINDOW = datetime(2017, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


def queue_warning(repo, code="SCT-170301-0001", threshold="due_day", now=IN_WINDOW):
    e = ev.DeadlineApproaching(code=code, agency="SCT", unit="QLTM", officer="cb1", threshold=threshold,
                               due_at=datetime(2017, 3, 2, 17, tzinfo=LOCAL_TZ), procedure_code="P1",
                               procedure_name="Cấp giấy phép kinh doanh", applicant_name="Nguyễn Văn Đức")
    with repo.transaction() as tx:
        handle(e, tx, Context(Renderer(), CAL, now, "https://dh/ho-so/"))


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def gateway():
    """The SMS gateway stub answering by ``script``: a status per call, or "sleep" (slow, then 200)."""
    script: list = []

    def respond(_n, _body):
        action = script.pop(0) if script else 200
        if action == "sleep":
            time.sleep(0.5)
            return 200
        return action

    stub = SmsGatewayStub(respond=respond).start()
    yield stub, script
    stub.stop()


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def drain(sender, clock, rounds=10, step=1.0):
    for _ in range(rounds):
        sender.run_once()
        clock.now += timedelta(seconds=step)


def row(repo, channel, code="SCT-170301-0001"):
    return next(r for r in repo.delivery_log(code) if r["channel"] == channel and r["recipient"] == "cb1")


def test_multipart_vietnamese_email_reaches_a_real_smtp_server(repo, smtp):
    queue_warning(repo)
    mailer = SmtpMailer("127.0.0.1", smtp.port, sender="Đúng hạn <dunghan@example.vn>", timeout=5)
    clock = Clock(IN_WINDOW)
    Sender(repo, {"email": mailer}, CAL, clock=clock).run_once()
    assert row(repo, "email")["status"] == "sent"
    [msg] = smtp.messages
    assert msg["X-Envelope-To"] == "binh@example.vn"
    assert msg["Subject"].startswith("[Đến hạn hôm nay] Hồ sơ SCT-170301-0001")
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Người nộp: Nguyễn Văn Đức" in plain and "02/03/2017 17:00" in plain
    assert "Nguyễn Văn Đức" in html and 'href="https://dh/ho-so/SCT-170301-0001"' in html


def test_gateway_failing_twice_then_succeeding_is_sent_after_three_attempts(repo, gateway):
    stub, script = gateway
    script[:] = [503, 503, 200]
    queue_warning(repo)
    sms = HttpSmsGateway(stub.url, sender="DUNGHAN", token="secret", timeout=2)
    clock = Clock(IN_WINDOW)
    sender = Sender(repo, {"sms": sms}, CAL, policy=RetryPolicy(5, 0.01, 0.05), clock=clock)
    drain(sender, clock, rounds=5)
    r = row(repo, "sms")
    assert (r["status"], r["attempts"], r["provider_id"]) == ("sent", 3, "sms-3")
    assert len(stub.requests) == 3
    last = stub.requests[-1]
    assert last["_headers"]["Authorization"] == "Bearer secret"
    assert last["from"] == "DUNGHAN" and "Nguyen Van Duc" in last["text"]


def test_gateway_timing_out_is_retried_then_failed_after_max_attempts(repo, gateway):
    stub, script = gateway
    script[:] = ["sleep"] * 10
    queue_warning(repo)
    sms = HttpSmsGateway(stub.url, sender="DUNGHAN", timeout=0.1)
    clock = Clock(IN_WINDOW)
    sender = Sender(repo, {"sms": sms}, CAL, policy=RetryPolicy(3, 0.01, 0.05), clock=clock)
    drain(sender, clock, rounds=5)
    r = row(repo, "sms")
    assert (r["status"], r["attempts"], r["last_error"]) == ("failed", 3, "sms gateway timeout")
    assert r["dead_lettered_at"] is not None


def test_gateway_4xx_is_permanent(repo, gateway):
    stub, script = gateway
    script[:] = [400]
    queue_warning(repo)
    clock = Clock(IN_WINDOW)
    Sender(repo, {"sms": HttpSmsGateway(stub.url, sender="DUNGHAN")}, CAL, clock=clock).run_once()
    r = row(repo, "sms")
    assert (r["status"], r["attempts"]) == ("failed", 1)


class SlowChannel(FakeChannel):
    def send(self, message):
        time.sleep(0.005)
        return super().send(message)


def test_two_senders_racing_send_each_notification_once(repo):
    for i in range(30):
        queue_warning(repo, code=f"SCT-170301-{i:04d}")
    email_a, email_b, sms_a, sms_b = SlowChannel(), SlowChannel(), SlowChannel(), SlowChannel()
    clock = Clock(max(datetime.now(UTC), IN_WINDOW))
    senders = [Sender(repo, {"email": e, "sms": s}, CAL, batch=3, clock=clock)
               for e, s in ((email_a, sms_a), (email_b, sms_b))]
    threads = [threading.Thread(target=lambda s=s: [s.run_once() for _ in range(30)]) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent_ids = [m.notification_id for ch in (email_a, email_b, sms_a, sms_b) for m in ch.sent]
    assert len(sent_ids) == 60 and len(set(sent_ids)) == 60
    assert email_a.sent and email_b.sent


@pytest.mark.parametrize("store", ["sql", "fake"])
def test_pending_counts_as_due_only_what_may_be_sent_now_sms_in_quiet_hours_waits(repo, store):
    from notify_fakes import FakeRepository

    from notify.domain import Officer, Unit

    target = repo if store == "sql" else FakeRepository()
    lunch = datetime(2017, 3, 2, 12, 0, tzinfo=LOCAL_TZ)
    if store == "fake":
        with target.transaction() as tx:
            tx.upsert_unit(Unit("QLTM", "SCT", "Phòng Quản lý thương mại", "cb2"), lunch)
            tx.upsert_officer(Officer("cb1", "SCT", "QLTM", "Trần Thị Bình", "binh@example.vn", "0912345678"),
                              lunch)
    queue_warning(target, now=lunch)
    stats = target.pending(lunch + timedelta(minutes=5))
    assert stats["email"].count == 1 and stats["email"].due == 1
    assert stats["email"].oldest_due_age == pytest.approx(300, abs=1)
    assert stats["sms"].count == 1 and stats["sms"].due == 0 and stats["sms"].oldest_due_age == 0.0
    later = target.pending(datetime(2017, 3, 2, 14, 0, tzinfo=LOCAL_TZ))
    assert later["sms"].due == 1
