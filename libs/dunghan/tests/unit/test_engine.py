"""The deadline engine: acceptance, counting, pauses, apologies, classification, states, steps, warnings."""
from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pytest

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import ProcedureSnapshot, StepBudget
from dunghan.deadline import ClockEvent, Rules, compute_clock, due_bulk, warning_schedule

CAL = load_calendar()


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def proc(value: float = 3, unit: str = "working_days", **kw) -> ProcedureSnapshot:
    return ProcedureSnapshot("P", 1, "Thủ tục", "thuong_mai", value, unit, value, unit, **kw)  # type: ignore[arg-type]


def ev(kind: str, when: datetime, **kw) -> ClockEvent:
    return ClockEvent(kind, when, **kw)


def accepted(when: datetime) -> ClockEvent:
    return ev("accepted", when, unit="U1", officer="o1")


FAR = at(2030, 1, 1)


@pytest.mark.parametrize(("when", "value", "unit", "due"), [
    (at(2017, 1, 25, 10), 3, "working_days", at(2017, 2, 6, 17)),
    (at(2017, 4, 28, 10), 5, "working_days", at(2017, 5, 9, 17)),
    (at(2024, 4, 26, 10), 3, "working_days", at(2024, 5, 4, 17)),
    (at(2017, 8, 31, 10), 2, "working_days", at(2017, 9, 5, 17)),
    (at(2017, 12, 29, 16), 1, "working_days", at(2018, 1, 2, 17)),
    (at(2017, 1, 25, 10), 0.5, "working_days", at(2017, 1, 25, 15, 30)),
    (at(2017, 1, 25, 10), 1.5, "working_days", at(2017, 2, 3, 11, 30)),
    (at(2017, 3, 1, 14), 4, "working_hours", at(2017, 3, 2, 8, 30)),
    (at(2017, 3, 1, 6), 4, "working_hours", at(2017, 3, 1, 11, 30)),
    (at(2017, 3, 1, 12), 2, "working_hours", at(2017, 3, 1, 15)),
    (at(2017, 3, 4, 10), 2, "working_hours", at(2017, 3, 6, 9, 30)),
    (at(2017, 1, 20, 10), 10, "calendar_days", at(2017, 2, 2, 17)),
    (at(2017, 3, 1, 10), 10, "calendar_days", at(2017, 3, 13, 17)),
])
def test_due_instant_table(when: datetime, value: float, unit: str, due: datetime) -> None:
    clock = compute_clock([accepted(when)], proc(value, unit), CAL, when)
    assert clock.due_at == due
    assert clock.original_due_at == due
    assert clock.due_date == due.date()
    assert clock.calendar_version == CAL.version


def test_acceptance_after_cutoff_counts_from_the_next_working_day() -> None:
    before = compute_clock([accepted(at(2017, 3, 1, 14, 59))], proc(2, cutoff="15:00"), CAL, FAR)
    after = compute_clock([accepted(at(2017, 3, 1, 15, 0))], proc(2, cutoff="15:00"), CAL, FAR)
    assert before.due_at == at(2017, 3, 3, 17)
    assert after.due_at == at(2017, 3, 6, 17)
    assert after.effective_acceptance_date == date(2017, 3, 2)


def test_rules_cutoff_overrides_the_procedure() -> None:
    clock = compute_clock([accepted(at(2017, 3, 1, 14))], proc(2), CAL, FAR, Rules(cutoff=time(12, 0)))
    assert clock.due_at == at(2017, 3, 6, 17)


def test_same_day_procedure_pushed_by_cutoff_starts_at_the_next_opening() -> None:
    clock = compute_clock([accepted(at(2017, 3, 1, 15, 30))], proc(4, "working_hours", cutoff="15:00"), CAL, FAR)
    assert clock.start_at == at(2017, 3, 2, 7, 30)
    assert clock.due_at == at(2017, 3, 2, 11, 30)


def test_custom_windows_change_the_day_length() -> None:
    rules = Rules(windows=((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))))
    clock = compute_clock([accepted(at(2017, 3, 1, 10))], proc(1), CAL, FAR, rules)
    assert clock.due_at == at(2017, 3, 2, 17, 30)


