"""Event handlers against a recording fake: inbox dedupe, corrections for closed phases, repeat supplements."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import DossierClassified, DueDateSet
from scoring import handlers

STOP = datetime(2017, 5, 2, 3, tzinfo=UTC)


class FakeTx:
    def __init__(self, store: FakeRepo) -> None:
        self.s = store

    def inbox_accept(self, source: str, event_id: str) -> bool:
        if (source, event_id) in self.s.inbox:
            return False
        self.s.inbox.add((source, event_id))
        return True

    def record_classified(self, ev: DossierClassified, repeat: int, at: datetime) -> str | None:
        previous = self.s.outcomes.get(ev.code)
        self.s.outcomes[ev.code] = ev.outcome
        self.s.repeats[ev.code] = repeat
        return previous

    def phases_covering(self, agency: str, day: Any) -> list[tuple[str, str, str]]:
        return [("c", "1", self.s.state)]

    def add_correction(self, campaign: str, phase: str, ev: Any, event_id: str, prev: Any, at: Any) -> None:
        self.s.corrections.append((campaign, phase, ev.code, prev))

    def record_due(self, ev: DueDateSet, waiting: bool, accepted_at: datetime) -> None:
        self.s.waiting[ev.code] = waiting


class FakeRepo:
    def __init__(self, state: str = "open") -> None:
        self.state = state
        self.inbox: set[tuple[str, str]] = set()
        self.outcomes: dict[str, str] = {}
        self.repeats: dict[str, int] = {}
        self.waiting: dict[str, bool] = {}
        self.corrections: list[tuple[str, str, str, str | None]] = []

    @contextmanager
    def transaction(self) -> Iterator[FakeTx]:
        yield FakeTx(self)


def classified(outcome: str = "on_time", **kw: Any) -> DossierClassified:
    return DossierClassified("D1", "SCT", "U", "o", "P", "f", 2, STOP - timedelta(days=3), STOP, "result_ready",
                             outcome, 0, 8.0, **kw)  # type: ignore[arg-type]


def test_a_redelivered_event_is_applied_once() -> None:
    repo, ev = FakeRepo(), classified()
    ce = envelope_for(ev, now=STOP)
    assert handlers.handle_event(repo, ce, ev, STOP)
    assert not handlers.handle_event(repo, ce, ev, STOP)


def test_classification_for_a_closed_phase_is_recorded_as_a_correction() -> None:
    repo = FakeRepo("closed")
    for outcome in ("on_time", "late"):
        ev = classified(outcome)
        handlers.handle_event(repo, envelope_for(ev, now=STOP), ev, STOP)
    assert repo.corrections == [("c", "1", "D1", None), ("c", "1", "D1", "on_time")]
    assert FakeRepo("open").corrections == []


def test_repeat_supplement_requests_come_from_the_count_or_the_violation() -> None:
    assert handlers.repeat_supplements(classified(supplement_requests=1)) == 0
    assert handlers.repeat_supplements(classified(supplement_requests=3)) == 2
    assert handlers.repeat_supplements(classified(violations=("second_supplement_request",))) == 1


def test_due_date_set_while_waiting_for_the_applicant_marks_the_dossier_in_time() -> None:
    repo = FakeRepo()
    for reason in ("supplement_requested", "supplement_received"):
        ev = DueDateSet("D1", "SCT", "U", "o", STOP, STOP, "v1", reason)
        handlers.handle_event(repo, envelope_for(ev, now=STOP), ev, STOP)
        assert repo.waiting["D1"] is (reason == "supplement_requested")


def test_campaign_metrics_answer_a_scrape_while_the_database_does_not() -> None:
    from contextlib import contextmanager
    from datetime import UTC, datetime

    from prometheus_client import CollectorRegistry, generate_latest

    from scoring.metrics import ScoringCollector

    class Down:
        @contextmanager
        def transaction(self):  # type: ignore[no-untyped-def]
            raise ConnectionError("database down")
            yield

    registry = CollectorRegistry()
    registry.register(ScoringCollector(Down(), lambda: datetime(2017, 7, 3, tzinfo=UTC), cache_seconds=0))
    assert b"# TYPE dunghan_campaign_phase_state gauge" in generate_latest(registry)
