"""The what-if replay: the same answers as the scalar engine, dossier by dossier, under any proposal."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whatif_support import CALENDAR, YEAR, engine_clock, year

from deadline.whatif import Change, DossierFacts, Proposal, prepare, run_whatif
from deadline.whatif.evaluate import LATE_OUT, NAMES, due_instant, evaluate
from deadline.whatif.report import proposal_arrays
from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import ProcedureSnapshot
from dunghan.deadline import ClockEvent

SEVEN = Proposal({"SCT-TM-01": Change(7, "working_days")})


def check_against_engine(facts: tuple[DossierFacts, ...], proposal: Proposal) -> int:
    base = prepare(facts, CALENDAR, YEAR)
    under = prepare(facts, CALENDAR, YEAR, proposal.windows) if proposal.windows else base
    value, unit, cutoff = proposal_arrays(under, proposal)
    e = evaluate(under, value, unit, cutoff)
    for row, d in enumerate(under.facts):
        clock = engine_clock(d, proposal)
        assert due_instant(under, row, int(e.due_pos[row])) == clock.original_due_at, d.code
        if under.resolved[row]:
            assert NAMES[int(e.outcome[row])] == clock.outcome, d.code
            assert e.resolution_hours[row] == pytest.approx(clock.resolution_working_hours), d.code
        else:
            assert clock.stopped_at is None
    return under.size


@pytest.mark.parametrize("proposal", [
    Proposal(),
    SEVEN,
    Proposal({c: Change(v, u) for c, v, u in (
        ("SCT-XT-03", 1, "working_days"), ("SCT-TP-02", 4, "working_hours"), ("SCT-TP-01", 12, "calendar_days"),
        ("SCT-TM-06", 0.5, "working_days"), ("SCT-XT-01", 2, "working_days"))}),
    Proposal(cutoff=time(15, 0)),
    Proposal({"SCT-XT-03": Change(3, "working_days", cutoff=time(10, 30))}),
    Proposal({"SCT-TM-01": Change(5)}, windows=((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30)))),
], ids=["no-change", "tm01-7d", "mixed-units", "cutoff-15h", "own-cutoff", "windows"])
def test_every_dossier_matches_the_scalar_engine(proposal: Proposal) -> None:
    assert check_against_engine(year(), proposal) > 600


def test_no_change_reproduces_what_was_recorded() -> None:
    """Facts carrying the stored due instant and outcome (as the repository supplies them) are reproduced."""
    facts = year()
    stored = []
    for d in facts:
        clock = engine_clock(d, Proposal())
        stored.append(DossierFacts(d.code, d.agency, d.procedure, d.events, d.rules, d.unit,
                                   clock.original_due_at, clock.outcome))
    from deadline.whatif.check import no_change_mismatches
    assert no_change_mismatches(prepare(stored, CALENDAR, YEAR)) == []


def test_seven_days_instead_of_ten_lists_the_late_dossiers_per_unit() -> None:
    facts = year()
    result = run_whatif(facts, CALENDAR, YEAR, SEVEN)
    tm01 = next(p for p in result["procedures"] if p["procedure_code"] == "SCT-TM-01")
    assert tm01["committed"] == {"value": 10.0, "unit": "working_days"}
    assert tm01["proposed"] == {"value": 7, "unit": "working_days"}
    assert tm01["after"]["late"] >= tm01["before"]["late"]
    late = [d for d in result["late_dossiers"] if d["procedure_code"] == "SCT-TM-01"]
    assert len(late) == tm01["after"]["late"] > 0
    # every late dossier is listed under its unit, and the engine agrees that it is late under 7 days
    by_code = {d.code: d for d in facts}
    for unit in result["units"]:
        listed = [d["code"] for d in result["late_dossiers"] if d["unit"] == unit["unit"]]
        assert sorted(listed) == sorted(unit["late_codes"])
        assert len(listed) == unit["after"]["late"]
    for row in late:
        assert engine_clock(by_code[row["code"]], SEVEN).outcome == "late"
        assert row["due_at_after"] < row["due_at_before"]
    others = [p for p in result["procedures"] if p["procedure_code"] != "SCT-TM-01" and p["dossiers"]]
    assert all(p["before"] == p["after"] for p in others)


def test_shortest_duration_keeps_the_target_and_one_less_does_not() -> None:
    result = run_whatif(year(), CALENDAR, YEAR, Proposal(target=0.95))
    for p in result["procedures"]:
        if not p["resolved"]:
            continue
        curve = p["curve"]
        rates = [pt["on_time_rate"] for pt in curve]
        assert rates == sorted(rates), p["procedure_code"]  # longer never does worse
        best = p["shortest"]
        if best is None:
            assert all(r < 0.95 for r in rates)
            continue
        at = next(i for i, pt in enumerate(curve) if pt["value"] == best["value"])
        assert curve[at]["on_time_rate"] >= 0.95 and curve[at]["late"] == best["late"]
        assert at == 0 or curve[at - 1]["on_time_rate"] < 0.95


def test_indicator_2_1_counts_open_dossiers_in_time() -> None:
    short = type(YEAR)(YEAR.first, YEAR.first.replace(month=6, day=30))
    result = run_whatif(year(), CALENDAR, short, SEVEN)
    total = result["total"]
    assert total["pending"] > 0
    b = total["before"]
    expected = (b["early"] + b["on_time"] + b["pending_in_time"]) / total["dossiers"]
    assert result["indicator_2_1"]["before"] == round(expected, 4)


def test_the_real_record_is_not_touched() -> None:
    facts = year(200)
    before = [(d.code, d.events, d.procedure) for d in facts]
    run_whatif(facts, CALENDAR, YEAR, SEVEN)
    assert before == [(d.code, d.events, d.procedure) for d in facts]


def _snap(days: float, unit: str = "working_days") -> ProcedureSnapshot:
    return ProcedureSnapshot(code="P", version=1, name="Thủ tục", field="f", committed_value=days,
                             committed_unit=unit, statutory_value=30, statutory_unit="working_days")  # type: ignore[arg-type]


instants = st.builds(
    lambda d, minute: datetime(2017, 1, 2, tzinfo=LOCAL_TZ) + timedelta(days=d, minutes=minute),
    st.integers(0, 300), st.integers(0, 24 * 60 - 1))


@settings(max_examples=150, deadline=None)
@given(accepted=instants, gaps=st.lists(st.integers(1, 6 * 24 * 60), min_size=1, max_size=4),
       long=st.floats(0.5, 25), cut=st.floats(0.05, 1.0),
       unit=st.sampled_from(["working_days", "working_hours", "calendar_days"]))
def test_shortening_a_duration_never_turns_a_late_dossier_on_time(
        accepted: datetime, gaps: list[int], long: float, cut: float, unit: str) -> None:
    at = [accepted]
    for g in gaps:
        at.append(at[-1] + timedelta(minutes=g))
    kinds = [*["accepted", *(["supplement_requested", "supplement_received"] * 2)][: len(at) - 1], "result_ready"]
    events = tuple(ClockEvent(k, t, event_id=str(i)) for i, (k, t) in enumerate(zip(kinds, at, strict=True)))
    d = DossierFacts("X", "SCT", _snap(long, unit), events)
    short = min(long, max(0.25, round(long * cut, 2)))  # rounding must not lengthen it (0.996 → 1.0)
    p = prepare([d], CALENDAR, YEAR.__class__(accepted.date(), (at[-1] + timedelta(days=1)).date()))
    if not p.size or not p.resolved[0]:
        return
    outcomes = []
    for v in (long, short):
        e = evaluate(p, np.array([v]), p.unit_code, p.cutoff)
        outcomes.append(int(e.outcome[0]))
    assert outcomes[0] != LATE_OUT or outcomes[1] == LATE_OUT
    assert outcomes[1] >= outcomes[0]  # early(0) <= on time(1) <= late(2): shortening only moves right


@settings(max_examples=25, deadline=None)
@given(shorter=st.floats(0.1, 0.95), unit=st.sampled_from(["working_days", "working_hours", "calendar_days"]),
       cutoff=st.sampled_from([None, time(10, 0), time(15, 0), time(17, 0)]))
def test_on_the_demo_year_no_late_dossier_becomes_on_time_when_shortened(shorter: float, unit: str,
                                                                         cutoff: time | None) -> None:
    p = prepare(year(), CALENDAR, YEAR)
    cut = p.cutoff if cutoff is None else np.full(p.size, cutoff.hour * 3600 + cutoff.minute * 60)
    units = np.full(p.size, {"working_days": 0, "working_hours": 1, "calendar_days": 2}[unit])
    longer = evaluate(p, p.value, units, cut)
    short = evaluate(p, np.maximum(0.25, p.value * shorter), units, cut)
    late_before = p.resolved & (longer.outcome == LATE_OUT)
    assert not (late_before & (short.outcome != LATE_OUT)).any()
    assert (short.due_pos <= longer.due_pos).all()
