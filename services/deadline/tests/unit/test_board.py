"""The unit head's board: the digest's selection split by day, overdue with working days late, paused apart."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from deadline_factories import snapshot

from deadline.board import board
from deadline.domain import Dossier
from dunghan.calendar import load_calendar

CAL = load_calendar(years=range(2016, 2027))
TZ = CAL.tz
NOW = datetime(2024, 5, 9, 10, tzinfo=TZ)  # a Thursday


def dossier(code: str, due: datetime, **kw: object) -> Dossier:
    return replace(Dossier(code=code, agency="SCT", procedure=snapshot(3, 1), unit="U", officer="o"), due_at=due,
                   **kw)


def at(y: int, m: int, d: int, h: int = 17) -> datetime:
    return datetime.combine(datetime(y, m, d).date(), time(h), tzinfo=TZ)


def test_today_next_working_day_overdue_and_waiting_are_apart() -> None:
    rows = [dossier("TODAY", at(2024, 5, 9)), dossier("FRI", at(2024, 5, 10)), dossier("MON", at(2024, 5, 13)),
            dossier("LATE", at(2024, 5, 6)), dossier("WAIT", at(2024, 5, 8), paused=True),
            dossier("DONE", at(2024, 5, 1), stopped_at=at(2024, 5, 2))]
    b = board(rows, NOW, CAL)
    assert [r.code for r in b.today] == ["TODAY"] and [r.code for r in b.next_day] == ["FRI"]
    assert [r.code for r in b.overdue] == ["LATE"] and [r.code for r in b.waiting] == ["WAIT"]
    assert b.overdue[0].late_working_days == 3 and b.total == 4


def test_the_next_working_day_skips_the_weekend_as_the_digest_does() -> None:
    friday = datetime(2024, 5, 10, 8, tzinfo=TZ)
    b = board([dossier("MON", at(2024, 5, 13)), dossier("TUE", at(2024, 5, 14))], friday, CAL)
    assert [r.code for r in b.next_day] == ["MON"]


def test_sorted_by_code_officer_or_due() -> None:
    rows = [dossier("B", at(2024, 5, 9, 16), officer="z"), dossier("A", at(2024, 5, 9, 17), officer="y")]
    assert [r.code for r in board(rows, NOW, CAL).today] == ["B", "A"]
    assert [r.code for r in board(rows, NOW, CAL, "ma").today] == ["A", "B"]
    assert [r.code for r in board(rows, NOW, CAL, "can-bo").today] == ["A", "B"]
    assert [r.code for r in board(rows, NOW, CAL, "anything").today] == ["B", "A"]
