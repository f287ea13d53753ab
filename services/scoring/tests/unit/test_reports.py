"""Form 06a reconciliation on generated data and the national index formulas."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from scoring.reports import (
    COLUMNS_06A,
    LOCAL,
    TOTAL,
    UNKNOWN_UNIT,
    DossierFact,
    IntakeFact,
    MonthFigures,
    Period,
    form_06a,
    index_month,
    month_figures,
    receipts_in,
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


def t(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2017, month, day, hour, tzinfo=LOCAL)


def test_index_3_3_counts_every_dossier_received_once_at_its_first_receipt() -> None:
    facts = [
        DossierFact("sub-acc", "U", 2, t(4, 3)),        # submitted online 31/3, accepted 3/4: March, online
        DossierFact("counter", "U", 1, t(4, 5)),        # accepted at the counter: April, not online
        DossierFact("online", "U", 2, t(4, 6)),         # accepted with channel 2 only: April, online
        DossierFact("post", "U", 3, t(4, 7)),           # by post: April, not online
    ]
    intake = [
        IntakeFact("sub-acc", "submitted", t(3, 31), 2),
        IntakeFact("sub-ref", "submitted", t(4, 10), 2),          # submitted then refused: once, online
        IntakeFact("sub-ref", "refused", t(4, 12), None, "U"),
        IntakeFact("ref-counter", "refused", t(4, 12), 1),      # refused at the counter: received, not online
        IntakeFact("ref-online", "refused", t(4, 13), 2),       # refused, came online
        IntakeFact("ref-may", "refused", t(5, 2), 1),           # another month
    ]
    april = month_figures(facts, 2017, 4, intake)
    assert (april.received, april.online, april.refused) == (6, 3, 3)
    march = month_figures(facts, 2017, 3, intake)
    assert (march.received, march.online, march.refused) == (1, 1, 0)
    i = index_month(april)
    assert i.i3_3 == 50.0 and i.i3_3_points_ratio == 1.0 and i.refused == 3
    accepted_only = month_figures(facts, 2017, 4)
    assert (accepted_only.received, accepted_only.online) == (4, 2)


def test_06a_shows_refusals_at_intake_beside_the_received_identity() -> None:
    facts = [DossierFact("a", "KTAT", 1, t(3, 10)), DossierFact("b", "KTAT", 2, t(3, 11), t(3, 20), "early")]
    intake = [
        IntakeFact("r1", "refused", t(3, 12), 1, "KTAT"),
        IntakeFact("r2", "refused", t(3, 13), 2, "QLTM"),
        IntakeFact("r3", "refused", t(3, 14)),
        IntakeFact("r4", "refused", t(4, 1), 1, "KTAT"),     # outside the period
        IntakeFact("s1", "submitted", t(3, 14), 2),          # a submission alone is not a 06a receipt
    ]
    rows = {r.unit: r for r in form_06a(facts, Period(date(2017, 3, 1), date(2017, 3, 31)), intake)}
    assert set(rows) == {"KTAT", "QLTM", UNKNOWN_UNIT, TOTAL}
    assert (rows["KTAT"].received_total, rows["KTAT"].refused_at_intake) == (2, 1)
    assert (rows["QLTM"].received_total, rows["QLTM"].refused_at_intake) == (0, 1)
    assert (rows[TOTAL].received_total, rows[TOTAL].refused_at_intake) == (2, 3)
    assert all(r.reconciles() for r in rows.values())
    assert COLUMNS_06A[-1] == ("refused_at_intake", "Từ chối tiếp nhận")


def test_06a_with_refusals_still_reconciles_on_generated_data(
    make_facts: Callable[..., list[DossierFact]], make_intake: Callable[..., list[IntakeFact]],
) -> None:
    facts = make_facts()
    intake = make_intake(facts)
    for period in (Period(date(2017, 1, 1), date(2017, 12, 31)), Period(date(2017, 3, 1), date(2017, 6, 29))):
        rows = form_06a(facts, period, intake)
        assert all(r.reconciles() for r in rows)
        assert rows[-1].refused_at_intake > 0
        assert rows[-1].received_total == form_06a(facts, period)[-1].received_total
    year = Period(date(2017, 1, 1), date(2017, 12, 31))
    months = [month_figures(facts, 2017, month, intake) for month in range(1, 13)]
    assert sum(m.received for m in months) == receipts_in(facts, intake, year)[0]
    assert sum(m.received for m in months) > sum(month_figures(facts, 2017, m).received for m in range(1, 13))
    assert all(m.refused > 0 for m in months)
