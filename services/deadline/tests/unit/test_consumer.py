"""The queue side of deadline: a date the calendar does not cover is rejected at once, never retried."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from deadline_factories import accepted, at, cloud
from deadline_fakes import FakeMetrics, FakeRepository

from deadline.consumer import make_handler
from deadline.handlers import CalendarSource, Deps
from dunghan.bus.errors import Reject
from dunghan.calendar import load_calendar
from dunghan.contract import encode

CALENDAR = load_calendar(years=range(2016, 2027))


@dataclass
class Delivery:
    body: bytes
    routing_key: str = "intake.dossier_accepted.v1.SCT"


def test_a_dossier_beyond_the_calendar_is_rejected_with_its_reason():
    repo = FakeRepository()
    handle = make_handler(repo, Deps(CalendarSource(CALENDAR, repo.notices), metrics=FakeMetrics()),
                          clock=lambda: at(2030, 1, 2))
    with pytest.raises(Reject) as err:
        handle(Delivery(encode(cloud(accepted("SCT-300102-0001", at(2030, 1, 2))))))
    assert err.value.field == "calendar"


def test_a_body_beyond_safejsons_bounds_is_rejected():
    repo = FakeRepository()
    handle = make_handler(repo, Deps(CalendarSource(CALENDAR, repo.notices), metrics=FakeMetrics()))
    with pytest.raises(Reject):
        handle(Delivery(b"[" * 5000 + b"]" * 5000))
