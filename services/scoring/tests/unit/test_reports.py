"""Form 06a reconciliation on generated data and the national index formulas."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from scoring.reports import (
    LOCAL,
    TOTAL,
    DossierFact,
    MonthFigures,
    Period,
    form_06a,
    index_month,
    month_figures,
)


def test_06a_received_equals_resolved_plus_pending_for_every_unit_and_period(
    make_facts: Callable[..., list[DossierFact]],
) -> None:
    facts = make_facts()
    for period in (Period(date(2017, 1, 1), date(2017, 12, 31)), Period(date(2017, 3, 1), date(2017, 6, 29)),
                   Period(date(2017, 7, 1), date(2017, 7, 1))):
        rows = form_06a(facts, period)
        assert rows[-1].unit == TOTAL
        assert all(r.reconciles() for r in rows)
        assert rows[-1].received_total == sum(r.received_total for r in rows[:-1]) > 0


def test_06a_buckets_one_dossier_by_its_dates() -> None:
    t = lambda d, h=9: datetime(2017, *d, h, tzinfo=LOCAL)  # noqa: E731
    facts = [
        DossierFact("a", "U", 2, t((2, 20)), t((3, 2)), "early", t((3, 5))),        # carried over, resolved early
        DossierFact("b", "U", 1, t((3, 10)), None, None, t((3, 20))),             # new, pending overdue at 31/3
        DossierFact("c", "U", 3, t((3, 10)), t((4, 2)), "late", t((4, 1))),  # resolved after: pending in time
        DossierFact("d", "U", 2, t((3, 10)), None, None, t((3, 12)), waiting_supplement=True),
        DossierFact("e", "U", 2, t((1, 10)), t((2, 10)), "on_time", t((2, 10))),   # outside the period
    ]
    (row, _total) = form_06a(facts, Period(date(2017, 3, 1), date(2017, 3, 31)))
    assert (row.received_total, row.received_online, row.received_offline, row.carried_over) == (4, 1, 2, 1)
    assert (row.resolved_total, row.early) == (1, 1)
    assert (row.pending_total, row.pending_in_time, row.pending_overdue) == (3, 2, 1)


def test_index_formulas() -> None:
    m = MonthFigures(3, received=10, online=4, resolved=8, resolved_in_time=6, late=2, pending=2,
                     pending_in_time=1, complained=1, procedure_days=(2.0, 4.0))
    i = index_month(m)
    assert i.i2_1 == 70.0
    assert i.i2_2 == 3.0
    assert i.i3_3 == 40.0 and i.i3_3_points_ratio == 0.8
    assert i.i5_4 == 62.5
    empty = index_month(MonthFigures(1))
    assert (empty.i2_1, empty.i2_2, empty.i3_3, empty.i5_4) == (None, None, None, None)


def test_month_figures_match_the_06a_of_that_month(make_facts: Callable[..., list[DossierFact]]) -> None:
    facts = make_facts()
    m = month_figures(facts, 2017, 5)
    total = form_06a(facts, Period(date(2017, 5, 1), date(2017, 5, 31)))[-1]
    assert m.received == total.received_online + total.received_offline
    assert m.resolved == total.resolved_total and m.pending == total.pending_total
    assert m.resolved_in_time == total.early + total.on_time
