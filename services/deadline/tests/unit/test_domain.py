from __future__ import annotations

from datetime import time, timedelta

import pytest
from deadline_factories import accepted, at, cloud, result_ready

from deadline import domain
from deadline.domain import RuleBook, Threshold
from dunghan.contract import events as ev


def test_canonical_events_map_to_engine_clock_events():
    ce = cloud(accepted("SCT-240426-0001", at(2024, 4, 26)))
    out = domain.clock_event_for(ce.event(), ce.id)
    assert out is not None
    assert (out.kind, out.unit, out.officer, out.event_id) == ("accepted", "P1", "cb1", ce.id)
    stop = domain.clock_event_for(result_ready("X", at(2024, 5, 2)), "e9")
    assert stop is not None and stop.kind == "result_ready" and stop.decision == "approved"


def test_directory_events_do_not_touch_the_clock():
    assert domain.clock_event_for(ev.UnitUpdated(unit="P1", agency="SCT", name="Phòng 1"), "e1") is None


def _th(name, at_):
    return Threshold(f"{name}@2024-05-04", name, at_)


def test_after_a_long_outage_only_the_latest_overdue_repeat_is_emitted():
    due = at(2024, 5, 4, 17)
    ths = [_th("d-1", due - timedelta(days=1)), _th("due_day", due - timedelta(hours=9)), _th("overdue", due)]
    ths += [_th(f"overdue+{n}", due + timedelta(days=n)) for n in range(1, 6)]
    emit, superseded = domain.crossed(ths, set(), due + timedelta(days=3, hours=1))
    assert [t.name for t in emit] == ["overdue+3"]
    assert {t.name for t in superseded} == {"d-1", "due_day", "overdue", "overdue+1", "overdue+2"}


def test_an_approach_warning_is_emitted_once_reached_and_not_again():
    due = at(2024, 5, 4, 17)
    ths = [_th("d-1", due - timedelta(days=1)), _th("due_day", due - timedelta(hours=9)), _th("overdue", due)]
    now = due - timedelta(hours=20)
    emit, superseded = domain.crossed(ths, set(), now)
    assert [t.name for t in emit] == ["d-1"] and superseded == []
    assert domain.crossed(ths, {ths[0].key}, now) == ([], [])
    assert domain.next_threshold_at(ths, {ths[0].key}) == ths[1].at


def test_days_overdue_counts_working_days_past_the_due_date():
    assert domain.days_overdue("overdue") == 0
    assert domain.days_overdue("overdue+3") == 3


def test_rule_book_applies_agency_then_procedure_overrides():
    book = RuleBook.from_mapping({
        "default": {"warn_before_working_days": 2},
        "agencies": {"SCT": {"cutoff": "16:00"}},
        "procedures": {"1.001": {"cutoff": "15:00", "windows": [["08:00", "12:00"], ["13:30", "17:30"]]}},
    })
    assert book.for_dossier("XYZ", "9.9").warn_before_working_days == 2.0
    assert book.for_dossier("SCT", "9.9").cutoff == time(16, 0)
    rules = book.for_dossier("SCT", "1.001")
    assert rules.cutoff == time(15, 0)
    assert rules.windows == ((time(8), time(12)), (time(13, 30), time(17, 30)))


def test_rule_book_rejects_unknown_rules():
    with pytest.raises(ValueError, match="unknown rule"):
        RuleBook.from_mapping({"agencies": {"SCT": {"cut_off": "16:00"}}})
