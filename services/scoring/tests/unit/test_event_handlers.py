"""Event handlers against the shared fake (held to PostgreSQL by test_port_contract): inbox dedupe, corrections
for closed phases, repeat supplements, waiting for the applicant."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from scoring_fakes import FakeRepository

from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import DossierClassified, DueDateSet
from scoring import event_handlers
from scoring.domain import campaign_from_dict

STOP = datetime(2017, 5, 2, 3, tzinfo=UTC)
CAMPAIGN = campaign_from_dict({"id": "c", "name": "n", "agency": "SCT", "phases": [
    {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"}]})


def repo_with_phase(state: str = "open") -> FakeRepository:
    repo = FakeRepository()
    with repo.uow as tx:
        tx.save_campaign(CAMPAIGN)
        if state == "closed":
            tx.freeze(CAMPAIGN, CAMPAIGN.phase("1"), [], [], STOP, "system", "e0")
    return repo


def classified(outcome: str = "on_time", **kw: Any) -> DossierClassified:
    return DossierClassified("D1", "SCT", "U", "o", "P", "f", 2, STOP - timedelta(days=3), STOP, "result_ready",
                             outcome, 0, 8.0, **kw)  # type: ignore[arg-type]


def test_a_redelivered_event_is_applied_once() -> None:
    repo, ev = repo_with_phase(), classified()
    ce = envelope_for(ev, now=STOP)
    assert event_handlers.handle_event(repo, ce, ev, STOP)
    assert not event_handlers.handle_event(repo, ce, ev, STOP)


def test_classification_for_a_closed_phase_is_recorded_as_a_correction() -> None:
    repo = repo_with_phase("closed")
    for outcome in ("on_time", "late"):
        ev = classified(outcome)
        event_handlers.handle_event(repo, envelope_for(ev, now=STOP), ev, STOP)
    assert [(c["campaign_id"], c["phase"], c["code"], c["previous_outcome"]) for c in repo.state.corrections] == [
        ("c", "1", "D1", None), ("c", "1", "D1", "on_time")]
    open_repo = repo_with_phase("open")
    ev = classified()
    event_handlers.handle_event(open_repo, envelope_for(ev, now=STOP), ev, STOP)
    assert open_repo.state.corrections == []


def test_repeat_supplement_requests_come_from_the_count_or_the_violation() -> None:
    assert event_handlers.repeat_supplements(classified(supplement_requests=1)) == 0
    assert event_handlers.repeat_supplements(classified(supplement_requests=3)) == 2
    assert event_handlers.repeat_supplements(classified(violations=("second_supplement_request",))) == 1


def test_due_date_set_while_waiting_for_the_applicant_marks_the_dossier_in_time() -> None:
    repo = repo_with_phase()
    for reason in ("supplement_requested", "supplement_received"):
        ev = DueDateSet("D1", "SCT", "U", "o", STOP, STOP, "v1", reason)
        event_handlers.handle_event(repo, envelope_for(ev, now=STOP), ev, STOP)
        assert repo.state.dossiers["D1"]["waiting_supplement"] is (reason == "supplement_requested")


def test_campaign_metrics_answer_a_scrape_while_the_database_does_not() -> None:
    from datetime import UTC, datetime

    from prometheus_client import CollectorRegistry, generate_latest

    from scoring.metrics import ScoringCollector

    class DownUow:
        def __enter__(self) -> None:
            raise ConnectionError("database down")

        def __exit__(self, *exc: object) -> None:
            return None

    class Down:
        uow = DownUow()

    registry = CollectorRegistry()
    registry.register(ScoringCollector(Down(), lambda: datetime(2017, 7, 3, tzinfo=UTC), cache_seconds=0))
    assert b"# TYPE dunghan_campaign_phase_state gauge" in generate_latest(registry)
