"""The wire contract: CloudEvents envelope, typed events, tolerance and clear errors."""
import json
from datetime import UTC, date, datetime

import pytest

from dunghan.contract import EVENT_TYPES, decode, encode, envelope_for, routing_key
from dunghan.contract.envelope import ContractError
from dunghan.contract.events import DossierAccepted, PhaseClosed, ProcedureSnapshot, StepBudget

NOW = datetime(2017, 3, 1, 8, 0, tzinfo=UTC)
PROC = ProcedureSnapshot(
    code="SCT-01", version=2, name="Cấp Giấy phép bán lẻ rượu", field="Lưu thông hàng hóa",
    committed_value=10, committed_unit="working_days", statutory_value=15, statutory_unit="working_days",
    steps=(StepBudget("tiep_nhan", 4), StepBudget("tham_dinh", 40)),
)
ACCEPTED = DossierAccepted(
    code="SCT-170301-0001", agency="SCT", occurred_at=NOW, unit="QLTM", officer="cb01", procedure=PROC,
    channel=2, applicant_name="Nguyễn Văn Đạt",
)


def test_event_round_trips_through_structured_cloudevent():
    ce = envelope_for(ACCEPTED, now=NOW, event_id="e-1")
    raw = json.loads(encode(ce))
    assert raw["specversion"] == "1.0"
    assert raw["type"] == "vn.dunghan.intake.dossier_accepted.v1"
    assert raw["subject"] == "SCT-170301-0001"
    assert decode(encode(ce)).event() == ACCEPTED


def test_routing_key_is_the_type_without_prefix_and_names_the_major_version():
    assert routing_key(DossierAccepted) == "intake.dossier_accepted.v1"
    assert all(t.endswith(".v1") for t in EVENT_TYPES)


def test_consumers_tolerate_unknown_fields():
    ce = envelope_for(ACCEPTED, now=NOW)
    raw = json.loads(encode(ce))
    raw["extension"] = "x"
    raw["data"]["new_field"] = 42
    raw["data"]["procedure"]["another"] = True
    assert decode(json.dumps(raw).encode()).event() == ACCEPTED


def test_invalid_data_names_the_field():
    raw = json.loads(encode(envelope_for(ACCEPTED, now=NOW)))
    raw["data"]["channel"] = "abc"
    with pytest.raises(ContractError) as err:
        decode(json.dumps(raw).encode()).event()
    assert err.value.field == "data.channel"


@pytest.mark.parametrize(
    ("body", "field"),
    [(b"not json", "body"), (b"[]", "body"), (b'{"specversion":"1.0"}', "id"),
     (b'{"specversion":"0.3","id":"1","source":"s","type":"t","time":"2017-01-01T00:00:00Z"}', "specversion"),
     (b'{"specversion":"1.0","id":"1","source":"s","type":"t","time":"yesterday"}', "time"),
     (b'\xff\xfe', "body")],
)
def test_malformed_envelopes_are_contract_errors(body, field):
    with pytest.raises(ContractError) as err:
        decode(body)
    assert err.value.field == field


def test_unknown_type_is_a_contract_error():
    ce = decode(b'{"specversion":"1.0","id":"1","source":"s","type":"vn.dunghan.x.y.v9",'
                b'"time":"2017-01-01T00:00:00Z"}')
    with pytest.raises(ContractError):
        ce.event()


def test_defaults_fill_missing_optional_fields():
    ce = envelope_for(PhaseClosed("c2017", "p1", "Đợt 1", date(2017, 6, 30)), now=NOW)
    raw = json.loads(encode(ce))
    del raw["data"]["proposals"]
    assert decode(json.dumps(raw).encode()).event().proposals == ()
