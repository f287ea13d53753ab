"""Inbound guards: oversized bodies and facts dated in the future (beyond the tolerated clock skew) are refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from intake_fakes import InMemoryRepository

from intake.config import Settings
from intake.domain import InboundError, check_not_future
from intake.handlers import Sender, digest_of, record_fact
from intake.inbound import load_fact

from ..conftest import T0, make_fact, seed  # type: ignore[import-not-found]
from .test_consumer import RecordingReplier, consume, delivery  # type: ignore[import-not-found]

errors = pytest.importorskip("dunghan.bus.errors")
from intake.consumer import InboundHandler  # noqa: E402


def test_future_is_measured_against_now_with_a_tolerance():
    assert check_not_future(T0 + timedelta(seconds=300), T0, 300) is None
    assert check_not_future(T0 - timedelta(days=400), T0, 300) is None
    assert "tương lai" in (check_not_future(T0 + timedelta(seconds=301), T0, 300) or "")


def test_record_fact_refuses_a_fact_dated_in_the_future_and_stores_nothing():
    repo = InMemoryRepository()
    seed(repo)
    raw = make_fact("dossier.accepted", at=T0 + timedelta(days=30))
    with pytest.raises(InboundError) as err:
        record_fact(repo.facts, load_fact(raw), Sender("motcua-sct", "SCT"), now=T0, pepper="p",
                    digest=digest_of(raw), max_skew_seconds=300)
    assert (err.value.kind, err.value.field) == ("invalid", "occurred_at")
    assert repo.state.dossiers == {} and repo.published == []


def make_handler(**kw):
    repo = InMemoryRepository()
    seed(repo)
    replier = RecordingReplier()
    return repo, replier, InboundHandler(repo, replier, pepper="p", clock=lambda: T0 + timedelta(minutes=1), **kw)


def test_a_body_over_the_limit_is_rejected_as_too_large_before_decoding():
    repo, replier, handler = make_handler(max_body_bytes=1024)
    raw = make_fact("dossier.accepted", note="x" * 2000)
    assert consume(handler, delivery(raw)) == "rejected"
    [(_, reply, _)] = replier.replies
    assert reply["reason"] == "too_large" and reply["errors"][0]["field"] == "body"
    [(_, headers)] = replier.quarantined
    assert headers["x-rejection-kind"] == "too_large"
    assert repo.state.dossiers == {}


def test_the_consumer_rejects_a_future_fact_with_the_field():
    _, replier, handler = make_handler(max_skew_seconds=60)
    d = delivery(make_fact("dossier.accepted", at=T0 + timedelta(hours=1)))
    assert consume(handler, d) == "rejected"
    [(_, reply, _)] = replier.replies
    assert reply["reason"] == "invalid" and reply["errors"][0]["field"] == "occurred_at"


def test_limits_come_from_the_environment():
    s = Settings.from_env({"INTAKE_MAX_BODY_BYTES": "1000", "INTAKE_MAX_CLOCK_SKEW_SECONDS": "30"})
    assert (s.max_body_bytes, s.max_clock_skew_seconds) == (1000, 30.0)
    assert (Settings.from_env({}).max_body_bytes, Settings.from_env({}).max_clock_skew_seconds) == (262_144, 300.0)
