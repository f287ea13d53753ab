"""Fair officer ranking: steps charged to who performed them, the signature to the leadership, roles apart."""
from __future__ import annotations

from datetime import date

import pytest

from scoring.domain import (
    GIAY_KHEN_CA_NHAN,
    LEADERSHIP_ROLE,
    CampaignError,
    ScoringConfig,
    StepCount,
    Tally,
    campaign_from_dict,
    charge_steps,
    propose,
    rank,
)
from scoring.rules import rules_text

CONFIG = ScoringConfig()


def step(name: str, unit: str, officer: str, early: int = 0, on_time: int = 0, late: int = 0) -> StepCount:
    return StepCount(name, unit, officer, officer.title(), 0, early, on_time, late)


def test_the_signing_step_is_charged_to_the_leadership_not_to_the_office_clerk() -> None:
    units, officers = charge_steps([], [], [
        step("lãnh đạo Sở ký", "VP", "clerk", on_time=10, late=31), step("tiếp nhận", "VP", "clerk", on_time=2),
    ], CONFIG)
    by = {t.subject: t for t in officers}
    assert by["clerk"].late_steps == 0 and by["clerk"].role == "mot_cua"
    lead = by[CONFIG.leadership.subject]
    assert (lead.role, lead.late_steps, lead.steps, lead.name) == (LEADERSHIP_ROLE, 31, 41, "Lãnh đạo Sở")
    assert [(u.subject, u.steps, u.late_steps) for u in units] == [("VP", 2, 0)]
    units, officers = charge_steps([], [], [step("thẩm định", "QLTM", "", late=1)], CONFIG)
    assert officers == [] and units[0].late_steps == 1  # a step with no officer named counts for its unit only


def test_each_officer_is_placed_in_the_role_whose_steps_they_did_most_and_measured_on_them() -> None:
    dossiers = [Tally("officer", "spec", "Spec", "QLTM", handled=8, early=6, on_time=2)]
    _, officers = charge_steps([], dossiers, [
        step("tiếp nhận", "MC", "desk", early=30, late=2), step("trả kết quả", "MC", "desk", on_time=10),
        step("phân công", "QLTM", "head", on_time=40), step("trưởng phòng duyệt", "QLTM", "head", late=1),
        step("thẩm định", "QLTM", "spec", early=7, late=1), step("tiếp nhận", "MC", "spec", on_time=1),
    ], CONFIG)
    by = {t.subject: t for t in officers}
    assert {k: t.role for k, t in by.items()} == {
        "desk": "mot_cua", "head": "lanh_dao_phong", "spec": "chuyen_vien"}
    assert (by["desk"].steps, by["desk"].steps_early, by["desk"].late_steps) == (42, 30, 2)
    assert (by["head"].steps, by["head"].late_steps) == (41, 1)
    assert (by["spec"].handled, by["spec"].steps, by["spec"].late_steps) == (8, 8, 1)


def test_officers_are_ranked_within_their_role_with_its_own_minimum_volume() -> None:
    _, officers = charge_steps([], [Tally("officer", "spec", "Spec", "QLTM", handled=6, early=6)], [
        step("tiếp nhận", "MC", "desk1", early=25), step("tiếp nhận", "MC", "desk2", early=12),
        step("phân công", "QLTM", "head", on_time=15), step("thẩm định", "QLTM", "spec", early=6),
    ], CONFIG)
    standings = rank(officers, CONFIG)
    ranks = {s.tally.subject: (s.tally.role, s.rank, s.eligible) for s in standings}
    assert ranks == {"desk1": ("mot_cua", 1, True), "desk2": ("mot_cua", 1, False),
                     "head": ("lanh_dao_phong", 1, True), "spec": ("chuyen_vien", 1, True)}
    assert next(s for s in standings if s.tally.subject == "desk2").gates["min_volume"] is False
    out = propose([], standings, CONFIG, date(2017, 6, 30))
    assert sorted((p.subject, p.title, p.role) for p in out) == [
        ("desk1", GIAY_KHEN_CA_NHAN, "mot_cua"), ("head", GIAY_KHEN_CA_NHAN, "lanh_dao_phong"),
        ("spec", GIAY_KHEN_CA_NHAN, "chuyen_vien")]


