"""Due instants and classifications of prepared dossiers under given committed durations, all at once.

The same rules as ``dunghan.deadline.counting.start_and_due`` and ``classification.classify`` (DOMAIN.md sections 4
and 5), applied to arrays: effective acceptance from the cut-off, the start of counting, the due position plus the
pauses counted from that start, the due date, then early / on time / late on dates. ``tests/unit`` checks every
dossier against ``compute_clock`` itself."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from deadline.whatif.prepare import LATE, ON_TIME, Prepared
from dunghan.calendar import CalendarRangeError

EARLY, ON, LATE_OUT = 0, 1, 2  # outcome codes
NAMES = ("early", "on_time", "late")


@dataclass(frozen=True)
class Evaluation:
    """Arrays over the selected dossiers (``index`` into the prepared rows)."""

    index: np.ndarray
    due_pos: np.ndarray
    due_ord: np.ndarray  # local date of the original due instant
    outcome: np.ndarray  # EARLY / ON / LATE_OUT; meaningful where resolved
    in_time: np.ndarray  # open at the period's end and still in time (or waiting for the applicant)
    late_days: np.ndarray  # working days late (resolved late), 0 otherwise
    resolution_hours: np.ndarray  # working hours from acceptance to the stop, pauses excluded (resolved)


def _take(p: Prepared, index: np.ndarray | None) -> np.ndarray:
    return np.arange(p.size) if index is None else index


def _lookup(table: np.ndarray, at: np.ndarray, what: str) -> np.ndarray:
    if at.size and (at.min() < 0 or at.max() >= table.size):
        raise CalendarRangeError(f"{what} ngoài phạm vi lịch")
    return table[at]


def due_positions(p: Prepared, value: np.ndarray, unit_code: np.ndarray, cutoff: np.ndarray,
                  index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(original due position, paused working seconds) of the selected dossiers under the given durations and
    cut-offs."""
    ix = _take(p, index)
    day, k, after = p.day[ix], p.acc_k[ix], p.acc_after[ix]
    pushed = (after == k) | (p.acc_second[ix] >= cutoff)
    eff_k = np.where(pushed, after, k)
    length = np.rint(value * np.where(unit_code == 0, day, 3600)).astype(np.int64)
    start = np.where(length >= day, (eff_k + 1) * day, np.where(pushed, eff_k * day, p.acc_pos[ix]))
    base = start + length
    calendar_days = unit_code == 2
    if calendar_days.any():
        eff_ord = _lookup(p.workday_ord, eff_k, "ngày tiếp nhận")
        due_ord = eff_ord + np.maximum(0, np.ceil(value).astype(np.int64))
        due_k = _lookup(p.cum, due_ord - p.lo, "hạn giải quyết") + 1
        start = np.where(calendar_days, (eff_k + 1) * day, start)
        base = np.where(calendar_days, due_k * day, base)
    pa, pb = p.pause_a[ix], p.pause_b[ix]
    counted = np.maximum(0, pb - np.maximum(pa, start[:, None])).sum(axis=1)
    return base + counted, counted


def evaluate(p: Prepared, value: np.ndarray, unit_code: np.ndarray, cutoff: np.ndarray,
             index: np.ndarray | None = None) -> Evaluation:
    ix = _take(p, index)
    due_pos, counted = due_positions(p, value, unit_code, cutoff, ix)
    day = p.day[ix]
    n, m = np.divmod(due_pos, day)
    n = np.where((m == 0) & (n > 0), n - 1, n)
    due_ord = _lookup(p.workday_ord, n, "hạn giải quyết")
    result = p.result_ord[ix]
    outcome = np.where(result < due_ord, EARLY, np.where(result == due_ord, ON, LATE_OUT))
    forced = p.forced[ix]
    outcome = np.where(forced == ON_TIME, ON, np.where(forced == LATE, LATE_OUT, outcome))
    resolved = p.resolved[ix]
    late = resolved & (outcome == LATE_OUT)
    diff = np.zeros(ix.size, dtype=np.int64)
    if late.any():
        res_off = np.where(late, result - p.lo, 0)
        due_off = np.where(late, due_ord - p.lo, 0)
        diff = np.where(late, np.maximum(1, p.cum[res_off + 1] - p.cum[due_off + 1]), 0)
    in_time = ~resolved & (p.paused_open[ix] | (due_ord >= p.end_ordinal))
    hours = np.maximum(0, p.stop_pos[ix] - p.acc_pos[ix] - counted) / 3600.0
    return Evaluation(ix, due_pos, due_ord, outcome, in_time, diff, np.where(resolved, hours, np.nan))


def due_instant(p: Prepared, row: int, due_pos: int) -> datetime:
    """The original due instant of one prepared dossier (for listings), from its axis."""
    return p.axes[int(p.day[row])].instant_end(int(due_pos))
