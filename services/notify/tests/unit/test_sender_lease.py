"""The send loop's claims: renewed while a long batch is worked through, released on a clean stop, and after a
crash only the message in flight goes out again, with the same Message-ID."""
from datetime import datetime, timedelta

from notify_fakes import FakeRepository

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from notify.channels.base import FakeChannel, Outgoing
from notify.config import Settings
from notify.domain import NewNotification
from notify.sender import Sender

CAL = load_calendar()
NOW = datetime(2017, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def queued(count: int) -> FakeRepository:
    repo = FakeRepository()
    with repo.transaction() as tx:
        for i in range(count):
            tx.enqueue(NewNotification(f"k{i}", "D1", "SCT", "due_soon", "d-1", "cb1", "handler", "email",
                                       "binh@example.vn", "Sắp đến hạn", "Nội dung", None, 1, NOW), NOW)
    return repo


class SlowChannel(FakeChannel):
    """Each send takes ``seconds`` of the clock; ``then`` runs after the n-th send."""

    def __init__(self, clock: Clock, seconds: float, then: dict[int, object] | None = None) -> None:
        super().__init__()
        self.clock, self.seconds, self.then = clock, seconds, then or {}

    def send(self, message: Outgoing) -> str:
        self.clock.now += timedelta(seconds=self.seconds)
        sent = super().send(message)
        action = self.then.get(len(self.sent))
        if callable(action):
            action()
        return sent


def test_the_default_lease_is_at_most_a_minute():
    assert Settings.from_env({}).claim_lease_seconds <= 60
    assert Settings.from_env({"NOTIFY_CLAIM_LEASE_SECONDS": "15"}).claim_lease_seconds == 15


def test_a_clean_stop_releases_what_is_claimed_and_not_sent():
    clock = Clock(NOW)
    repo = queued(5)
    channel = SlowChannel(clock, 1)
    sender = Sender(repo, {"email": channel}, CAL, batch=5, lease_seconds=60, clock=clock)
    channel.then[2] = sender.stop
    assert sender.run_once() == 5
    assert [r["status"] for r in repo.notifications] == ["sent", "sent", "queued", "queued", "queued"]
    assert [r["attempts"] for r in repo.notifications[2:]] == [0, 0, 0]
    other = Sender(repo, {"email": FakeChannel()}, CAL, batch=5, lease_seconds=60, clock=clock)
    assert other.run_once() == 3  # at once, not after the lease


def test_a_long_batch_renews_its_claims_so_no_other_sender_takes_them():
    clock = Clock(NOW)
    repo = queued(4)
    channel = SlowChannel(clock, 25)
    rival = Sender(repo, {"email": FakeChannel()}, CAL, batch=4, lease_seconds=60, clock=clock)
    channel.then[3] = lambda: rival.run_once()  # 75 s into a 60 s lease
    Sender(repo, {"email": channel}, CAL, batch=4, lease_seconds=60, clock=clock).run_once()
    assert len(channel.sent) == 4 and rival.channels["email"].sent == []  # type: ignore[attr-defined]
    assert all(r["status"] == "sent" and r["attempts"] == 1 for r in repo.notifications)


def test_after_a_crash_only_the_message_in_flight_is_sent_again_with_the_same_message_id():
    clock = Clock(NOW)
    repo = queued(3)
    first = FakeChannel()
    crashed = Sender(repo, {"email": first}, CAL, batch=3, lease_seconds=60, clock=clock)
    claimed = repo.claim_due(clock(), 3, 60)
    crashed._send(claimed[0])
    first.send(Outgoing(claimed[1].id, "email", claimed[1].address, "", "", None))  # out, then the crash
    clock.now += timedelta(seconds=61)
    second = FakeChannel()
    Sender(repo, {"email": second}, CAL, batch=3, lease_seconds=60, clock=clock).run_once()
    assert [m.notification_id for m in second.sent] == [claimed[1].id, claimed[2].id]
    assert {m.notification_id for m in first.sent} & {m.notification_id for m in second.sent} == {claimed[1].id}
