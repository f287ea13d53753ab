"""Per procedure: the on-time rate for every candidate committed duration, and the shortest that keeps a target."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from deadline.whatif.evaluate import LATE_OUT, evaluate
from deadline.whatif.model import UNIT_CODES
from deadline.whatif.prepare import Prepared

MAX_CANDIDATES = 120
HOURS_PER_DAY = 8


@dataclass(frozen=True)
class Point:
    value: float
    resolved: int
    late: int

    @property
    def on_time_rate(self) -> float | None:
        return (self.resolved - self.late) / self.resolved if self.resolved else None


def candidates(unit: str, committed: float, statutory: float, statutory_unit: str) -> list[float]:
    """1 … the statutory duration, in the unit the procedure is committed in (whole steps)."""
    upper = statutory
    if statutory_unit != unit:
        if unit == "working_hours" and statutory_unit == "working_days":
            upper = statutory * HOURS_PER_DAY
        elif unit == "working_days" and statutory_unit == "working_hours":
            upper = statutory / HOURS_PER_DAY
        else:
            upper = committed
    top = min(MAX_CANDIDATES, max(1, math.ceil(max(upper, committed))))
    return [float(v) for v in range(1, top + 1)]


def curve(p: Prepared, rows: np.ndarray, unit: str, values: list[float], cutoff: np.ndarray) -> list[Point]:
    """``rows``: the procedure's prepared rows; ``cutoff``: every prepared row's cut-off under the proposal."""
    resolved_rows = rows[p.resolved[rows]]
    code = UNIT_CODES[unit]
    out = []
    units = np.full(resolved_rows.size, code, dtype=np.int64)
    for v in values:
        e = evaluate(p, np.full(resolved_rows.size, v), units, cutoff[resolved_rows], resolved_rows)
        out.append(Point(v, int(resolved_rows.size), int((e.outcome == LATE_OUT).sum())))
    return out


def shortest(points: list[Point], target: float) -> Point | None:
    """The first (shortest) candidate whose on-time rate reaches the target; shorter never does better."""
    for pt in points:
        rate = pt.on_time_rate
        if rate is not None and rate >= target - 1e-12:
            return pt
    return None
