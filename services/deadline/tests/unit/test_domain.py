from __future__ import annotations

from datetime import time

import pytest
from deadline_factories import accepted, at, cloud, result_ready

from deadline import domain
from deadline.domain import RuleBook
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