def test_the_leadership_is_shown_but_never_proposed() -> None:
    _, officers = charge_steps([], [], [step("lãnh đạo Sở ký", "VP", "clerk", early=50)], CONFIG)
    standings = rank(officers, CONFIG)
    assert [s.tally.subject for s in standings] == [CONFIG.leadership.subject]
    assert propose([], standings, CONFIG, date(2017, 6, 30), final=True) == []


def test_roles_come_from_the_campaign_file_and_bad_ones_are_named() -> None:
    base = {"id": "c", "name": "n", "agency": "SCT", "phases": [
        {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"}]}
    roles = [{"key": "desk", "label": "Một cửa", "steps": ["tiếp nhận"], "min_volume": 3},
             {"key": "spec", "label": "Chuyên viên", "steps": ["thẩm định"], "volume": "handled", "min_volume": 2,
              "criteria": [{"key": "on_time_share", "weight": 1}]}]
    c = campaign_from_dict({**base, "scoring": {"roles": roles, "leadership": {"steps": ["giám đốc ký"]}}})
    assert [r.key for r in c.config.roles] == ["desk", "spec"] and c.config.default_role == "desk"
    assert c.config.role("spec").criteria[0].key == "on_time_share"
    assert c.config.leadership.owns("Giám đốc ký duyệt") and not c.config.leadership.owns("lãnh đạo Sở ký")
    again = campaign_from_dict({**base, "scoring": c.config.to_json()}).config
    assert again.to_json() == c.config.to_json()
    with pytest.raises(CampaignError) as err:
        campaign_from_dict({**base, "scoring": {"roles": [{**roles[0], "volume": "hours"}]}})
    assert err.value.field == "scoring.roles.0.volume"


def test_the_final_review_spans_the_whole_campaign_after_the_last_phase_review() -> None:
    c = campaign_from_dict({"id": "c", "name": "n", "agency": "SCT", "phases": [
        {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"},
        {"key": "2", "starts_on": "2017-07-01", "ends_on": "2017-12-30", "review_date": "2017-12-31"}]})
    final = c.phase("tong-ket")
    assert (final.starts_on, final.ends_on, final.review_date, final.final) == (
        date(2017, 3, 1), date(2017, 12, 30), date(2017, 12, 31), True)
    assert [p.key for p in c.reviews] == ["1", "2", "tong-ket"]


def test_a_role_may_gate_on_its_late_step_share() -> None:
    base = {"id": "c", "name": "n", "agency": "SCT", "phases": [
        {"key": "1", "starts_on": "2017-03-01", "ends_on": "2017-06-29", "review_date": "2017-06-30"}]}
    roles = [{"key": "desk", "label": "Một cửa", "steps": ["tiếp nhận"], "min_volume": 3,
              "max_late_step_share": 10}]
    cfg = campaign_from_dict({**base, "scoring": {"roles": roles}}).config
    _, officers = charge_steps([], [], [step("tiếp nhận", "MC", "ok", early=19, late=1),
                                        step("tiếp nhận", "MC", "slow", early=16, late=4)], cfg)
    gates = {s.tally.subject: s.gates["within_late_step_share"] for s in rank(officers, cfg)}
    assert gates == {"ok": True, "slow": False}
    assert "bước xử lý trễ không quá 10%" in " ".join(rules_text(campaign_from_dict({**base, "scoring": {
        "roles": roles}})))


def test_step_figures_show_the_signature_under_the_leadership_not_the_clerk() -> None:
    from scoring.domain import charged, step_figures

    [figures] = step_figures(charged([step("lãnh đạo Sở ký", "VP", "clerk", late=31)], CONFIG))
    assert [(o.officer, o.name, o.late) for o in figures.top_late_officers] == [
        (CONFIG.leadership.subject, "Lãnh đạo Sở", 31)]
