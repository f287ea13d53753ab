"""Inbound schemas: validation with field names, the JSON Schema export (no drift) and the shipped examples."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from intake.domain import InboundError
from intake.facts import FACTS, SPECS
from intake.inbound import json_schema, load_fact

from ..conftest import make_fact  # type: ignore[import-not-found]

DOCS = Path(__file__).resolve().parents[4] / "docs" / "integration"


@pytest.mark.parametrize("fact", FACTS)
def test_published_json_schema_matches_the_code(fact):
    on_disk = json.loads((DOCS / "schemas" / f"{fact}.json").read_text(encoding="utf-8"))
    assert on_disk == json_schema(fact), "run: python -m intake.inbound docs/integration/schemas"


@pytest.mark.parametrize("fact", FACTS)
def test_every_example_is_valid_for_both_the_json_schema_and_the_service(fact):
    example = json.loads((DOCS / "examples" / f"{fact}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json_schema(fact)).validate(example)
    assert load_fact(example, fact).fact == fact


@pytest.mark.parametrize("fact", FACTS)
def test_a_fact_loads_into_its_frozen_command_and_again_from_what_the_buffer_keeps(fact):
    example = json.loads((DOCS / "examples" / f"{fact}.json").read_text(encoding="utf-8"))
    cmd = load_fact(example, fact)
    assert type(cmd) is SPECS[fact].command
    with pytest.raises(dataclasses.FrozenInstanceError):
        cmd.code = "SCT-170306-0002"  # type: ignore[misc]
    kept = json.loads(json.dumps(cmd.as_json()))
    assert load_fact(kept, fact) == cmd and list(kept) == [k for k in SPECS[fact].schema.fields if k in kept]


def test_json_schema_and_service_agree_on_a_bad_message():
    bad = make_fact("dossier.accepted", channel=9)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema("dossier.accepted"))
    with pytest.raises(InboundError) as err:
        load_fact(bad)
    assert err.value.field == "channel"


@pytest.mark.parametrize(("change", "field"), [
    ({"occurred_at": "2017-03-06T08:30:00"}, "occurred_at"),
    ({"code": "SCT-17-1"}, "code"),
    ({"applicant": {"name": "A", "id_number": "12ab"}}, "applicant.id_number"),
    ({"surprise": 1}, "surprise"),
    ({"fact": "dossier.exploded"}, "fact"),
])
def test_invalid_messages_name_the_field(change, field):
    with pytest.raises(InboundError) as err:
        load_fact({**make_fact("dossier.accepted"), **change})
    assert err.value.field == field and err.value.kind == "invalid"


def test_missing_fields_are_all_reported():
    raw = make_fact("dossier.accepted")
    del raw["unit"], raw["officer"]
    with pytest.raises(InboundError) as err:
        load_fact(raw)
    assert {e["field"] for e in err.value.errors} == {"unit", "officer"}


def test_fact_must_match_the_routing_key():
    with pytest.raises(InboundError) as err:
        load_fact(make_fact("result.ready"), "dossier.accepted")
    assert err.value.field == "fact"


ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(("fact", "change", "field"), [
    ("dossier.accepted", {"channel": "1"}, "channel"),
    ("dossier.accepted", {"channel": 1.5}, "channel"),
    ("dossier.accepted", {"channel": 1.0}, "channel"),
    ("dossier.accepted", {"channel": True}, "channel"),
    ("dossier.accepted", {"channel": 1e30}, "channel"),
    ("fee.requested", {"amount_vnd": "1200000"}, "amount_vnd"),
    ("fee.requested", {"amount_vnd": 1e30}, "amount_vnd"),
    ("fee.requested", {"amount_vnd": 10**14}, "amount_vnd"),
    ("dossier.accepted", {"code": "SCT-170306-0001\n"}, "code"),
    ("dossier.accepted", {"code": "SCT-170306-0001".translate(ARABIC)}, "code"),
    ("dossier.accepted", {"agency": "SCT\n"}, "agency"),
    ("dossier.accepted", {"event_id": "e-1\n"}, "event_id"),
    ("dossier.accepted", {"applicant": {"name": "A", "id_number": "079123456789".translate(ARABIC)}},
     "applicant.id_number"),
    ("dossier.accepted", {"applicant": {"name": "A", "phone": "0912345678\n"}}, "applicant.phone"),
    ("dossier.accepted", {"occurred_at": "2017-03-06T08:30:00+07"}, "occurred_at"),
    ("dossier.accepted", {"occurred_at": "2017-W10-1T08:30:00+07:00"}, "occurred_at"),
    ("dossier.accepted", {"occurred_at": "2017-03-06"}, "occurred_at"),
    ("dossier.accepted", {"occurred_at": "0011-03-06T08:30:00+07:00"}, "occurred_at"),
    ("dossier.accepted", {"appointment_at": "2017-03-20T17:00:00+0700"}, "appointment_at"),
    ("apology.issued", {"new_due_date": "1900-01-01"}, "new_due_date"),
    ("apology.issued", {"new_due_date": "9999-12-31"}, "new_due_date"),
    ("apology.issued", {"new_due_date": "2017-W12-5"}, "new_due_date"),
    ("dossier.accepted", {"fact": ["dossier.accepted"]}, "fact"),
    ("dossier.accepted", {"fact": None}, "fact"),
])
def test_values_not_written_as_the_contract_says_are_refused(fact, change, field):
    with pytest.raises(InboundError) as err:
        load_fact({**make_fact(fact), **change})
    assert err.value.field == field and err.value.kind == "invalid"


def test_fact_is_required_even_with_a_routing_key():
    raw = make_fact("dossier.accepted")
    del raw["fact"]
    with pytest.raises(InboundError) as err:
        load_fact(raw, "dossier.accepted")
    assert err.value.field == "fact"
