"""1,000 malformed inbound messages of a dozen kinds mixed into valid traffic: every bad one is rejected with its
reason (reply, rejection queue, dead-letter queue), every good one is processed, and the intake worker never
restarts."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.testing.polling import wait_until

from .conftest import RawMessage, System, peek_queue, publish_raw

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

CAL = load_calendar()
PROCEDURE, UNIT, OFFICER, DESK = "SCT-TM-09", "SCT-QLTM", "SCT-QLTM-03", "SCT-MC-02"
GOOD_DOSSIERS = 100
BAD_MESSAGES = 1000
OVERSIZED = 20  # 300 KiB each: enough to prove the limit without flooding the broker
FIRST_DAY = date(2018, 3, 1)  # far from the periods the other end-to-end tests report on


@dataclass(frozen=True)
class Bad:
    category: str
    message: RawMessage
    kind: str  # the reply's ``reason`` (rejection kind)
    field: str  # a field the reply's ``errors`` must name


def at(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).isoformat()


def working_days(start: date, n: int) -> list[date]:
    days, day = [], start
    while len(days) < n:
        if CAL.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def msg(fact: dict[str, Any], mid: str, routing_key: str | None = None, body: bytes | None = None) -> RawMessage:
    key = routing_key or f"{fact.get('agency', 'SCT')}.{fact.get('fact')}"
    return RawMessage(key, body if body is not None else json.dumps(fact, ensure_ascii=False).encode(), mid)


def accepted(code: str, day: date, event_id: str, **over: Any) -> dict[str, Any]:
    fact = {"fact": "dossier.accepted", "event_id": event_id, "code": code, "agency": "SCT",
            "occurred_at": at(day, 9), "procedure_code": PROCEDURE, "channel": 2, "unit": "SCT-MC",
            "officer": DESK, "applicant": {"name": "Công ty TNHH Thương mại Đồng Nai"}}
    return {**fact, **over}


def good_dossiers(run: str) -> tuple[list[list[RawMessage]], list[str], list[dict[str, Any]]]:
    """Per dossier: accepted, transferred, result.ready two working days later (early for a 5-day procedure)."""
    groups, codes, accepts = [], [], []
    for i, day in enumerate(working_days(FIRST_DAY, GOOD_DOSSIERS)):
        code = f"SCT-{day:%y%m%d}-{1000 + i:04d}"
        done = working_days(CAL.next_working_day(day), 2)[-1]
        acc = accepted(code, day, f"{run}-g{i}-1")
        facts = [
            acc,
            {"fact": "dossier.transferred", "event_id": f"{run}-g{i}-2", "code": code, "agency": "SCT",
             "occurred_at": at(day, 10), "unit": UNIT, "officer": OFFICER, "step": "thẩm định"},
            {"fact": "result.ready", "event_id": f"{run}-g{i}-3", "code": code, "agency": "SCT",
             "occurred_at": at(done, 15), "decision": "approved", "officer": OFFICER},
        ]
        groups.append([msg(f, f["event_id"]) for f in facts])
        codes.append(code)
        accepts.append(acc)
    return groups, codes, accepts


def bad_message(n: int, category: str, run: str, accepts: list[dict[str, Any]]) -> Bad:
    """Bad message number ``n`` of ``category``; lifecycle and conflict ones are about dossier ``n % 100``."""
    message, kind, field = _bad(n, category, run, accepts)
    return Bad(category, message, kind, field)


def _bad(n: int, kind: str, run: str, accepts: list[dict[str, Any]]) -> tuple[RawMessage, str, str]:
    mid = f"{run}-b{n}"
    day = FIRST_DAY + timedelta(days=n % 300)
    fresh = accepted(f"SCT-{day:%y%m%d}-{5000 + n % 4000:04d}", day, mid)
    target = accepts[n % len(accepts)]
    if kind == "not_json":
        return (msg(fresh, mid, body=[b"{not json", b"", b"<xml/>", b"\xff\xfe\x00"][n % 4]), "not_json", "body")
    if kind == "encoding":
        text = json.dumps({**fresh, "applicant": {"name": "Công ty Phú Hòa Tây"}}, ensure_ascii=False)
        body = text.encode("utf-16") if n % 2 else text.encode("latin-1")
        return (msg(fresh, mid, body=body), "not_json", "body")
    if kind == "wrong_type":
        over = [{"channel": "hai"}, {"occurred_at": 1520000000}, {"unit": 42}][n % 3]
        field = next(iter(over))
        return (msg({**fresh, **over}, mid), "invalid", field)
    if kind == "missing":
        field = ["unit", "officer", "procedure_code", "occurred_at"][n % 4]
        return (msg({k: v for k, v in fresh.items() if k != field}, mid), "invalid", field)
    if kind == "unknown_procedure":
        return (msg({**fresh, "procedure_code": f"SCT-XX-{n % 90 + 10}"}, mid), "unknown_procedure",
                   "procedure_code")
    if kind == "lifecycle":
        code, eid = target["code"], f"{mid}-x"
        again = accepted(code, date.fromisoformat(target["occurred_at"][:10]), eid)
        late = {"fact": "dossier.withdrawn", "event_id": eid, "code": code, "agency": "SCT",
                "occurred_at": at(date(2018, 12, 28), 9)}
        return (msg(again if n % 2 else late, mid), "lifecycle", "fact")
    if kind == "too_large":
        return (msg(fresh, mid, body=json.dumps({**fresh, "note": "x" * 300_000}).encode()), "too_large", "body")
    if kind == "conflict":
        return (msg({**target, "channel": 1}, mid), "conflict", "event_id")
    if kind == "future":
        when = datetime.now(LOCAL_TZ) + timedelta(days=[1, 30, 3650][n % 3])
        return (msg({**fresh, "occurred_at": when.isoformat()}, mid), "invalid", "occurred_at")
    if kind == "unknown_agency":
        return (msg({**fresh, "agency": "XYZ", "code": fresh["code"].replace("SCT", "XYZ")}, mid), "forged",
                   "routing_key")
    if kind == "forged_agency":
        return (msg({**fresh, "agency": "STP"}, mid, routing_key="SCT.dossier.accepted"), "forged", "agency")
    if kind == "unknown_fact":
        return (msg({**fresh, "fact": "dossier.exploded"}, mid), "invalid", "routing_key")
    if kind == "unknown_field":
        return (msg({**fresh, "procedure_cod": PROCEDURE}, mid), "invalid", "procedure_cod")
    raise AssertionError(kind)


KINDS = ("not_json", "encoding", "wrong_type", "missing", "unknown_procedure", "lifecycle", "conflict", "future",
         "unknown_agency", "forged_agency", "unknown_fact", "unknown_field")
AFTER_THEIR_DOSSIER = ("lifecycle", "conflict")


def traffic(run: str) -> tuple[list[RawMessage], dict[str, Bad], list[str], list[str]]:
    """Valid dossiers interleaved with bad messages; those about a dossier come after its valid facts."""
    rng = random.Random(9)
    groups, codes, accepts = good_dossiers(run)
    kinds = ["too_large"] * OVERSIZED + [KINDS[i % len(KINDS)] for i in range(BAD_MESSAGES - OVERSIZED)]
    rng.shuffle(kinds)
    bads = [bad_message(n, kind, run, accepts) for n, kind in enumerate(kinds)]
    tail: dict[int, list[Bad]] = {}
    loose: list[Bad] = []
    for n, bad in enumerate(bads):
        (tail.setdefault(n % len(groups), []) if bad.category in AFTER_THEIR_DOSSIER else loose).append(bad)
    stream: list[RawMessage] = []
    per_group = len(loose) // len(groups) + 1
    for i, group in enumerate(groups):
        chunk = loose[i * per_group:(i + 1) * per_group]
        mixed = [*group]
        for b in chunk:
            mixed.insert(rng.randrange(len(mixed) + 1), b.message)
        stream.extend(mixed)  # the valid facts keep their order; what is about this dossier comes after them
        stream.extend(b.message for b in tail.get(i, []))
    good_ids = [m.message_id for g in groups for m in g]
    return stream, {b.message.message_id: b for b in bads}, good_ids, codes


def outcome(system: System, code: str) -> str | None:
    resp = system.api("deadline", "GET", f"/api/v1/dossiers/{code}/clock")
    return resp.json().get("outcome") if resp.status_code == 200 else None


def test_bad_messages_are_rejected_with_a_reason_and_valid_traffic_flows(system: System) -> None:
    worker = system.stack.services["intake"].worker
    assert worker is not None and worker.poll() is None
    pid = worker.pid
    run = f"bad{random.Random().randint(10_000, 99_999)}"
    stream, bads, good_ids, codes = traffic(run)
    assert len(bads) == BAD_MESSAGES and len({b.category for b in bads.values()}) >= 10
    assert not set(bads) & set(good_ids)

    replies = publish_raw(system, stream, timeout=45)

    missing = [m for m in [*bads, *good_ids] if m not in replies]
    assert not missing, f"{len(missing)} messages without a reply, e.g. {missing[:5]}"
    wrong = []
    for mid, bad in bads.items():
        r = replies[mid]
        fields = {e.get("field") for e in r.get("errors", [])}
        if r.get("status") != "rejected" or r.get("reason") != bad.kind or bad.field not in fields:
            wrong.append((mid, bad.kind, bad.field, r))
    assert not wrong, f"{len(wrong)} bad messages not rejected as expected, e.g. {wrong[:3]}"
    not_accepted = [(m, replies[m]) for m in good_ids if replies[m].get("status") != "accepted"]
    assert not not_accepted, not_accepted[:3]

    rejected_q = peek_queue(system.amqp_url, f"{system.prefix}intake.inbound.rejected")
    copies = {mid: h for mid, h in rejected_q if mid in bads}
    assert set(copies) == set(bads)
    assert all(h.get("x-rejection-reason") and h.get("x-rejection-kind") == bads[mid].kind
               for mid, h in copies.items())
    dlq = {mid: h for mid, h in peek_queue(system.amqp_url, f"{system.prefix}intake.inbound.dlq") if mid in bads}
    assert set(dlq) == set(bads)
    assert all(h.get("x-rejection-reason") for h in dlq.values())
    assert not any(mid in good_ids for mid, _ in rejected_q)

    def classified() -> bool:
        return all(outcome(system, c) is not None for c in codes)

    wait_until(classified, timeout=30, what="classification of every valid dossier")
    assert {outcome(system, c) for c in codes} == {"early"}

    assert worker.poll() is None and worker.pid == pid
    log = (system.stack.log_dir / "intake-worker.log").read_text(errors="replace")
    assert "restarting in" not in log and "reconnecting in" not in log
