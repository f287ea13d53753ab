"""docs/integration/examples tell one consistent story: office-hour times, officers of their unit, and the
receipt's appointment is the due instant the deadline engine computes."""
from __future__ import annotations

import json
from datetime import datetime, time
from importlib import resources
from pathlib import Path

import yaml

from deadline.preview import due_on_acceptance
from dunghan.calendar import load_calendar
from dunghan.deadline import Rules
from intake.domain import FACTS
from intake.records import ProcedureVersion
from intake.registry import parse_catalogue_yaml, procedure_updated

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "integration" / "examples"
WINDOWS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))


def examples() -> dict[str, dict]:
    return {f: json.loads((EXAMPLES / f"{f}.json").read_text(encoding="utf-8")) for f in FACTS}


def test_every_example_happens_in_office_hours_on_a_working_day():
    cal = load_calendar(years=range(2016, 2019))
    for fact, msg in examples().items():
        at = datetime.fromisoformat(msg["occurred_at"])
        if fact == "dossier.submitted":
            continue  # online submissions come at any hour
        assert cal.is_working_day(at.date()), fact
        assert any(a <= at.time() <= b for a, b in WINDOWS), f"{fact} at {at.time()}"


def test_every_officer_in_the_examples_belongs_to_the_unit_named_with_it():
    org = yaml.safe_load((resources.files("intake") / "data" / "org_sct.yaml").read_text(encoding="utf-8"))
    unit_of = {o["code"]: u["code"] for u in org["units"] for o in u.get("officers", [])}
    for fact, msg in examples().items():
        if "officer" in msg and "unit" in msg:
            assert unit_of[msg["officer"]] == msg["unit"], fact
        if "officer" in msg:
            assert msg["officer"] in unit_of, fact


def test_the_receipt_appointment_is_the_computed_due_instant():
    msg = examples()["dossier.accepted"]
    accepted_at = datetime.fromisoformat(msg["occurred_at"])
    text = (resources.files("intake") / "data" / "procedures_sct.yaml").read_text(encoding="utf-8")
    versions: list[ProcedureVersion] = [p for p in parse_catalogue_yaml(text) if p.code == msg["procedure_code"]]
    live = max((v for v in versions if v.effective_from <= accepted_at.date()), key=lambda v: v.effective_from)
    snapshot = procedure_updated(live).procedure
    clock = due_on_acceptance(snapshot, accepted_at, load_calendar(years=range(2016, 2019)), Rules())
    assert clock.due_at == datetime.fromisoformat(msg["appointment_at"])