def test_supplement_pause_moves_due_by_paused_working_hours() -> None:
    events = [accepted(at(2017, 3, 1, 10)), ev("supplement_requested", at(2017, 3, 2, 9)),
              ev("supplement_received", at(2017, 3, 2, 14))]
    clock = compute_clock(events, proc(3), CAL, FAR)
    assert clock.paused_working_hours == 3.5
    assert clock.due_at == at(2017, 3, 7, 11)
    assert clock.original_due_at == clock.due_at
    assert clock.supplement_requests == 1
    assert clock.violations == ()


def test_open_supplement_pause_is_waiting_for_the_applicant() -> None:
    events = [accepted(at(2017, 3, 1, 10)), ev("supplement_requested", at(2017, 3, 2, 9))]
    clock = compute_clock(events, proc(3), CAL, at(2017, 3, 20, 9))
    assert clock.state == "waiting_applicant"
    assert clock.paused
    assert warning_schedule(clock, CAL) == []


def test_second_supplement_request_is_a_violation_that_makes_the_dossier_late() -> None:
    events = [accepted(at(2017, 3, 1, 10)),
              ev("supplement_requested", at(2017, 3, 2, 9)), ev("supplement_received", at(2017, 3, 2, 10)),
              ev("supplement_requested", at(2017, 3, 3, 9)), ev("supplement_received", at(2017, 3, 3, 10)),
              ev("result_ready", at(2017, 3, 3, 11))]
    clock = compute_clock(events, proc(3), CAL, FAR)
    assert clock.supplement_requests == 2
    assert "second_supplement_request" in clock.violations
    assert clock.outcome == "late"


def test_fee_wait_pauses_only_where_the_procedure_says_so() -> None:
    events = [accepted(at(2017, 3, 1, 10)), ev("fee_requested", at(2017, 3, 2, 7, 30)),
              ev("fee_paid", at(2017, 3, 3, 7, 30))]
    assert compute_clock(events, proc(3), CAL, FAR).due_at == at(2017, 3, 6, 17)
    assert compute_clock(events, proc(3, pause_on_fee=True), CAL, FAR).due_at == at(2017, 3, 7, 17)
    assert compute_clock(events, proc(3), CAL, FAR, Rules(pause_on_fee=True)).due_at == at(2017, 3, 7, 17)


@pytest.mark.parametrize(("result", "outcome", "diff"), [
    (at(2017, 3, 2, 16), "early", -2),
    (at(2017, 3, 6, 16, 59), "on_time", 0),
    (at(2017, 3, 6, 17, 30), "on_time", 0),
    (at(2017, 3, 7, 8), "late", 1),
    (at(2017, 3, 11, 8), "late", 4),
    (at(2017, 3, 13, 8), "late", 5),
])
def test_classification_on_dates(result: datetime, outcome: str, diff: int) -> None:
    events = [accepted(at(2017, 3, 1, 10)), ev("result_ready", result)]
    clock = compute_clock(events, proc(3), CAL, FAR)
    assert (clock.outcome, clock.working_days_diff, clock.state) == (outcome, diff, "closed")
    assert clock.stop_reason == "result_ready"


def test_result_returned_alone_stops_the_clock_and_ready_wins_when_both_exist() -> None:
    only_returned = [accepted(at(2017, 3, 1, 10)), ev("result_returned", at(2017, 3, 7, 9))]
    both = [*only_returned, ev("result_ready", at(2017, 3, 6, 9))]
    assert compute_clock(only_returned, proc(3), CAL, FAR).outcome == "late"
    clock = compute_clock(both, proc(3), CAL, FAR)
    assert (clock.outcome, clock.stop_reason) == ("on_time", "result_ready")


@pytest.mark.parametrize("kind", ["withdrawn", "refused"])
def test_withdrawn_or_refused_after_review_count_as_on_time(kind: str) -> None:
    clock = compute_clock([accepted(at(2017, 3, 1, 10)), ev(kind, at(2017, 3, 20, 9))], proc(3), CAL, FAR)
    assert (clock.outcome, clock.stop_reason, clock.state) == ("on_time", kind, "closed")


