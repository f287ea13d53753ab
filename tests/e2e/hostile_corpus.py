"""Hostile inbound messages, one builder per kind: what a careless or malicious departmental system might send.
Each names the doors it applies to, the rejection kind intake must answer with, and the field it must name."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from dunghan.clock import LOCAL_TZ

DAY = date(2019, 6, 4)  # a working Tuesday far from the periods the other end-to-end tests use
MARKER = "Nguyễn Thị Hostile Marker"  # the applicant's name: must never appear in a log


@dataclass(frozen=True)
class Hostile:
    kind: str
    code: str  # the dossier the message is about: must not exist afterwards
    routing_key: str
    body: bytes
    reason: str  # the reply's ``reason`` / the HTTP error code family
    field: str
    http_path_code: str  # the code in the HTTP path
    amqp_only: bool = False


def at(hour: int) -> str:
    return datetime.combine(DAY, time(hour), tzinfo=LOCAL_TZ).isoformat()


def base(code: str, event_id: str, fact: str = "dossier.accepted") -> dict[str, Any]:
    fields: dict[str, Any] = {"fact": fact, "event_id": event_id, "code": code, "agency": "SCT",
                              "occurred_at": at(9)}
    if fact == "dossier.accepted":
        fields.update(procedure_code="SCT-TM-09", channel=2, unit="SCT-MC", officer="SCT-MC-02",
                      applicant={"name": MARKER, "id_number": "079123456789"})
    return fields


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
Build = Callable[[str, str], tuple[dict[str, Any] | str, str, str]]  # (body, reason field, body code)


def _over(of: str = "dossier.accepted", /, **over: Any) -> Build:
    def build(code: str, eid: str) -> tuple[dict[str, Any] | str, str, str]:
        body = {**base(code, eid, of), **over}
        return body, next(iter(over)), code
    return build


def _text(code: str, eid: str, raw: str, field: str) -> tuple[str, str, str]:
    """A body written by hand: ``raw`` replaces the JSON value of the note."""
    body = json.dumps({**base(code, eid), "note": "@"}, ensure_ascii=False).replace('"@"', raw)
    return body, field, code


def _code(translate: Callable[[str], str]) -> Build:
    def build(code: str, eid: str) -> tuple[dict[str, Any], str, str]:
        bad = translate(code)
        return {**base(bad, eid)}, "code", bad
    return build


KINDS: dict[str, Build] = {
    "nul_in_text": lambda c, e: ({**base(c, e), "applicant": {"name": MARKER + "\u0000"}}, "applicant.name", c),
    "nul_in_note": _over(note="ghi chú\u0000"),
    "lone_surrogate": lambda c, e: _text(c, e, '"\\ud800"', "note"),
    "lone_low_surrogate_in_name": lambda c, e: (json.dumps(base(c, e)).replace(
        json.dumps(MARKER), '"\\udc00 x"'), "applicant.name", c),
    "nested_990": lambda c, e: _text(c, e, nested(990), "body"),
    "brackets_10000": lambda c, e: (nested(5000), "body", c),
    "integer_4301_digits": lambda c, e: _text(c, e, "9" * 4301, "body"),
    "channel_1e30": _over(channel=1e30),
    "channel_string": _over(channel="1"),
    "channel_float": _over(channel=1.5),
    "channel_whole_float": _over(channel=2.0),
    "channel_boolean": _over(channel=True),
    "amount_string": _over("fee.requested", amount_vnd="1200000"),
    "amount_1e30": _over("fee.requested", amount_vnd=1e30),
    "amount_nan": lambda c, e: (json.dumps({**base(c, e, "fee.requested"), "amount_vnd": "@"}).replace(
        '"@"', "NaN"), "body", c),
    "code_arabic_indic_digits": _code(lambda c: c.translate(ARABIC)),
    "code_fullwidth_digits": _code(lambda c: c.translate(FULLWIDTH)),
    "code_trailing_newline": _code(lambda c: c + "\n"),
    "event_id_trailing_newline": lambda c, e: ({**base(c, e), "event_id": e + "\n"}, "event_id", c),
    "id_number_arabic_digits": lambda c, e: (
        {**base(c, e), "applicant": {"name": MARKER, "id_number": "079123456789".translate(ARABIC)}},
        "applicant.id_number", c),
    "missing_fact": lambda c, e: ({k: v for k, v in base(c, e).items() if k != "fact"}, "fact", c),
    "fact_not_a_string": _over(fact=["dossier.accepted"]),
    "offset_hours_only": _over(occurred_at=at(9)[:-3]),
    "offset_missing": _over(occurred_at=at(9)[:-6]),
    "offset_without_colon": _over(occurred_at=at(9)[:-6] + "+0700"),
    "iso_week_date": _over(occurred_at="2019-W23-2T09:00:00+07:00"),
    "date_only_instant": _over(occurred_at=DAY.isoformat()),
    "year_0011": _over(occurred_at="0011-06-04T09:00:00+07:00"),
    "instant_arabic_digits": _over(occurred_at=at(9).translate(ARABIC)),
    "appointment_offset_hours_only": _over(appointment_at=at(17)[:-3]),
    "apology_1900": _over("apology.issued", new_due_date="1900-01-01", reason="quá tải"),
    "apology_9999": _over("apology.issued", new_due_date="9999-12-31", reason="quá tải"),
    "apology_week_date": _over("apology.issued", new_due_date="2019-W24-1", reason="quá tải"),
    "apology_fullwidth_date": _over("apology.issued", new_due_date="２０１９-０６-１０", reason="quá tải"),
}
AMQP_ONLY: dict[str, Build] = {  # over HTTP the path, not a routing key, says which fact it is
    "fact_disagrees_with_routing_key": lambda c, e: (base(c, e, "dossier.submitted") | {
        "procedure_code": "SCT-TM-09", "applicant": {"name": MARKER}}, "fact", c),
}


def corpus(run: str, first_seq: int) -> list[Hostile]:
    """One message of every kind, each about its own new dossier code."""
    out = []
    for n, (kind, build) in enumerate([*KINDS.items(), *AMQP_ONLY.items()]):
        code = f"SCT-{DAY:%y%m%d}-{first_seq + n:04d}"
        eid = f"{run}-{kind}"
        body, field, body_code = build(code, eid)
        named = body.get("fact") if isinstance(body, dict) else None
        fact = named if isinstance(named, str) and kind not in AMQP_ONLY else "dossier.accepted"
        raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        out.append(Hostile(kind, code, f"SCT.{fact}", raw.encode("utf-8", "surrogatepass"), "invalid", field,
                           body_code, amqp_only=kind in AMQP_ONLY))
    return out
