"""Real SMTP (aiosmtpd) and a real HTTP SMS gateway on loopback, through the SQL repository and the send loop."""
import email
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from dunghan.calendar import load_calendar
from dunghan.contract import events as ev
from notify.channels.base import FakeChannel
from notify.channels.email import SmtpMailer
from notify.channels.sms_http import HttpSmsGateway
from notify.handlers import Context, handle
from notify.render import Renderer
from notify.sender import RetryPolicy, Sender

pytestmark = pytest.mark.integration
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = load_calendar()
IN_WINDOW = datetime(2017, 3, 2, 9, 0, tzinfo=VN)


def queue_warning(repo, code="SCT-170301-0001", threshold="due_day", now=IN_WINDOW):
    e = ev.DeadlineApproaching(code=code, agency="SCT", unit="QLTM", officer="cb1", threshold=threshold,
                               due_at=datetime(2017, 3, 2, 17, tzinfo=VN), procedure_code="P1",
                               procedure_name="Cấp giấy phép kinh doanh", applicant_name="Nguyễn Văn Đức")
    with repo.transaction() as tx:
        handle(e, tx, Context(Renderer(), CAL, now, "https://dh/ho-so/"))


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(free_port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port)
    controller.start()
    yield controller, inbox
    controller.stop()


class Gateway(BaseHTTPRequestHandler):
    script: list = []
    received: list = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        type(self).received.append((self.headers.get("Authorization"), self.rfile.read(length)))
        action = type(self).script.pop(0) if type(self).script else 200
        if action == "sleep":
            time.sleep(0.5)
            action = 200
        self.send_response(action)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "gw-1"}' if action == 200 else b'{"error": "busy"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    handler = type("G", (Gateway,), {"script": [], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms", handler
    server.shutdown()
    server.server_close()


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
    controller, inbox = smtp
    queue_warning(repo)
    mailer = SmtpMailer("127.0.0.1", controller.port, sender="Đúng hạn <dunghan@example.vn>", timeout=5)
    clock = Clock(IN_WINDOW)
    Sender(repo, {"email": mailer}, CAL, clock=clock).run_once()
    assert row(repo, "email")["status"] == "sent"
    [(rcpts, raw)] = inbox.messages
    assert rcpts == ["binh@example.vn"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"].startswith("[Đến hạn hôm nay] Hồ sơ SCT-170301-0001")
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Người nộp: Nguyễn Văn Đức" in plain and "02/03/2017 17:00" in plain
    assert "Nguyễn Văn Đức" in html and 'href="https://dh/ho-so/SCT-170301-0001"' in html


def test_gateway_failing_twice_then_succeeding_is_sent_after_three_attempts(repo, gateway):
    url, handler = gateway
    handler.script[:] = [503, 503, 200]
    queue_warning(repo)
    sms = HttpSmsGateway(url, sender="DUNGHAN", token="secret", timeout=2)
    clock = Clock(IN_WINDOW)
    sender = Sender(repo, {"sms": sms}, CAL, policy=RetryPolicy(5, 0.01, 0.05), clock=clock)
    drain(sender, clock, rounds=5)
    r = row(repo, "sms")
    assert (r["status"], r["attempts"], r["provider_id"]) == ("sent", 3, "gw-1")
    assert len(handler.received) == 3
    auth, payload = handler.received[-1]
    assert auth == "Bearer secret"
    assert b'"from": "DUNGHAN"' in payload and b"Nguyen Van Duc" in payload


def test_gateway_timing_out_is_retried_then_failed_after_max_attempts(repo, gateway):
    url, handler = gateway
    handler.script[:] = ["sleep"] * 10
    queue_warning(repo)
    sms = HttpSmsGateway(url, sender="DUNGHAN", timeout=0.1)
    clock = Clock(IN_WINDOW)
    sender = Sender(repo, {"sms": sms}, CAL, policy=RetryPolicy(3, 0.01, 0.05), clock=clock)
    drain(sender, clock, rounds=5)
    r = row(repo, "sms")
    assert (r["status"], r["attempts"], r["last_error"]) == ("failed", 3, "sms gateway timeout")
    assert r["dead_lettered_at"] is not None


def test_gateway_4xx_is_permanent(repo, gateway):
    url, handler = gateway
    handler.script[:] = [400]
    queue_warning(repo)
    clock = Clock(IN_WINDOW)
    Sender(repo, {"sms": HttpSmsGateway(url, sender="DUNGHAN")}, CAL, clock=clock).run_once()
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
