from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from deadline_factories import (
    accepted,
    apology,
    at,
    cloud,
    result_ready,
    supplement_received,
    supplement_requested,
    transferred,
)
from deadline_fakes import FakeMetrics, FakeRepository

from deadline import handlers
from deadline.handlers import CalendarSource, Deps
from dunghan.calendar import Notice, load_calendar
from dunghan.contract import events as ev

BASE = load_calendar(years=range(2016, 2027))
CODE = "SCT-240426-0001"


@pytest.fixture
def repo():
    return FakeRepository()


@pytest.fixture
def deps(repo):
    return Deps(CalendarSource(BASE, repo.notices), metrics=FakeMetrics())


def apply(repo, deps, *events, now=None):
    outcomes = []
    for e in events:
        outcomes.append(handlers.handle_event(cloud(e), repo, deps, now or e.occurred_at + timedelta(minutes=1)))
    return outcomes


def published(repo, cls):
    return [e for e in repo.published if isinstance(e, cls)]


def test_acceptance_sets_the_due_instant_over_the_2024_holidays_and_make_up_saturday(repo, deps):
    apply(repo, deps, accepted(CODE, at(2024, 4, 26)))
    [due] = published(repo, ev.DueDateSet)
    assert due.due_at == at(2024, 5, 4, 17)
    assert (due.reason, due.previous_due_at, due.unit, due.officer) == ("accepted", None, "P1", "cb1")
    assert due.calendar_version == BASE.version
    assert repo.state.dossiers[CODE].next_threshold_at is not None


def test_a_redelivered_event_is_a_duplicate_and_publishes_nothing_more(repo, deps):
    ce = cloud(accepted(CODE, at(2024, 4, 26)))
    assert handlers.handle_event(ce, repo, deps, at(2024, 4, 26, 10)) == "ok"
    assert handlers.handle_event(ce, repo, deps, at(2024, 4, 26, 10)) == "duplicate"
    assert len(published(repo, ev.DueDateSet)) == 1


def test_supplement_pause_moves_the_due_date_with_reason_supplement(repo, deps):
    apply(repo, deps, accepted(CODE, at(2024, 5, 6)), supplement_requested(CODE, at(2024, 5, 7, 7, 30)))
    assert repo.state.dossiers[CODE].paused
    apply(repo, deps, supplement_received(CODE, at(2024, 5, 9, 7, 30)))
    first, second = published(repo, ev.DueDateSet)
    assert second.reason == "supplement" and second.previous_due_at == first.due_at
    assert second.due_at == at(2024, 5, 13, 17)
    assert first.due_at == at(2024, 5, 9, 17)


def test_out_of_order_events_give_the_same_clock_as_in_order(repo, deps):
    events = [accepted(CODE, at(2024, 5, 6)), supplement_requested(CODE, at(2024, 5, 7, 7, 30)),
              supplement_received(CODE, at(2024, 5, 9, 7, 30))]
    apply(repo, deps, events[2], events[0], events[1], now=at(2024, 5, 9, 8))
    assert repo.state.dossiers[CODE].due_at == at(2024, 5, 13, 17)
    assert not repo.state.dossiers[CODE].paused


def test_events_before_acceptance_wait_for_the_procedure_snapshot(repo, deps):
    apply(repo, deps, transferred(CODE, at(2024, 5, 6, 10), "P2", "cb2"))
    assert published(repo, ev.DueDateSet) == []
    apply(repo, deps, accepted(CODE, at(2024, 5, 6)))
    [due] = published(repo, ev.DueDateSet)
    assert (due.unit, due.officer) == ("P2", "cb2")


def test_each_dossier_keeps_the_procedure_version_of_its_acceptance(repo, deps):
    apply(repo, deps, accepted("A", at(2024, 5, 6), days=3, version=1),
          accepted("B", at(2024, 5, 6), days=5, version=2),
          transferred("A", at(2024, 5, 7), "P2", "cb2"))
    assert repo.state.dossiers["A"].due_at == at(2024, 5, 9, 17)
    assert repo.state.dossiers["A"].procedure.version == 1
    assert repo.state.dossiers["B"].due_at == at(2024, 5, 13, 17)


