"""Form 06a reconciliation on generated data and the national index formulas."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from dunghan.clock import LOCAL_TZ
from scoring.form06a import COLUMNS_06A, TOTAL, UNKNOWN_UNIT, DossierFact, IntakeFact, form_06a, refused_in
from scoring.periods import Period, PeriodError, official_period, period_of
from scoring.reports import (
    COLUMNS_INDEX,
    INDICATORS,
    MonthFigures,
    applies_766,
    index_month,
    indicator_notes,
    month_figures,
)


def test_06a_received_equals_resolved_plus_pending_for_every_unit_and_period(
    make_facts: Callable[..., list[DossierFact]],
) -> None:
    facts = make_facts()
    for period in (Period(date(2017, 1, 1), date(2017, 12, 31)), Period(date(2017, 3, 1), date(2017, 6, 29)),
                   Period(date(2017, 7, 1), date(2017, 7, 1))):
        rows = form_06a(facts, period)
        assert rows[-1].key == TOTAL
        assert all(r.reconciles() for r in rows)
        assert rows[-1].received_total == sum(r.received_total for r in rows[:-1]) > 0


def test_06a_buckets_one_dossier_by_its_dates() -> None:
    t = lambda d, h=9: datetime(2017, *d, h, tzinfo=LOCAL_TZ)  # noqa: E731
    facts = [
        DossierFact("a", "U", 2, t((2, 20)), t((3, 2)), "early", t((3, 5))),        # carried over, resolved early
        DossierFact("b", "U", 1, t((3, 10)), None, None, t((3, 20))),             # new, pending overdue at 31/3
        DossierFact("c", "U", 3, t((3, 10)), t((4, 2)), "late", t((4, 1))),  # resolved after: pending in time
        DossierFact("d", "U", 2, t((3, 10)), None, None, t((3, 12)), waiting_supplement=True),
        DossierFact("e", "U", 2, t((1, 10)), t((2, 10)), "on_time", t((2, 10))),   # outside the period
    ]
    (row, _total) = form_06a(facts, Period(date(2017, 3, 1), date(2017, 3, 31)))
    assert row.key == row.name == "U"
    assert (row.received_total, row.received_online, row.received_offline, row.carried_over) == (4, 1, 2, 1)
    assert (row.resolved_total, row.early) == (1, 1)
    assert (row.pending_total, row.pending_in_time, row.pending_overdue) == (3, 2, 1)


def test_index_formulas() -> None:
    m = MonthFigures(3, received=12, online=4, resolved=8, resolved_in_time=6, late=2, pending=2,
                     pending_in_time=1, complained=1, procedure_days=(2.0, 4.0), received_in_period=10)
    i = index_month(m)
    assert i.on_time_rate == 75.0
    assert i.i2_1 == 70.0
    assert i.i2_2 == 3.0
    assert i.i3_3 == 40.0 and i.i3_3_points == 80.0
    assert i.i5_4 == 62.5
    empty = index_month(MonthFigures(1))
    assert (empty.i2_1, empty.i2_2, empty.i3_3, empty.i5_4) == (None, None, None, None)
    before = index_month(m, with_766=False)
    assert before.on_time_rate == 75.0 and (before.i2_1, before.i2_2, before.i3_3, before.i5_4) == (None,) * 4
    assert index_month(MonthFigures(0)).month == "Cả năm"


def test_index_labels_name_their_decision_and_5_4_is_what_it_computes() -> None:
    labels = dict(COLUMNS_INDEX)
    assert labels["i5_4"] == "5.4 100% − (tỷ lệ trễ hạn + tỷ lệ có phản ánh) (%)"
    assert labels["i3_3_points"].endswith("(%)")
    assert all("QĐ 766/QĐ-TTg" in basis for k, _l, basis, _f in INDICATORS if k != "on_time_rate")
    assert not applies_766(2017) and applies_766(2022)
    notes = " ".join(indicator_notes(2017, with_766=False))
    assert "Năm 2017 trước khi QĐ 766/QĐ-TTg" in notes and "không áp dụng" in notes
    assert "2.1" not in " ".join(indicator_notes(2017, with_766=False)[:-2])


def test_month_figures_match_the_06a_of_that_month(make_facts: Callable[..., list[DossierFact]]) -> None:
    facts = make_facts()
    m = month_figures(facts, 2017, 5)
    total = form_06a(facts, Period(date(2017, 5, 1), date(2017, 5, 31)))[-1]
    assert m.received == total.received_total
    assert m.received_in_period == total.received_online + total.received_offline
    assert m.online == total.received_online
    assert m.resolved == total.resolved_total and m.pending == total.pending_total
    assert m.resolved_in_time == total.early + total.on_time
    year = month_figures(facts, 2017, 0)
    assert year.received == form_06a(facts, Period(date(2017, 1, 1), date(2017, 12, 31)))[-1].received_total


def t(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2017, month, day, hour, tzinfo=LOCAL_TZ)


def test_06a_shows_refusals_at_intake_beside_the_form_not_in_its_rows() -> None:
    facts = [DossierFact("a", "KTAT", 1, t(3, 10)), DossierFact("b", "KTAT", 2, t(3, 11), t(3, 20), "early")]
    intake = [
        IntakeFact("r1", "refused", t(3, 12), 1, "KTAT"),
        IntakeFact("r2", "refused", t(3, 13), 2, "QLTM"),
        IntakeFact("r3", "refused", t(3, 14)),
        IntakeFact("r4", "refused", t(4, 1), 1, "KTAT"),     # outside the period
        IntakeFact("s1", "submitted", t(3, 14), 2),          # a submission alone is not a 06a receipt
    ]
    march = Period(date(2017, 3, 1), date(2017, 3, 31))
    rows = {r.key: r for r in form_06a(facts, march)}
    assert set(rows) == {"KTAT", TOTAL}
    assert refused_in(intake, march) == {"KTAT": 1, "QLTM": 1, UNKNOWN_UNIT: 1}
    assert all(k != "refused_at_intake" for k, _ in COLUMNS_06A)
    assert month_figures(facts, 2017, 3, intake).refused == 3


def test_06a_places_each_dossier_with_its_holder_at_the_stop_or_the_period_end() -> None:
    """Accepted at the one-stop desk, transferred to specialist units: pending dossiers sit with the unit
    handling them at the period's end, resolved ones with the unit holding them when the clock stopped."""
    moved = ((t(3, 1), "MC"), (t(3, 2), "QLTM"), (t(4, 20), "KTAT"))
    facts = [
        DossierFact("open", "KTAT", 1, t(3, 1), None, None, t(5, 30), holders=moved),
        DossierFact("later", "MC", 2, t(3, 1), t(4, 25), "on_time", t(4, 25), holders=(
            *moved[:1], (t(3, 3), "QLCN"), (t(4, 25, 10), "MC"))),
        DossierFact("done", "MC", 1, t(3, 1), t(3, 20), "early", t(3, 25), holders=((t(3, 1), "MC"),
                                                                                     (t(3, 2), "QLNL"))),
    ]
    march = Period(date(2017, 3, 1), date(2017, 3, 31))
    rows = {r.key: r for r in form_06a(facts, march, names={"QLTM": "Phòng Quản lý thương mại"})}
    assert {k: (r.received_total, r.resolved_total, r.pending_total) for k, r in rows.items()} == {
        "QLTM": (1, 0, 1), "QLCN": (1, 0, 1), "QLNL": (1, 1, 0), TOTAL: (3, 1, 2)}
    assert rows["QLTM"].name == "Phòng Quản lý thương mại" and rows["QLCN"].name == "QLCN"
    april = {r.key: (r.resolved_total, r.pending_total)
             for r in form_06a(facts, Period(date(2017, 4, 1), date(2017, 4, 30)))}
    # "later" was held by QLCN when its result was ready (returned by the desk MC afterwards)
    assert april == {"KTAT": (0, 1), "QLCN": (1, 0), TOTAL: (1, 1)}


