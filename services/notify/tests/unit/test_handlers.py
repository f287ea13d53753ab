"""Handlers and the send loop with the in-memory repository and recording channels."""
from datetime import date, datetime, timedelta

from notify_fakes import FakeRepository

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev
from dunghan.contract.envelope import encode, envelope_for
from notify.channels.base import FakeChannel, PermanentError, TransientError
from notify.consumer import EventProcessor
from notify.digest import DigestJob
from notify.render import Renderer
from notify.sender import RetryPolicy, Sender

CAL = load_calendar()
NOW = datetime(2017, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def body(e: ev.Event, event_id: str | None = None) -> bytes:
    return encode(envelope_for(e, now=NOW, event_id=event_id))


def setup(clock: Clock | None = None) -> tuple[FakeRepository, EventProcessor]:
    repo = FakeRepository()
    p = EventProcessor(repo, Renderer(), CAL, link_base="https://dh/ho-so/", clock=clock or Clock(NOW))
    for e in (
        ev.UnitUpdated(unit="QLTM", agency="SCT", name="Phòng QLTM", head_officer="cb2"),
        ev.OfficerUpdated(officer="cb1", agency="SCT", unit="QLTM", full_name="Trần Thị Bình",
                          email="binh@example.vn", phone="0912345678"),
        ev.OfficerUpdated(officer="cb2", agency="SCT", unit="QLTM", full_name="Lê Văn Hùng",
                          email="hung@example.vn", phone="0987654321", channels=("email",)),
    ):
        p.process(body(e))
    return repo, p


def warning(threshold: str = "d-1",
            due: datetime = datetime(2017, 3, 3, 17, tzinfo=LOCAL_TZ)) -> ev.DeadlineApproaching:
    return ev.DeadlineApproaching(code="SCT-170301-0001", agency="SCT", unit="QLTM", officer="cb1",
                                  threshold=threshold, due_at=due, procedure_code="P1",
                                  procedure_name="Cấp giấy phép", applicant_name="Nguyễn Văn Đức")


def test_d1_warning_queues_email_and_sms_to_officer_and_email_to_head():
    repo, p = setup()
    p.process(body(warning()))
    got = sorted((n["recipient"], n["channel"]) for n in repo.notifications)
    assert got == [("cb1", "email"), ("cb1", "sms"), ("cb2", "email")]
    sms = next(n for n in repo.notifications if n["channel"] == "sms")
    assert sms["text"].startswith("Sap den han: ho so SCT-170301-0001 (Nguyen Van Duc), han 03/03/2017 17:00")
    assert "https://dh/ho-so/SCT-170301-0001" in sms["text"]


def test_same_threshold_twice_under_new_event_ids_is_sent_once():
    repo, p = setup()
    p.process(body(warning()))
    ctx = p.process(body(warning()))
    assert len(repo.notifications) == 3
    assert ctx is not None and len(ctx.suppressed) == 3


def test_a_new_due_date_warns_again():
    repo, p = setup()
    p.process(body(warning()))
    p.process(body(warning(due=datetime(2017, 3, 8, 17, tzinfo=LOCAL_TZ))))
    assert len(repo.notifications) == 6


def test_sms_in_quiet_hours_waits_for_the_window_but_email_does_not():
    evening = datetime(2017, 3, 2, 19, 0, tzinfo=LOCAL_TZ)
    repo, p = setup(Clock(evening))
    p.process(body(warning()))
    by_channel = {(n["recipient"], n["channel"]): n["next_attempt_at"] for n in repo.notifications}
    assert by_channel[("cb1", "email")] == evening
    assert by_channel[("cb1", "sms")] == datetime(2017, 3, 3, 7, 30, tzinfo=LOCAL_TZ)


def test_preferences_narrow_channels():
    repo, p = setup()
    from notify.domain import Preferences

    repo.prefs["cb1"] = Preferences(("email",))
    p.process(body(warning("due_day")))
    assert [(n["recipient"], n["channel"]) for n in repo.notifications] == [("cb1", "email")]


def test_unknown_or_inactive_recipients_are_skipped():
    repo, p = setup()
    p.process(body(ev.OfficerUpdated(officer="cb1", agency="SCT", unit="QLTM", full_name="X", active=False)))
    p.process(body(warning()))
    assert [n["recipient"] for n in repo.notifications] == ["cb2"]


def sender(repo: FakeRepository, email: FakeChannel, sms: FakeChannel, clock: Clock) -> Sender:
    return Sender(repo, {"email": email, "sms": sms}, CAL, policy=RetryPolicy(3, 1.0, 10.0), clock=clock,
                  jitter=lambda: 0.0)


def test_sender_retries_transient_failures_then_sends():
    clock = Clock(NOW)
    repo, p = setup(clock)
    p.process(body(warning("due_day")))
    email = FakeChannel([TransientError("smtp 451"), TransientError("timeout")])
    s = sender(repo, email, FakeChannel(), clock)
    for _ in range(3):
        s.run_once()
        clock.now += timedelta(seconds=5)
    row = next(n for n in repo.notifications if n["channel"] == "email")
    assert (row["status"], row["attempts"], row["provider_id"]) == ("sent", 3, "fake-1")
    assert len(email.sent) == 1


def test_permanent_failure_is_dead_lettered_at_once():
    clock = Clock(NOW)
    repo, p = setup(clock)
    p.process(body(warning("due_day")))
    s = sender(repo, FakeChannel([PermanentError("smtp 550")]), FakeChannel(), clock)
    s.run_once()
    row = next(n for n in repo.notifications if n["channel"] == "email")
    assert (row["status"], row["attempts"], row["last_error"]) == ("failed", 1, "smtp 550")
    assert row["dead_lettered_at"] == NOW


def test_transient_failures_stop_after_max_attempts():
    clock = Clock(NOW)
    repo, p = setup(clock)
    p.process(body(warning("due_day")))
    s = sender(repo, FakeChannel([TransientError("x")] * 10), FakeChannel(), clock)
    for _ in range(6):
        s.run_once()
        clock.now += timedelta(seconds=20)
    row = next(n for n in repo.notifications if n["channel"] == "email")
    assert (row["status"], row["attempts"]) == ("failed", 3)


def test_digest_once_per_head_and_day():
    clock = Clock(datetime(2017, 3, 3, 7, 31, tzinfo=LOCAL_TZ))
    repo, p = setup(clock)
    p.process(body(warning()))
    p.process(body(ev.DueDateSet(code="SCT-170301-0002", agency="SCT", unit="QLTM", officer="cb1",
                                 due_at=datetime(2017, 3, 1, 17, tzinfo=LOCAL_TZ),
                                 original_due_at=datetime(2017, 3, 1, 17, tzinfo=LOCAL_TZ),
                                 calendar_version="v1", reason="accepted")))
    job = DigestJob(repo, Renderer(), CAL, link_base="https://dh/ho-so/")
    assert job(clock.now) == 1
    assert job(clock.now + timedelta(hours=1)) == 0
    digest = next(n for n in repo.notifications if n["kind"] == "digest")
    assert digest["recipient"] == "cb2" and "SCT-170301-0002" in digest["text"]
    assert "Hồ sơ quá hạn (1)" in digest["text"]
    assert (repo.officers["cb2"].officer, date(2017, 3, 3)) in repo.digests


def test_classified_dossiers_leave_the_digest():
    clock = Clock(datetime(2017, 3, 3, 8, 0, tzinfo=LOCAL_TZ))
    repo, p = setup(clock)
    p.process(body(warning()))
    p.process(body(ev.DossierClassified(
        code="SCT-170301-0001", agency="SCT", unit="QLTM", officer="cb1", procedure_code="P1",
        procedure_field="TM", channel=1, accepted_at=NOW, stopped_at=NOW, stop_reason="result_ready",
        outcome="early", working_days_diff=-1, resolution_working_hours=8.0)))
    assert DigestJob(repo, Renderer(), CAL)(clock.now) == 0


def test_channels_without_a_provider_are_not_queued():
    repo, p = setup()
    p.available = frozenset({"email"})
    p.process(body(warning()))
    got = sorted((n["recipient"], n["channel"]) for n in repo.notifications)
    assert got == [("cb1", "email"), ("cb2", "email")]
