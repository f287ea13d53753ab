"""The warning plan, pure: what a dossier's thresholds call for at ``now`` given those already fired."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest
from deadline_factories import AGENCY, at, snapshot

from deadline import domain
from deadline.domain import Dossier
from dunghan.calendar import load_calendar
from dunghan.contract import events as ev
from dunghan.deadline import ClockEvent, Rules, compute_clock

CAL = load_calendar(years=range(2016, 2027))
STEPS = (ev.StepBudget("tiep_nhan", 4), ev.StepBudget("tham_dinh", 16))


@dataclass(frozen=True)
class Case:
    name: str
    events: tuple[tuple[str, datetime], ...]
    now: datetime
    fired: tuple[str, ...] = ()
    send: tuple[str, ...] = ()
    overtaken: tuple[str, ...] = ()
    next_at: datetime | None = None
    days: float = 3
    rules: Rules = field(default_factory=Rules)
    history: bool = False
    steps: tuple[ev.StepBudget, ...] = ()


MON = (("accepted", at(2024, 5, 6)),)  # due Thu 9/5/2024 17:00: d-1 Wed 17:00, due day Thu 07:30
MAKEUP = (("accepted", at(2024, 4, 26, 10)),)  # over 29/4–1/5/2024: due on the make-up Saturday 4/5 17:00
TET = (("accepted", at(2017, 1, 25, 10)),)  # over Tết 26/1–1/2/2017: due Mon 6/2/2017 17:00
BRIDGE = (("accepted", at(2017, 4, 25, 10)),)  # due Fri 28/4/2017; then the weekend, 1/5 and the 2/5 day off
PAUSED = (*MON, ("supplement_requested", at(2024, 5, 7, 7, 30)))
RESUMED = (*PAUSED, ("supplement_received", at(2024, 5, 9, 7, 30)))  # 2 days paused: due Mon 13/5 17:00

CASES = [
    Case("nothing reached yet", MON, at(2024, 5, 7, 9), next_at=at(2024, 5, 8, 17)),
    Case("one working day before", MON, at(2024, 5, 8, 17), send=("d-1@2024-05-09",),
         next_at=at(2024, 5, 9, 7, 30)),
    Case("sent already: nothing again", MON, at(2024, 5, 8, 17, 30), fired=("d-1@2024-05-09",),
         next_at=at(2024, 5, 9, 7, 30)),
    Case("due-day morning after d-1", MON, at(2024, 5, 9, 8), fired=("d-1@2024-05-09",),
         send=("due_day@2024-05-09",), next_at=at(2024, 5, 9, 17)),
    Case("a missed d-1 is overtaken by the due-day warning", MON, at(2024, 5, 9, 8), send=("due_day@2024-05-09",),
         overtaken=("d-1@2024-05-09",), next_at=at(2024, 5, 9, 17)),
    Case("overdue at the due instant", MON, at(2024, 5, 9, 17),
         fired=("d-1@2024-05-09", "due_day@2024-05-09"), send=("overdue@2024-05-09",),
         next_at=at(2024, 5, 10, 7, 30)),
    Case("after an outage only the latest overdue repeat", MON, at(2024, 5, 16, 9), send=("overdue+5@2024-05-09",),
         overtaken=("d-1@2024-05-09", "due_day@2024-05-09", "overdue@2024-05-09"),  # earlier repeats: never listed
         next_at=at(2024, 5, 17, 7, 30)),
    Case("due on the make-up Saturday: its morning warns", MAKEUP, at(2024, 5, 4, 7, 45),
         fired=("d-1@2024-05-04",), send=("due_day@2024-05-04",), next_at=at(2024, 5, 4, 17)),
    Case("d-1 on the Friday before the make-up Saturday", MAKEUP, at(2024, 5, 3, 17), send=("d-1@2024-05-04",),
         next_at=at(2024, 5, 4, 7, 30)),
    Case("the first repeat skips the Sunday", MAKEUP, at(2024, 5, 5, 12),
         fired=("d-1@2024-05-04", "due_day@2024-05-04", "overdue@2024-05-04"), next_at=at(2024, 5, 6, 7, 30)),
    Case("nothing during Tết: d-1 after it", TET, at(2017, 1, 27, 10), next_at=at(2017, 2, 3, 17)),
    Case("overdue before a long break: look again after it", BRIDGE, at(2017, 4, 29, 10),
         fired=("d-1@2017-04-28", "due_day@2017-04-28", "overdue@2017-04-28"), next_at=at(2017, 5, 3, 7, 30)),
    Case("paused for the supplement: no warning, no look", PAUSED, at(2024, 5, 9, 17)),
    Case("resumed: the moved due date warns anew", RESUMED, at(2024, 5, 10, 17), fired=("d-1@2024-05-09",),
         send=("d-1@2024-05-13",), next_at=at(2024, 5, 13, 7, 30)),
    Case("history warns nobody", MON, at(2024, 5, 20), history=True),
    Case("stopped: nothing", (*MON, ("result_ready", at(2024, 5, 8))), at(2024, 5, 20)),
    Case("no due-day morning, no repeats by rule", MON, at(2024, 5, 10, 9), fired=("d-1@2024-05-09",),
         send=("overdue@2024-05-09",), rules=Rules(warn_due_day_morning=False, overdue_repeat_daily=False)),
    Case("an open step past its budget", MON, at(2024, 5, 6, 15), steps=STEPS,
         send=("step:0:tiep_nhan@2024-05-06T14:30:00+07:00",), next_at=at(2024, 5, 8, 17)),
]


def plan_of(case: Case) -> domain.WarningPlan:
    procedure = snapshot(case.days, steps=case.steps)
    events = [ClockEvent(kind, when, step=STEPS[0].name if kind == "accepted" and case.steps else None)
              for kind, when in case.events]
    clock = compute_clock(events, procedure, CAL, case.now, case.rules)
    d = Dossier(code="SCT-1", agency=AGENCY, procedure=procedure, unit="P1", officer="cb1",
                applicant_name="Nguyễn Văn A", stopped_at=clock.stopped_at, history=case.history)
    return domain.plan_warnings(d, clock, CAL, case.rules, frozenset(case.fired), case.now)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_plan_sends_marks_and_schedules(case: Case) -> None:
    plan = plan_of(case)
    assert [a.threshold.key for a in plan.send] == list(case.send)
    assert sorted(t.key for t in plan.overtaken) == sorted(case.overtaken)
    assert plan.next_at == case.next_at


def test_each_warning_carries_the_dossier_and_how_late_it_is() -> None:
    approaching, = plan_of(CASES[1]).send
    assert isinstance(approaching.event, ev.DeadlineApproaching)
    assert (approaching.event.threshold, approaching.event.due_at, approaching.event.applicant_name) == (
        "d-1", at(2024, 5, 9, 17), "Nguyễn Văn A")
    breached, = plan_of(CASES[6]).send
    assert isinstance(breached.event, ev.DeadlineBreached) and breached.event.days_overdue == 5
    step, = plan_of(CASES[-1]).send
    assert isinstance(step.event, ev.StepOverdue) and step.event.step == "tiep_nhan"


def test_left_to_the_scan_the_plan_looks_again_at_the_first_threshold_reached() -> None:
    assert plan_of(CASES[6]).look_at == at(2024, 5, 8, 17)
    assert plan_of(CASES[0]).look_at == at(2024, 5, 8, 17)
    assert plan_of(CASES[12]).look_at is None