@pytest.mark.parametrize("kind", ["result_ready", "result_returned"])
def test_a_result_refusing_the_dossier_counts_as_returned_on_time(kind: str) -> None:
    events = [accepted(at(2017, 9, 1, 9)), ev(kind, at(2017, 9, 5, 9), decision="refused")]
    clock = compute_clock(events, proc(5), CAL, FAR)
    assert (clock.outcome, clock.working_days_diff, clock.stop_reason) == ("on_time", 0, "returned")
    late = [accepted(at(2017, 3, 1, 10)), ev("withdrawn", at(2017, 3, 20, 9))]
    assert compute_clock(late, proc(3), CAL, FAR).working_days_diff == 0


def test_refused_at_intake_has_no_clock() -> None:
    clock = compute_clock([ev("refused", at(2017, 3, 1, 10))], proc(3), CAL, FAR)
    assert clock.due_at is None and clock.state == "closed" and clock.outcome is None


def test_stopped_dossier_is_classified_on_dates() -> None:
    clock = compute_clock([accepted(at(2017, 3, 1, 10)), ev("stopped", at(2017, 3, 8, 9))], proc(3), CAL, FAR)
    assert (clock.outcome, clock.stop_reason) == ("late", "stopped")


def test_apology_sets_a_new_date_but_classification_keeps_the_original() -> None:
    events = [accepted(at(2017, 3, 1, 10)),
              ev("apology_issued", at(2017, 3, 3, 9), new_due_date=date(2017, 3, 10)),
              ev("result_ready", at(2017, 3, 9, 9))]
    clock = compute_clock(events, proc(3), CAL, FAR)
    assert clock.due_at == at(2017, 3, 10, 17)
    assert clock.original_due_at == at(2017, 3, 6, 17)
    assert clock.outcome == "late"
    assert clock.apologies == 1 and clock.violations == ()


def test_apology_less_than_one_working_day_before_due_is_late() -> None:
    events = [accepted(at(2017, 3, 1, 10)),
              ev("apology_issued", at(2017, 3, 6, 9), new_due_date=date(2017, 3, 10))]
    assert compute_clock(events, proc(3), CAL, FAR).violations == ("late_apology",)


def test_second_apology_is_recorded_and_does_not_move_the_date_again() -> None:
    events = [accepted(at(2017, 3, 1, 10)),
              ev("apology_issued", at(2017, 3, 2, 9), new_due_date=date(2017, 3, 10), event_id="a"),
              ev("apology_issued", at(2017, 3, 3, 9), new_due_date=date(2017, 3, 20), event_id="b")]
    clock = compute_clock(events, proc(3), CAL, FAR)
    assert clock.due_at == at(2017, 3, 10, 17)
    assert clock.apologies == 2 and "second_apology" in clock.violations


@pytest.mark.parametrize(("now", "state"), [
    (at(2017, 3, 2, 9), "in_time"),
    (at(2017, 3, 3, 17), "due_soon"),
    (at(2017, 3, 6, 17), "due_soon"),
    (at(2017, 3, 6, 17, 1), "overdue"),
])
def test_state_of_an_open_dossier(now: datetime, state: str) -> None:
    assert compute_clock([accepted(at(2017, 3, 1, 10))], proc(3), CAL, now).state == state


def test_events_after_now_are_not_yet_known() -> None:
    events = [accepted(at(2017, 3, 1, 10)), ev("result_ready", at(2017, 3, 3, 9))]
    assert compute_clock(events, proc(3), CAL, at(2017, 3, 2, 9)).state == "in_time"


def test_event_order_does_not_matter_and_the_engine_is_deterministic() -> None:
    events = [accepted(at(2017, 3, 1, 10)), ev("supplement_requested", at(2017, 3, 2, 9)),
              ev("supplement_received", at(2017, 3, 2, 14)), ev("result_ready", at(2017, 3, 8, 9))]
    first = compute_clock(events, proc(3), CAL, FAR)
    assert compute_clock(list(reversed(events)), proc(3), CAL, FAR) == first


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        ClockEvent("accepted", datetime(2017, 3, 1, 10))
    with pytest.raises(ValueError):
        compute_clock([accepted(at(2017, 3, 1))], proc(3), CAL, datetime(2017, 3, 2))


