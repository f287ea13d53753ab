"""The inbound queue handler with a recording replier: replies, rejections copied with the error, orphans."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

errors = pytest.importorskip("dunghan.bus.errors")

from intake_fakes import InMemoryRepository  # noqa: E402

from intake.consumer import InboundHandler, IntakeReject, OrphanSweeper, rounds  # noqa: E402
from intake.records import Unit  # noqa: E402

from ..conftest import T0, make_fact, seed  # type: ignore[import-not-found]  # noqa: E402


@dataclass
class FakeDelivery:
    body: bytes
    routing_key: str
    user_id: str | None = "motcua-sct"
    reply_to: str | None = "motcua-sct.replies"
    correlation_id: str | None = "corr-1"
    message_id: str | None = "m-1"
    headers: dict[str, Any] = field(default_factory=dict)
    redelivered: bool = False
    delivery_count: int = 0


@dataclass
class RecordingReplier:
    replies: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)
    quarantined: list[tuple[bytes, dict[str, Any]]] = field(default_factory=list)

    def reply(self, reply_to, body, correlation_id):
        self.replies.append((reply_to, body, correlation_id))

    def quarantine(self, body, headers, message_id):
        self.quarantined.append((body, headers))


@pytest.fixture
def world():
    repo = InMemoryRepository()
    seed(repo)
    replier = RecordingReplier()
    handler = InboundHandler(repo, replier, pepper="p", clock=lambda: T0 + timedelta(minutes=1))
    return repo, replier, handler


def delivery(raw, **kw):
    return FakeDelivery(body=json.dumps(raw).encode(), routing_key=f"{raw['agency']}.{raw['fact']}", **kw)


def consume(handler, d):
    """What the shared Consumer does: call the handler; on Reject call on_reject."""
    try:
        handler(d)
    except errors.Reject as exc:
        handler.on_reject(d, exc)
        return "rejected"
    except errors.Duplicate:
        return "duplicate"
    return "ok"


def test_valid_fact_is_recorded_and_answered_with_the_correlation_id(world):
    repo, replier, handler = world
    assert consume(handler, delivery(make_fact("dossier.accepted"))) == "ok"
    [(to, body, corr)] = replier.replies
    assert (to, body["status"], corr) == ("motcua-sct.replies", "accepted", "corr-1")
    assert len(repo.published) == 1


def test_duplicate_is_answered_the_same_and_skipped(world):
    repo, replier, handler = world
    raw = make_fact("dossier.accepted")
    consume(handler, delivery(raw))
    assert consume(handler, delivery(raw)) == "duplicate"
    assert replier.replies[0][1] == replier.replies[1][1]
    assert len(repo.published) == 1


def test_not_json_is_rejected_copied_and_answered(world):
    _, replier, handler = world
    d = FakeDelivery(body=b"\xff{not json", routing_key="SCT.dossier.accepted")
    assert consume(handler, d) == "rejected"
    [(body, headers)] = replier.quarantined
    assert body == d.body and headers["x-rejection-field"] == "body"
    assert replier.replies[0][1] == {"status": "rejected", "event_id": None, "reason": "not_json",
                                     "errors": [{"field": "body", "reason": "thông điệp không phải JSON UTF-8"}]}


def test_unknown_sender_and_forged_agency_are_rejected(world):
    handler = world[2]
    with pytest.raises(IntakeReject) as err:
        handler(delivery(make_fact("dossier.accepted"), user_id="stranger"))
    assert err.value.error.kind == "unknown_sender"
    with pytest.raises(IntakeReject) as err:
        handler(delivery(make_fact("dossier.accepted"), user_id="motcua-stp"))
    assert err.value.error.kind == "forged"


def test_invalid_fact_reply_lists_every_field(world):
    _, replier, handler = world
    raw = make_fact("dossier.accepted")
    del raw["unit"], raw["officer"]
    assert consume(handler, delivery(raw)) == "rejected"
    body = replier.replies[0][1]
    assert body["event_id"] == raw["event_id"] and {e["field"] for e in body["errors"]} == {"unit", "officer"}


def test_officer_of_another_unit_is_rejected_on_the_officer_field(world):
    _, replier, handler = world
    with world[0].transaction() as tx:
        tx.save_unit(Unit("SCT-MC", "SCT", "Bộ phận một cửa"))
    raw = make_fact("dossier.accepted", unit="SCT-MC", officer="SCT-CB02")
    assert consume(handler, delivery(raw)) == "rejected"
    [error] = replier.replies[0][1]["errors"]
    assert error["field"] == "officer", error
    assert "SCT-QLTM" in str(error) and "SCT-MC" in str(error)


def test_orphan_sweeper_rejects_and_answers_buffered_facts(world):
    repo, replier, handler = world
    consume(handler, delivery(make_fact("result.ready", code="SCT-170306-0042")))
    assert replier.replies[0][1]["status"] == "buffered"
    sweeper = OrphanSweeper(repo, replier, window_seconds=600)
    assert sweeper(T0 + timedelta(hours=1)) == 1
    assert replier.replies[-1][1]["status"] == "rejected" and replier.replies[-1][2] == "corr-1"
    assert replier.quarantined[-1][1]["x-rejection-kind"] == "unknown_dossier"


@pytest.mark.parametrize("reply_to", ["deadline.events", "intake.inbound.rejected", "motcua-stp.replies",
                                      "amq.rabbitmq.reply-to.<garbage>", "amq.gen-xyz", "motcua-sct."])
def test_a_reply_to_that_is_not_the_senders_own_queue_gets_no_reply_but_the_fact_is_recorded(world, reply_to):
    repo, replier, handler = world
    assert consume(handler, delivery(make_fact("dossier.accepted"), reply_to=reply_to)) == "ok"
    assert consume(handler, FakeDelivery(body=b"{", routing_key="SCT.dossier_accepted", reply_to=reply_to)) \
        == "rejected"
    assert replier.replies == [] and len(repo.published) == 1 and len(replier.quarantined) == 1


def test_direct_reply_to_is_answered(world):
    _repo, replier, handler = world
    direct = "amq.rabbitmq.reply-to.g1h2AA1yZXBseUA5MjQ4ODg0AAAWWAAAAABrDPZr.nE1SEFrTp/L3m9ZymO6vxA=="
    consume(handler, delivery(make_fact("dossier.accepted"), reply_to=direct))
    assert [to for to, _b, _c in replier.replies] == [direct]


def test_a_batch_is_recorded_in_rounds_that_keep_each_dossiers_and_each_event_ids_order():
    keys = [("SCT", "e1", "A"), ("SCT", "e2", "B"), ("SCT", "e3", "A"), ("SCT", "e1", "C"), ("SCT", "e4", "D"),
            ("SCT", "e5", "A"), ("STP", "e1", "E")]
    assert rounds(keys) == [0, 1, 4, 6, 2, 3, 5]
    assert rounds([]) == []
