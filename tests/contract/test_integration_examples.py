"""docs/integration/examples tell one consistent story: office-hour times, officers of their unit, and the
receipt's appointment is the due instant the deadline engine computes."""
from __future__ import annotations

import json
import re
from datetime import datetime, time
from importlib import resources
from pathlib import Path

import yaml

from deadline.preview import due_on_acceptance
from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.deadline import Rules
from intake.facts import FACTS
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


def test_the_readme_catalogues_every_rejection_reason_and_every_deadline_event():
    import typing

    from dunghan.contract.events import EVENT_TYPES, routing_key
    from intake.domain import RejectKind

    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    for reason in typing.get_args(RejectKind):
        assert re.search(rf"^\| `{reason}` (\([0-9]{{3}}\) )?\|", readme, re.M), \
            f"add {reason} to the error catalogue of docs/integration/README.md"
    for t in EVENT_TYPES:
        if not t.startswith("vn.dunghan.intake."):
            assert f"`{routing_key(t)}`" in readme, routing_key(t)


def test_the_readme_worked_examples_are_what_the_engine_computes():

    from dunghan.contract.events import ProcedureSnapshot

    tz = LOCAL_TZ
    cal = load_calendar(years=range(2016, 2025))

    def due(accepted: datetime, value: float, unit: str = "working_days", cutoff: str = "17:00") -> datetime:
        p = ProcedureSnapshot("P", 1, "x", "f", value, unit, value, unit, cutoff=cutoff)  # type: ignore[arg-type]
        clock = due_on_acceptance(p, accepted, cal, Rules())
        assert clock.due_at is not None
        return clock.due_at.astimezone(tz)

    assert due(datetime(2017, 1, 25, 10, tzinfo=tz), 3) == datetime(2017, 2, 6, 17, tzinfo=tz)
    assert due(datetime(2024, 4, 26, 15, tzinfo=tz), 3) == datetime(2024, 5, 4, 17, tzinfo=tz)
    assert due(datetime(2017, 3, 6, 17, 30, tzinfo=tz), 10) == datetime(2017, 3, 21, 17, tzinfo=tz)
    assert due(datetime(2017, 3, 6, 10, 30, tzinfo=tz), 10) == datetime(2017, 3, 20, 17, tzinfo=tz)
    assert due(datetime(2017, 3, 6, 15, 20, tzinfo=tz), 4, "working_hours", "15:00") == datetime(
        2017, 3, 7, 11, 30, tzinfo=tz)


def test_the_readme_supplement_example_is_what_the_engine_computes():

    from dunghan.contract.events import ProcedureSnapshot
    from dunghan.deadline import ClockEvent, compute_clock

    tz = LOCAL_TZ
    at = lambda d, h, m=0: datetime(2017, 3, d, h, m, tzinfo=tz)  # noqa: E731
    events = [ClockEvent("accepted", at(6, 10, 30)), ClockEvent("supplement_requested", at(8, 9)),
              ClockEvent("supplement_received", at(10, 14)), ClockEvent("result_ready", at(21, 10))]
    p = ProcedureSnapshot("SCT-TM-01", 2, "x", "f", 10, "working_days", 15, "working_days")
    clock = compute_clock(events, p, load_calendar(years=range(2016, 2019)), at(31, 9), Rules())
    assert clock.due_at == at(23, 11) and clock.paused_working_hours == 19.5
    assert (clock.outcome, clock.working_days_diff, clock.resolution_working_hours) == ("early", -2, 68.0)
