"""Per-step figures of a phase: each budgeted step's handled, early, on time, late, late share, worst officers."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TOP_LATE = 3


@dataclass(frozen=True)
class StepCount:
    """Step results of one step by one handler (unit, officer) in a phase, by outcome."""

    step: str
    unit: str
    officer: str
    name: str = ""
    position: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def handled(self) -> int:
        return self.early + self.on_time + self.late


@dataclass(frozen=True)
class LateOfficer:
    officer: str
    name: str
    late: int


@dataclass(frozen=True)
class StepFigures:
    step: str
    handled: int
    early: int
    on_time: int
    late: int
    late_share: float
    top_late_officers: tuple[LateOfficer, ...] = ()


def _top_late(counts: Iterable[StepCount], n: int) -> tuple[LateOfficer, ...]:
    """Officers with the most late results on the step; whoever ties with the n-th is included too."""
    per: dict[str, LateOfficer] = {}
    for c in counts:
        prev = per.get(c.officer)
        per[c.officer] = LateOfficer(c.officer, (prev.name if prev else "") or c.name or c.officer,
                                     (prev.late if prev else 0) + c.late)
    ranked = sorted((o for o in per.values() if o.late > 0), key=lambda o: (-o.late, o.officer))
    if n <= 0 or not ranked:
        return ()
    cut = ranked[min(n, len(ranked)) - 1].late
    return tuple(o for o in ranked if o.late >= cut)


def step_figures(counts: Iterable[StepCount], *, unit: str | None = None, officer: str | None = None,
                 top_n: int = TOP_LATE) -> list[StepFigures]:
    """Aggregate per step name (in process order: lowest position first), optionally for one unit or officer."""
    by_step: dict[str, list[StepCount]] = {}
    for c in counts:
        if (unit is None or c.unit == unit) and (officer is None or c.officer == officer):
            by_step.setdefault(c.step, []).append(c)
    out = []
    for step, items in sorted(by_step.items(), key=lambda kv: (min(c.position for c in kv[1]), kv[0])):
        early, on_time, late = (sum(getattr(c, k) for c in items) for k in ("early", "on_time", "late"))
        handled = early + on_time + late
        share = round(100.0 * late / handled, 2) if handled else 0.0
        out.append(StepFigures(step, handled, early, on_time, late, share, _top_late(items, top_n)))
    return out
