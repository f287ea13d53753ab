"""The hostile corpus on both doors: every message gets an answer naming the field (an AMQP reply and a copy in
the rejection queue with kind ``invalid``; an HTTP 4xx JSON error), nothing is stored, nothing is retried, no
traceback and no applicant name reaches a log."""
from __future__ import annotations

import random
from urllib.parse import quote

import pytest

from dunghan.testing.polling import wait_until

from .conftest import OPERATOR_KEY, SYSTEM_KEY, RawMessage, System, peek_queue, publish_raw
from .hostile_corpus import KINDS, MARKER, Hostile, corpus

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def stored(system: System, h: Hostile) -> list[str]:
    """The codes of ``h`` that intake knows (there must be none)."""
    codes = {h.code, h.http_path_code}
    return [c for c in codes
            if system.api("intake", "GET", f"/api/v1/dossiers/{quote(c, safe='')}", key=OPERATOR_KEY).status_code
            != 404]


def test_corpus_covers_at_least_25_kinds() -> None:
    assert len(KINDS) >= 25


def test_every_hostile_message_on_the_queue_is_answered_quarantined_and_not_stored(system: System) -> None:
    run = f"hostile{random.Random().randint(10_000, 99_999)}"
    messages = corpus(run, 6000)
    by_id = {f"{run}-{h.kind}": h for h in messages}

    replies = publish_raw(system, [RawMessage(h.routing_key, h.body, mid) for mid, h in by_id.items()], timeout=60)

    missing = sorted(by_id[m].kind for m in by_id if m not in replies)
    assert not missing, f"no reply for {missing}"
    wrong = []
    for mid, h in by_id.items():
        r = replies[mid]
        fields = {e.get("field") for e in r.get("errors", [])}
        if r.get("status") != "rejected" or r.get("reason") != h.reason or h.field not in fields:
            wrong.append((h.kind, h.field, r))
    assert not wrong, wrong

    def quarantined() -> dict[str, dict[str, object]]:
        found = {m: hd for m, hd in peek_queue(system.amqp_url, f"{system.prefix}intake.inbound.rejected")
                 if m in by_id}
        return found if len(found) == len(by_id) else {}

    copies = wait_until(quarantined, timeout=30, what="a rejection-queue copy of every hostile message")
    bad_copies = [(by_id[m].kind, hd) for m, hd in copies.items()
                  if hd.get("x-rejection-kind") != "invalid" or hd.get("x-rejection-field") != by_id[m].field]
    assert not bad_copies, bad_copies
    dead = wait_until(lambda: (lambda d: d if set(by_id) <= set(d) else {})(
        {m: hd for m, hd in peek_queue(system.amqp_url, f"{system.prefix}intake.inbound.dlq") if m in by_id}),
        timeout=30, what="every hostile message dead-lettered with its reason")
    assert all(hd.get("x-rejection-reason") for hd in dead.values())

    assert not [(h.kind, stored(system, h)) for h in messages if stored(system, h)]
    assert_logs_clean(system)


def test_every_hostile_body_over_http_is_a_4xx_naming_the_field_and_not_stored(system: System) -> None:
    run = f"hostile-http{random.Random().randint(10_000, 99_999)}"
    messages = [h for h in corpus(run, 6100) if not h.amqp_only]
    wrong = []
    for h in messages:
        resp = system.api("intake", "POST", f"/api/v1/dossiers/{quote(h.http_path_code, safe='')}/events",
                          key=SYSTEM_KEY, data=h.body, headers={"Content-Type": "application/json"})
        error = resp.json().get("error", {}) if resp.headers.get("Content-Type", "").startswith(
            "application/json") else {}
        if not 400 <= resp.status_code < 500 or error.get("field") != h.field:
            wrong.append((h.kind, h.field, resp.status_code, resp.text[:300]))
    assert not wrong, wrong
    assert not [(h.kind, stored(system, h)) for h in messages if stored(system, h)]
    assert_logs_clean(system)


def assert_logs_clean(system: System) -> None:
    """No applicant name in any log; no traceback in intake's."""
    for log in system.stack.log_dir.glob("*.log"):
        text = log.read_text(errors="replace")
        assert MARKER not in text, f"an applicant's name in {log.name}"
        if log.name.startswith("intake"):
            assert "Traceback" not in text, f"a traceback in {log.name}"