def test_06a_received_of_a_past_period_does_not_move_when_the_dossier_resolves() -> None:
    holders = ((t(3, 1), "MC"), (t(3, 2), "QLTM"), (t(4, 3), "KTAT"))
    open_ = DossierFact("x", "KTAT", 1, t(3, 1), None, None, t(5, 1), holders=holders)
    resolved = DossierFact("x", "KTAT", 1, t(3, 1), t(4, 10), "late", t(4, 5), holders=holders)
    march = Period(date(2017, 3, 1), date(2017, 3, 31))
    assert form_06a([open_], march) == form_06a([resolved], march)
    assert form_06a([open_], march)[0].key == "QLTM"


def test_06a_waiting_for_a_supplement_at_the_period_end_is_in_time() -> None:
    waits = ((t(3, 20), t(4, 5)),)
    f = DossierFact("w", "U", 1, t(3, 1), None, None, t(3, 25), waits=waits)
    march = form_06a([f], Period(date(2017, 3, 1), date(2017, 3, 31)))[0]
    assert (march.pending_in_time, march.pending_overdue) == (1, 0)
    april = form_06a([f], Period(date(2017, 4, 1), date(2017, 4, 30)))[0]
    assert (april.pending_in_time, april.pending_overdue) == (0, 1)


def test_06a_by_procedure_field() -> None:
    facts = [DossierFact("a", "U1", 2, t(3, 1), field="Xúc tiến thương mại"),
             DossierFact("b", "U2", 1, t(3, 2), t(3, 5), "early", field="Xúc tiến thương mại"),
             DossierFact("c", "U2", 1, t(3, 2), t(3, 5), "late", field="Điện")]
    rows = form_06a(facts, Period(date(2017, 3, 1), date(2017, 3, 31)), by="field")
    assert [(r.key, r.received_total) for r in rows] == [("Xúc tiến thương mại", 2), ("Điện", 1), (TOTAL, 3)]
    assert all(r.reconciles() for r in rows)


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("2017", date(2016, 12, 15), date(2017, 12, 14), "Năm 2017"),
    ("2017-H1", date(2016, 12, 15), date(2017, 6, 14), "6 tháng đầu năm 2017"),
    ("2017-H2", date(2017, 6, 15), date(2017, 12, 14), "6 tháng cuối năm 2017"),
    ("2017-Q1", date(2016, 12, 15), date(2017, 3, 14), "Quý I năm 2017"),
    ("2017-Q2", date(2017, 3, 15), date(2017, 6, 14), "Quý II năm 2017"),
    ("2017-Q4", date(2017, 9, 15), date(2017, 12, 14), "Quý IV năm 2017"),
    ("2017-M05", date(2017, 4, 15), date(2017, 5, 14), "Tháng 5 năm 2017"),
])
def test_official_periods_of_decree_09_2019(text: str, start: date, end: date, label: str) -> None:
    p = official_period(text)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert p.title == f"{label} (từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y})"


def test_period_needs_an_official_code_or_both_dates() -> None:
    assert period_of(start=date(2017, 3, 1), end=date(2017, 3, 31)) == Period(date(2017, 3, 1), date(2017, 3, 31))
    for kwargs, field in (({"period": "2017-Q5"}, "period"), ({"start": date(2017, 3, 1)}, "to"),
                          ({"period": "2017", "start": date(2017, 1, 1)}, "period"),
                          ({"start": date(2017, 3, 2), "end": date(2017, 3, 1)}, "to"),
                          ({"period": "0000"}, "period"),
                          ({"start": date(1, 1, 1), "end": date(2017, 1, 1)}, "from"),
                          ({"start": date(2017, 1, 1), "end": date(9999, 12, 31)}, "to")):
        with pytest.raises(PeriodError) as err:
            period_of(**kwargs)  # type: ignore[arg-type]
        assert err.value.field == field
