"""Per-step budgets (form 05): each handover gets a step due instant and a result attributed to its handler."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dunghan.contract.events import StepBudget
from dunghan.deadline.classification import step_outcome
from dunghan.deadline.counting import WorkAxis
from dunghan.deadline.model import Pause, StepClock


@dataclass(frozen=True)
class Segment:
    step: str | None
    unit: str | None
    officer: str | None
    started_at: datetime


def _budget(budgets: Sequence[StepBudget], index: int, name: str | None) -> StepBudget | None:
    for budget in budgets:
        if budget.name == name:
            return budget
    return budgets[index] if index < len(budgets) else None


def step_clocks(
    axis: WorkAxis, budgets: Sequence[StepBudget], segments: Sequence[Segment], pauses: Sequence[Pause],
    stop_at: datetime | None, now: datetime,
) -> tuple[StepClock, ...]:
    if not budgets:
        return ()
    spans = [(axis.position(p.start), axis.position(p.end or stop_at or now)) for p in pauses]
    result = []
    for i, seg in enumerate(segments):
        budget = _budget(budgets, i, seg.step)
        if budget is None:
            continue
        ended = segments[i + 1].started_at if i + 1 < len(segments) else stop_at
        lo, hi = axis.position(seg.started_at), axis.position(ended or now)
        paused = sum(max(0, min(b, hi) - max(a, lo)) for a, b in spans)
        due = axis.instant_end(lo + round(budget.hours * 3600) + paused)
        outcome = None
        if ended is not None:
            outcome = step_outcome(ended.astimezone(axis.tz).date(), due.astimezone(axis.tz).date(), ended, due)
        name = seg.step or budget.name
        result.append(StepClock(name, seg.unit, seg.officer, seg.started_at, due, ended, outcome))
    return tuple(result)
