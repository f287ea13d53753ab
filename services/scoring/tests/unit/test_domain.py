"""Ranking with ties, gates, proposals and reward amounts across the 01/07/2017 base-salary change."""
from __future__ import annotations

from datetime import date

import pytest

from scoring.domain import (
    CHIEN_SI_THI_DUA_CO_SO,
    GIAY_KHEN_CA_NHAN,
    GIAY_KHEN_TAP_THE,
    LAO_DONG_TIEN_TIEN,
    TAP_THE_LDTT,
    CampaignError,
    ScoringConfig,
    Tally,
    base_salary_on,
    campaign_from_dict,
    propose,
    rank,
    reward_amount,
)

CONFIG = ScoringConfig()


def officer(subject: str, handled: int = 10, late: int = 0, early: int = 0, unit: str = "U1", **kw: int) -> Tally:
    on_time = handled - late - early
    return Tally("officer", subject, subject.upper(), unit, handled, early, on_time, late, **kw)  # type: ignore[arg-type]


def test_equal_scores_share_a_rank_and_the_next_rank_skips() -> None:
    standings = rank([officer("a", early=5), officer("b", early=2), officer("c", early=2), officer("d")], CONFIG)
    assert [(s.tally.subject, s.rank) for s in standings] == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]


def test_score_is_the_weighted_sum_of_criteria() -> None:
    (s,) = rank([officer("a", handled=10, early=5, late=1, apologies=1)], CONFIG)
    assert s.values["early_share"] == 50.0 and s.values["on_time_share"] == 90.0
    assert s.score == round(0.3 * 50 + 0.7 * 90 - 5 * 1 - 2 * 1, 2)


def test_gates_fail_on_late_complaint_discipline_and_too_few_dossiers() -> None:
    standings = {s.tally.subject: s for s in rank([
        officer("ok"), officer("late", late=1), officer("few", handled=2),
        officer("complained", complaints=1), Tally("officer", "disc", handled=10, on_time=10, disciplined=True),
    ], CONFIG)}
    assert standings["ok"].eligible
    assert standings["late"].gates["no_late"] is False
    assert standings["few"].gates["min_handled"] is False
    assert standings["complained"].gates["no_complaints"] is False
    assert standings["disc"].gates["no_discipline"] is False
    assert [k for k, s in standings.items() if s.eligible] == ["ok"]


def test_base_salary_changes_on_1_july_2017_and_2024() -> None:
    assert base_salary_on(date(2017, 6, 30)) == 1_210_000
    assert base_salary_on(date(2017, 7, 1)) == 1_300_000
    assert base_salary_on(date(2024, 7, 1)) == 2_340_000
    assert reward_amount(GIAY_KHEN_CA_NHAN, date(2017, 6, 30)) == 363_000
    assert reward_amount(GIAY_KHEN_CA_NHAN, date(2017, 12, 31)) == 390_000
    assert reward_amount(GIAY_KHEN_TAP_THE, date(2017, 12, 31)) == 780_000
    assert reward_amount(TAP_THE_LDTT, date(2024, 7, 1)) == 1_872_000


def test_a_phase_review_proposes_giay_khen_only_to_the_top_eligible_with_ties_at_the_decision_date() -> None:
    cfg = ScoringConfig.from_dict({"rewards": {"officer_top_n": 2, "unit_top_n": 1}})
    officers = rank([officer("a", early=5), officer("b", early=2), officer("c", early=2), officer("d", late=1),
                     officer("e", unit="U2", late=2)], cfg)
    units = rank([Tally("unit", "U1", "Phòng 1", handled=40, early=9, on_time=30, late=1),
                  Tally("unit", "U2", "Phòng 2", handled=10, on_time=10)], cfg)
    phase1 = propose(units, officers, cfg, date(2017, 6, 30))
    assert {p.title for p in phase1} == {GIAY_KHEN_CA_NHAN, GIAY_KHEN_TAP_THE}
    gk = [(p.subject, p.amount_vnd) for p in phase1 if p.title == GIAY_KHEN_CA_NHAN]
    assert gk == [("a", 363_000), ("b", 363_000), ("c", 363_000)]
    assert [(p.subject, p.amount_vnd) for p in phase1 if p.title == GIAY_KHEN_TAP_THE] == [("U2", 726_000)]
    assert "Không có hồ sơ quá hạn" in phase1[0].criteria
    phase2 = propose(units, officers, cfg, date(2017, 12, 31))
    assert {p.amount_vnd for p in phase2 if p.title == GIAY_KHEN_CA_NHAN} == {390_000}


def test_criteria_met_list_merits_and_absent_penalties_never_a_penalty_value() -> None:
    (s,) = rank([officer("a", early=5)], CONFIG)
    [p] = [p for p in propose([], [s], CONFIG, date(2017, 6, 30))]
    assert "Tỷ lệ trước hạn (%): 50" in p.criteria and "Không có bước xử lý trễ" in p.criteria
    assert not any(c.startswith(("Số hồ sơ quá hạn", "Số bước xử lý trễ", "Số văn bản")) for c in p.criteria)


