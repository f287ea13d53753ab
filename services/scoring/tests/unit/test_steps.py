"""Per-step figures: aggregation, filters, worst officers with ties; live vs frozen through handlers (fakes)."""
from __future__ import annotations

from datetime import UTC, datetime

from scoring_fakes import FakeRepository

from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import DossierRefused, DossierSubmitted
from scoring import commands, event_handlers, readers
from scoring.domain import StepCount, campaign_from_dict, step_figures

NOW = datetime(2017, 6, 30, 10, tzinfo=UTC)
CAMPAIGN = campaign_from_dict({"id": "c", "name": "n", "agency": "SCT", "phases": [
    {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"}]})
COUNTS = [
    StepCount("review", "KTAT", "an", "Nguyễn Văn An", 2, early=3, on_time=1, late=0),
    StepCount("review", "KTAT", "binh", "Trần Bình", 2, early=0, on_time=2, late=2),
    StepCount("review", "QLTM", "chi", "", 2, early=1, on_time=0, late=2),
    StepCount("review", "QLTM", "dung", "", 3, early=0, on_time=0, late=1),
    StepCount("intake", "VP", "em", "", 0, early=0, on_time=5, late=0),
    StepCount("sign", "KTAT", "an", "", 4, early=0, on_time=0, late=1),
]


def test_step_figures_add_up_per_step_in_process_order() -> None:
    figures = step_figures(COUNTS)
    assert [f.step for f in figures] == ["intake", "review", "sign"]
    review = figures[1]
    assert (review.handled, review.early, review.on_time, review.late, review.late_share) == (12, 4, 3, 5, 41.67)
    assert figures[0].late_share == 0.0 and figures[0].top_late_officers == ()


def test_officers_with_the_most_late_steps_include_ties_at_the_cut() -> None:
    review = step_figures(COUNTS, top_n=1)[1]
    assert [(o.officer, o.name, o.late) for o in review.top_late_officers] == [
        ("binh", "Trần Bình", 2), ("chi", "chi", 2)]
    assert [o.officer for o in step_figures(COUNTS)[1].top_late_officers] == ["binh", "chi", "dung"]


def test_step_figures_for_one_unit_or_one_officer() -> None:
    assert [(f.step, f.handled, f.late) for f in step_figures(COUNTS, unit="QLTM")] == [("review", 4, 3)]
    an = step_figures(COUNTS, officer="an")
    assert [(f.step, f.handled, f.late) for f in an] == [("review", 4, 0), ("sign", 1, 1)]
    assert step_figures(COUNTS, unit="KTAT", officer="chi") == []


def fake(live: list[StepCount]) -> FakeRepository:
    """The shared fake with the campaign stored and ``live`` as what the step query would count."""
    repo = FakeRepository()
    with repo.uow as tx:
        tx.save_campaign(CAMPAIGN)
    repo.state.live_steps = list(live)
    return repo


def test_closing_freezes_the_step_figures_and_later_step_results_do_not_change_them() -> None:
    repo = fake(COUNTS[:2])
    live = readers.step_report(repo, "c", "1")
    assert live.state == "open" and [f.handled for f in live.steps] == [8]
    commands.close_phase(repo, "c", "1", NOW)
    assert len(repo.state.outbox) == 1 and repo.state.frozen_steps[("c", "1")] == COUNTS[:2]
    repo.state.live_steps = COUNTS
    closed = readers.step_report(repo, "c", "1", unit="KTAT")
    assert closed.state == "closed" and [(f.step, f.handled) for f in closed.steps] == [("review", 8)]
    st = readers.standings(repo, "c", "1", "officer")
    assert st.state == "closed" and [f.handled for f in st.steps] == [8]


def test_live_standings_carry_the_step_figures() -> None:
    st = readers.standings(fake(COUNTS), "c", "1", "unit")
    assert st.state == "open" and [f.step for f in st.steps] == ["intake", "review", "sign"]


def test_submissions_and_refusals_are_recorded_with_channel_and_unit() -> None:
    repo = fake([])
    at = datetime(2017, 4, 3, 2, tzinfo=UTC)
    events = (DossierSubmitted("D1", "SCT", at, "P1"), DossierRefused("D1", "SCT", at, "thiếu giấy tờ", unit="VP"),
              DossierRefused("D2", "SCT", at))
    for ev in events:
        assert event_handlers.handle_event(repo, envelope_for(ev, now=at), ev, at)
    assert [(code, kind, r["channel"], r["unit"]) for (code, kind), r in repo.state.intake.items()] == [
        ("D1", "submitted", 2, None), ("D1", "refused", None, "VP"), ("D2", "refused", None, None)]