def test_result_classifies_once_and_a_later_correction_is_recorded_not_republished(repo, deps):
    apply(repo, deps, accepted(CODE, at(2024, 5, 6)), transferred(CODE, at(2024, 5, 7), "P2", "cb2"),
          result_ready(CODE, at(2024, 5, 8, 10)))
    [c] = published(repo, ev.DossierClassified)
    assert (c.outcome, c.working_days_diff, c.unit, c.officer) == ("early", -1, "P2", "cb2")
    assert deps.metrics.classified_events == [c]
    apply(repo, deps, ev.ResultReturned(code=CODE, agency="SCT", occurred_at=at(2024, 5, 9)))
    assert repo.state.corrections == []
    apply(repo, deps, result_ready(CODE, at(2024, 5, 6, 10)))
    assert len(published(repo, ev.DossierClassified)) == 1
    [(_, before, after)] = repo.state.corrections
    assert before["outcome"] == "early" and after["working_days_diff"] == -3


def scan(repo, deps, now):
    handlers.scan_thresholds(repo, deps, now)
    return [e for e in repo.published if isinstance(e, ev.DeadlineApproaching | ev.DeadlineBreached)]


def test_thresholds_fire_once_each_in_order(repo, deps):
    apply(repo, deps, accepted(CODE, at(2024, 5, 6)))  # due Thu 9/5 17:00
    assert scan(repo, deps, at(2024, 5, 7, 9)) == []
    [d1] = scan(repo, deps, at(2024, 5, 8, 17))
    assert d1.threshold == "d-1"
    assert len(scan(repo, deps, at(2024, 5, 8, 17, 30))) == 1
    warnings = scan(repo, deps, at(2024, 5, 9, 8))
    assert [w.threshold for w in warnings[1:]] == ["due_day"]
    breached = scan(repo, deps, at(2024, 5, 9, 17, 5))[2:]
    assert [(b.days_overdue, b.procedure_code) for b in breached] == [(0, "1.001")]
    assert breached[0].applicant_name == "Nguyễn Văn A"
    assert deps.metrics.warnings == ["d-1", "due_day", "overdue"]


def test_catch_up_after_downtime_emits_only_the_latest_overdue_repeat(repo, deps):
    apply(repo, deps, accepted(CODE, at(2024, 5, 6)))
    warnings = scan(repo, deps, at(2024, 5, 16, 9))
    assert len(warnings) == 1 and isinstance(warnings[0], ev.DeadlineBreached)
    assert warnings[0].days_overdue > 1
    assert scan(repo, deps, at(2024, 5, 16, 10)) == warnings


def test_no_warning_for_stopped_or_paused_dossiers(repo, deps):
    apply(repo, deps, accepted("A", at(2024, 5, 6)), result_ready("A", at(2024, 5, 7)),
          accepted("B", at(2024, 5, 6)), supplement_requested("B", at(2024, 5, 7)))
    assert scan(repo, deps, at(2024, 5, 20)) == []


def test_apology_moves_the_due_date_and_warnings_follow_the_new_date(repo, deps):
    apply(repo, deps, accepted(CODE, at(2024, 5, 6)), apology(CODE, at(2024, 5, 7, 9), date(2024, 5, 15)))
    due = published(repo, ev.DueDateSet)[-1]
    assert due.reason == "apology" and due.due_at == at(2024, 5, 15, 17)
    assert due.original_due_at == at(2024, 5, 9, 17)
    assert scan(repo, deps, at(2024, 5, 10, 9)) == []


def test_recompute_after_a_new_day_off_moves_open_due_dates_and_logs_before_after(repo, deps):
    apply(repo, deps, accepted("A", at(2024, 5, 6)), accepted("B", at(2024, 5, 6)),
          result_ready("B", at(2024, 5, 7)))
    handlers.add_notice(repo, deps, Notice(date(2024, 5, 8), "off", "Nghỉ đột xuất", "TB 1/2024",
                                           date(2024, 5, 7)), at(2024, 5, 7, 10))
    changes = handlers.recompute(repo, deps, at(2024, 5, 7, 10), "run1")
    assert [c.after.code for c in changes] == ["A"]
    assert repo.state.recompute_log == [("run1", "A", at(2024, 5, 9, 17), at(2024, 5, 10, 17))]
    due = published(repo, ev.DueDateSet)[-1]
    assert (due.code, due.reason, due.previous_due_at) == ("A", "recomputed", at(2024, 5, 9, 17))
    assert due.calendar_version != BASE.version
    assert repo.state.dossiers["B"].due_at == at(2024, 5, 9, 17)