def test_the_final_review_gives_each_officer_one_title_the_highest_reached() -> None:
    cfg = ScoringConfig.from_dict({"rewards": {"officer_top_n": 1, "cstdcs_max_share_of_ldtt": 15}})
    people = [officer(f"o{i:02d}", early=i % 7) for i in range(14)] + [officer("late", late=1)]
    officers = rank(people, cfg)
    out = propose([], officers, cfg, date(2017, 12, 31), final=True)
    by_subject: dict[str, list[str]] = {}
    for p in out:
        by_subject.setdefault(p.subject, []).append(p.title)
    assert all(len(titles) == 1 for titles in by_subject.values())
    assert "late" not in by_subject
    titles = [t for [t] in by_subject.values()]
    assert titles.count(CHIEN_SI_THI_DUA_CO_SO) == 2 and titles.count(LAO_DONG_TIEN_TIEN) == 12
    assert GIAY_KHEN_CA_NHAN not in titles
    cstdcs = [p for p in out if p.title == CHIEN_SI_THI_DUA_CO_SO]
    assert {p.subject for p in cstdcs} == {"o06", "o13"} and cstdcs[0].amount_vnd == 1_300_000


def test_collective_title_needs_70_percent_of_members_as_ldtt_and_only_at_the_final_review() -> None:
    officers = rank([officer("a"), officer("b"), officer("c"), officer("d", late=1)], CONFIG)
    unit = rank([Tally("unit", "U1", handled=40, on_time=40, steps=100)], CONFIG)
    assert [p.title for p in propose(unit, officers, CONFIG, date(2017, 12, 31), final=True)
            if p.kind == "unit"] == [TAP_THE_LDTT]
    assert [p.title for p in propose(unit, officers, CONFIG, date(2017, 12, 31)) if p.kind == "unit"] == [
        GIAY_KHEN_TAP_THE]


def test_a_unit_beyond_the_late_share_threshold_gets_no_collective_award() -> None:
    units = rank([Tally("unit", "U1", handled=40, on_time=40, steps=200, late_steps=73),
                  Tally("unit", "U2", handled=10, on_time=10, steps=30, late_steps=1)], CONFIG)
    u1 = next(s for s in units if s.tally.subject == "U1")
    assert u1.gates["within_late_share"] is False
    assert [p.subject for p in propose(units, [], CONFIG, date(2017, 6, 30))] == ["U2"]  # 1 late step in 30
    strict = ScoringConfig.from_dict({"rewards": {"unit_max_late_share": 3}})
    assert propose(rank(units_of(units), strict), [], strict, date(2017, 6, 30)) == []


def units_of(standings: list) -> list[Tally]:
    return [s.tally for s in standings]


def test_campaign_checks_phases() -> None:
    raw = {"id": "c", "name": "n", "agency": "SCT", "phases": [
        {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"},
        {"key": "2", "starts_on": "2017-06-01", "ends_on": "2017-12-30", "review_date": "2017-12-31"}]}
    with pytest.raises(CampaignError) as err:
        campaign_from_dict(raw)
    assert err.value.field == "phases"
    raw["phases"][1]["starts_on"] = "2017-07-01"
    c = campaign_from_dict(raw)
    assert c.phase("2").review_date == date(2017, 12, 31)
    with pytest.raises(CampaignError):
        campaign_from_dict({**raw, "scoring": {"criteria": [{"key": "bogus", "weight": 1}]}})


PHASE = {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"}


@pytest.mark.parametrize(("phase", "scoring", "field"), [
    ({**PHASE, "starts_on": "2017-W09-3"}, None, "phases.0.starts_on"),
    ({**PHASE, "ends_on": "２０１７-０６-２９"}, None, "phases.0.ends_on"),
    ({**PHASE, "review_date": "9999-12-31"}, None, "phases.0.review_date"),
    ({**PHASE, "key": "k" * 51}, None, "phases.0.key"),
    ("not a phase", None, "phases.0"),
    (PHASE, {"criteria": [{"key": "late", "weight": "5"}]}, "scoring.criteria.0.weight"),
    (PHASE, {"criteria": "late"}, "scoring.criteria"),
    (PHASE, {"gates": {"min_handled": "5"}}, "scoring.gates.min_handled"),
    (PHASE, {"gates": {"no_discipline": 1}}, "scoring.gates.no_discipline"),
    (PHASE, {"rewards": {"officer_top_n": 2.5}}, "scoring.rewards.officer_top_n"),
    (PHASE, {"rewards": {"nope": 1}}, "scoring.rewards.nope"),
    (PHASE, [1], "scoring"),
])
def test_a_campaign_definition_is_checked_before_it_is_stored(phase, scoring, field) -> None:
    raw = {"id": "c", "name": "n", "agency": "SCT", "phases": [phase], "scoring": scoring}
    with pytest.raises(CampaignError) as err:
        campaign_from_dict(raw)
    assert err.value.field == field


def test_a_campaign_takes_whole_numbers_for_float_rules() -> None:
    c = campaign_from_dict({"id": "c", "name": "n", "agency": "SCT", "phases": [PHASE],
                            "scoring": {"rewards": {"ldtt_min_on_time_share": 90}}})
    assert c.config.rewards.ldtt_min_on_time_share == 90.0
