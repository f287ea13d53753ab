"""The demo year: deterministic, valid against intake's inbound contract and lifecycle, with realistic shares."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import demo_data
import pytest
from whatif_demo import KINDS as CLOCK_KINDS

from dunghan.calendar import load_calendar
from dunghan.contract.events import ProcedureSnapshot, StepBudget
from dunghan.deadline import ClockEvent, compute_clock
from intake.domain import DossierState, check_code
from intake.facts import decide
from intake.inbound import load_fact

YEAR = (date(2017, 1, 1), date(2017, 12, 31))


@pytest.fixture(scope="module")
def calendar() -> Any:
    return load_calendar(years=range(2016, 2019))


@pytest.fixture(scope="module")
def plan(calendar: Any) -> demo_data.Plan:
    return demo_data.load_plan(3000, 2017, *YEAR, calendar=calendar)


@pytest.fixture(scope="module")
def catalogue() -> list[demo_data.Procedure]:
    import yaml

    folder = Path(demo_data.__file__).resolve().parents[1] / "services/intake/src/intake/data"
    return demo_data.parse_catalogue(yaml.safe_load((folder / "procedures_sct.yaml").read_text(encoding="utf-8")))


def _at(fact: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(fact["occurred_at"])


def test_same_seed_gives_the_same_facts_and_another_seed_differs(calendar: Any, plan: demo_data.Plan) -> None:
    again = demo_data.load_plan(3000, 2017, *YEAR, calendar=calendar)
    assert again.facts() == plan.facts()
    other = demo_data.load_plan(3000, 2018, *YEAR, calendar=calendar)
    assert other.facts() != plan.facts()


def test_every_fact_validates_against_intakes_inbound_schemas(plan: demo_data.Plan) -> None:
    for fact in plan.facts():
        loaded = load_fact(json.loads(json.dumps(fact, ensure_ascii=False)), fact["fact"])
        assert check_code(loaded.code, "SCT") is None


def test_every_dossier_is_a_valid_lifecycle_for_intakes_state_machine(plan: demo_data.Plan) -> None:
    for dossier in plan.dossiers:
        state: DossierState | None = None
        for fact in dossier.facts:
            verdict = decide(state, fact["fact"], _at(fact))
            assert verdict.action == "apply", (dossier.code, fact["fact"], verdict.reason)
            assert verdict.status is not None
            accepted = _at(fact) if fact["fact"] == "dossier.accepted" else state.accepted_at if state else None
            state = DossierState(verdict.status, accepted)
        assert state is not None


def test_facts_come_in_occurrence_order_with_unique_ids_and_daily_codes(plan: demo_data.Plan) -> None:
    facts = plan.facts()
    assert [_at(f) for f in facts] == sorted(_at(f) for f in facts)
    assert len({f["event_id"] for f in facts}) == len(facts)
    assert max(_at(f) for f in facts) < datetime(2018, 1, 1, tzinfo=_at(facts[0]).tzinfo)
    by_day: dict[str, list[int]] = defaultdict(list)
    for d in plan.dossiers:
        by_day[d.code[4:10]].append(int(d.code[-4:]))
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in by_day.values())


def test_acceptances_fall_in_working_hours_of_working_days(plan: demo_data.Plan, calendar: Any) -> None:
    for f in plan.facts():
        if f["fact"] != "dossier.submitted":
            local = _at(f).astimezone(calendar.tz)
            assert calendar.is_working_day(local.date()), f
            assert time(7, 30) <= local.time() <= time(11, 30) or time(13, 0) <= local.time() <= time(17, 0), f


def test_procedures_are_in_force_and_offered_on_the_channel(plan: demo_data.Plan, catalogue: list[Any]) -> None:
    for f in plan.facts():
        if "procedure_code" in f:
            day = _at(f).date()
            versions = [p for p in catalogue if p.code == f["procedure_code"] and p.in_force(day)]
            assert len(versions) == 1 and f["channel"] in versions[0].channels, f


def test_realistic_shares_of_channels_supplements_apologies(plan: demo_data.Plan) -> None:
    accepted = [f for f in plan.facts() if f["fact"] == "dossier.accepted"]
    kinds = Counter(f["fact"] for f in plan.facts())
    online = sum(f["channel"] == 2 for f in accepted) / len(accepted)
    assert 0.55 <= online <= 0.65
    assert {1, 3} <= {f["channel"] for f in accepted}
    assert 0.07 <= kinds["supplement.requested"] / len(accepted) <= 0.13
    assert kinds["supplement.received"] < kinds["supplement.requested"]
    assert 10 <= kinds["apology.issued"] <= 0.03 * len(accepted)
    assert kinds["dossier.refused"] and kinds["dossier.withdrawn"] and kinds["dossier.stopped"]
    assert kinds["dossier.transferred"] >= 2 * len(accepted)


def test_many_units_and_officers_take_part(plan: demo_data.Plan) -> None:
    units = {f["unit"] for f in plan.facts() if "unit" in f}
    officers = {f["officer"] for f in plan.facts() if "officer" in f}
    assert len(units) >= 5 and "SCT-MC" in units
    assert len(officers) >= 30


def _snapshot(catalogue: list[Any], code: str, day: date) -> ProcedureSnapshot:
    p = next(p for p in catalogue if p.code == code and p.in_force(day))
    return ProcedureSnapshot(
        code=p.code, version=1, name=p.name, field=p.field, committed_value=p.duration.value,
        committed_unit=p.duration.unit, statutory_value=p.duration.value, statutory_unit=p.duration.unit,
        cutoff=p.cutoff.strftime("%H:%M"), steps=tuple(StepBudget(n, h) for n, h in p.steps),
    )


def test_the_deadline_engine_finds_some_late_results_and_mostly_early(
    plan: demo_data.Plan, catalogue: list[Any], calendar: Any
) -> None:
    now = datetime(2019, 1, 1, tzinfo=calendar.tz)
    outcomes: Counter[str] = Counter()
    violations: Counter[str] = Counter()
    for d in plan.dossiers:
        accepted = next((f for f in d.facts if f["fact"] == "dossier.accepted"), None)
        if accepted is None or not any(f["fact"] == "result.ready" for f in d.facts):
            continue
        events = [ClockEvent(CLOCK_KINDS[f["fact"]], _at(f), unit=f.get("unit"), officer=f.get("officer"),
                             step=f.get("step"), event_id=f["event_id"],
                             new_due_date=date.fromisoformat(f["new_due_date"]) if "new_due_date" in f else None)
                  for f in d.facts if f["fact"] in CLOCK_KINDS]
        clock = compute_clock(events, _snapshot(catalogue, d.procedure, _at(accepted).date()), calendar, now)
        assert clock.outcome == d.intended, d.code
        outcomes[clock.outcome or ""] += 1
        violations.update(clock.violations)
    resolved = sum(outcomes.values())
    assert 0.03 <= outcomes["late"] / resolved <= 0.05
    assert outcomes["early"] > outcomes["on_time"] > outcomes["late"]
    assert violations["late_apology"] == 0 and violations["second_supplement_request"] == 0


def test_load_plan_makes_a_short_window_for_the_chaos_test_and_the_benchmark(calendar: Any) -> None:
    small = demo_data.load_plan(50, 7, date(2017, 3, 1), date(2017, 3, 31), calendar=calendar, id_prefix="chaos")
    assert len(small.dossiers) == 50
    assert all(f["event_id"].startswith("chaos-7-") for f in small.facts())
    assert all(d.code[4:8] == "1703" or d.code[4:8] == "1702" for d in small.dossiers)


def test_the_demo_loads_its_year_as_history_and_intake_takes_the_flag(plan: demo_data.Plan) -> None:
    facts = demo_data.as_history(plan.facts())
    accepted = [f for f in facts if f["fact"] == "dossier.accepted"]
    assert accepted and all(f["history"] is True for f in accepted)
    assert all("history" not in f for f in facts if f["fact"] != "dossier.accepted")
    assert all(load_fact(f).history is True for f in accepted[:50])
    assert all("history" not in f for f in plan.facts())  # the plan itself is untouched (make demo --live)