def test_a_dossier_loaded_as_history_counts_but_warns_nobody(repo, deps):
    live_now = at(2024, 5, 6, 9)
    flagged = dataclasses.replace(accepted("H1", at(2024, 5, 6)), history=True)
    apply(repo, deps, flagged, now=live_now)
    [due] = published(repo, ev.DueDateSet)
    assert due.history is True and repo.state.dossiers["H1"].next_threshold_at is None
    assert scan(repo, deps, at(2024, 5, 20)) == []
    apply(repo, deps, result_ready("H1", at(2024, 5, 21)))
    [c] = published(repo, ev.DossierClassified)
    assert c.outcome == "late"  # its figures still count


def test_a_dossier_first_seen_after_its_due_instant_is_history(repo, deps):
    """Past the grace (7 days by default): a dossier arriving a few days late after an outage still warns."""
    apply(repo, deps, accepted("OLD", at(2017, 9, 1)), now=at(2025, 11, 3, 9))  # the 2017 demo, loaded now
    apply(repo, deps, accepted("NEW", at(2025, 11, 3, 8)), now=at(2025, 11, 3, 9))
    apply(repo, deps, accepted("LATE", at(2025, 10, 24, 8)), now=at(2025, 11, 3, 9))  # due 29/10: an outage
    dues = {d.code: d.history for d in published(repo, ev.DueDateSet)}
    assert dues == {"OLD": True, "NEW": False, "LATE": False}
    warned = scan(repo, deps, at(2025, 12, 1, 9))
    assert {w.code for w in warned} == {"NEW", "LATE"}
    apply(repo, deps, result_ready("OLD", at(2017, 9, 5)), now=at(2025, 11, 3, 10))
    assert [c.code for c in published(repo, ev.DossierClassified)] == ["OLD"]


def test_events_and_the_scan_never_build_the_explanation_nor_publish_it(repo, deps, monkeypatch):
    def refuse(facts):
        raise AssertionError("the explanation is built only for a screen that shows it")

    monkeypatch.setattr("dunghan.deadline.clock.explain", refuse)
    apply(repo, deps, accepted(CODE, at(2024, 5, 6)), supplement_requested(CODE, at(2024, 5, 7, 7, 30)),
          supplement_received(CODE, at(2024, 5, 9, 7, 30)))
    assert scan(repo, deps, at(2024, 5, 16, 9))
    apply(repo, deps, result_ready(CODE, at(2024, 5, 17)))
    assert all("explanation" not in {f.name for f in dataclasses.fields(e)} for e in repo.published)


def test_handle_events_leaves_what_handle_event_one_by_one_leaves_saving_each_dossier_once(deps):
    other = "SCT-240426-0002"
    events = [accepted(CODE, at(2024, 4, 26)), accepted(other, at(2024, 4, 26, 9)),
              supplement_requested(CODE, at(2024, 4, 27)), transferred(other, at(2024, 4, 27), "P2", "cb2"),
              result_ready(CODE, at(2024, 5, 2)), supplement_received(CODE, at(2024, 5, 3))]
    messages = [cloud(e) for e in events]
    now = at(2024, 5, 6)
    one, many = FakeRepository(), FakeRepository()
    one_deps, many_deps = (Deps(CalendarSource(BASE, r.notices)) for r in (one, many))
    outcomes = [handlers.handle_event(ce, one, one_deps, now) for ce in [*messages, messages[0]]]
    saves: list[str] = []
    with many.uow as tx:
        real = tx.save
        tx.save = lambda d, at_: (saves.append(d.code), real(d, at_))  # type: ignore[method-assign]
        got = handlers.handle_events([(ce, ce.event()) for ce in [*messages, messages[0]]], many, many_deps, now)
    assert got == outcomes == ["ok"] * 6 + ["duplicate"]
    assert sorted(saves) == [CODE, other]
    assert many.state.dossiers == one.state.dossiers and many.state.published == one.state.published
    assert many.state.events == one.state.events and many.state.dossiers[CODE].classification is not None