def test_holder_follows_transfers_and_steps_are_attributed_to_their_handlers() -> None:
    steps = (StepBudget("tiep_nhan", 4), StepBudget("tham_dinh", 8), StepBudget("ky", 4))
    events = [ev("accepted", at(2017, 3, 1, 10), unit="U1", officer="a", step="tiep_nhan"),
              ev("transferred", at(2017, 3, 1, 11), unit="U2", officer="b", step="tham_dinh"),
              ev("transferred", at(2017, 3, 3, 9), unit="U3", officer="c", step="ky"),
              ev("result_ready", at(2017, 3, 3, 10))]
    clock = compute_clock(events, proc(3, steps=steps), CAL, FAR)
    assert [(s.step, s.officer, s.outcome) for s in clock.steps] == [
        ("tiep_nhan", "a", "on_time"), ("tham_dinh", "b", "late"), ("ky", "c", "on_time")]
    assert clock.steps[1].due_at == at(2017, 3, 2, 11)
    assert (clock.holder_unit, clock.holder_officer) == ("U3", "c")


def test_open_step_has_a_due_instant_and_no_outcome() -> None:
    steps = (StepBudget("tiep_nhan", 4),)
    clock = compute_clock([ev("accepted", at(2017, 3, 1, 10), unit="U1", officer="a")], proc(3, steps=steps),
                          CAL, at(2017, 3, 1, 11))
    assert clock.steps[0].due_at == at(2017, 3, 1, 15, 30)
    assert clock.steps[0].outcome is None and clock.steps[0].ended_at is None


def test_resolution_working_hours_exclude_pauses() -> None:
    events = [accepted(at(2017, 3, 1, 10)), ev("supplement_requested", at(2017, 3, 2, 9)),
              ev("supplement_received", at(2017, 3, 2, 14)), ev("result_ready", at(2017, 3, 3, 10))]
    assert compute_clock(events, proc(3), CAL, FAR).resolution_working_hours == pytest.approx(12.5)


def test_warning_schedule_thresholds() -> None:
    clock = compute_clock([accepted(at(2017, 1, 25, 10))], proc(3), CAL, at(2017, 1, 25, 11))
    schedule = warning_schedule(clock, CAL, until=at(2017, 2, 9, 12))
    assert schedule == [
        ("d-1", at(2017, 2, 3, 17)), ("due_day", at(2017, 2, 6, 7, 30)), ("overdue", at(2017, 2, 6, 17)),
        ("overdue+1", at(2017, 2, 7, 7, 30)), ("overdue+2", at(2017, 2, 8, 7, 30)),
        ("overdue+3", at(2017, 2, 9, 7, 30)),
    ]
    quiet = Rules(warn_due_day_morning=False, overdue_repeat_daily=False)
    assert [name for name, _ in warning_schedule(clock, CAL, quiet, until=FAR)] == ["d-1", "overdue"]


def test_warning_schedule_is_empty_for_closed_clocks() -> None:
    events = [accepted(at(2017, 3, 1, 10)), ev("result_ready", at(2017, 3, 2, 9))]
    assert warning_schedule(compute_clock(events, proc(3), CAL, FAR), CAL) == []


def test_due_bulk_matches_the_scalar_path() -> None:
    accepted_dates = np.array(["2017-01-25", "2017-04-28", "2024-04-26", "2017-01-28", "2017-12-29"],
                              dtype="datetime64[D]")
    days = np.array([3, 5, 3, 1, 0])
    out = due_bulk(accepted_dates, days, CAL)
    assert out.tolist() == [date(2017, 2, 6), date(2017, 5, 9), date(2024, 5, 4), date(2017, 2, 3),
                            date(2017, 12, 29)]


def test_overdue_repeats_since_skip_the_years_already_past():
    now = at(2019, 6, 3, 10)
    clock = compute_clock([accepted(at(2017, 3, 1))], proc(), CAL, now)
    full = warning_schedule(clock, CAL, until=now)
    short = warning_schedule(clock, CAL, until=now, since=now)
    assert len(full) > 500 and len(short) <= 6
    assert full[-1] == short[-1]
    assert [name for name, _ in short][:3] == ["d-1", "due_day", "overdue"]
