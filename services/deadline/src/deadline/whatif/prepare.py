"""Walk each dossier's real events once with the engine; keep what a due instant depends on as numpy arrays.

Under a committed duration D the due instant is a pure function of the effective acceptance (which depends on the
cut-off), the start of counting (which depends on whether D is shorter than a working day), the pauses and the
calendar. So the walk (``dunghan.deadline.clock``: acceptance, pauses, the stop and its reason, violations) runs
once per dossier, and every proposal afterwards is arithmetic over these arrays (``evaluate``)."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import numpy as np

from deadline.whatif.model import UNIT_CODES, DossierFacts, Period
from dunghan.calendar import WorkCalendar
from dunghan.calendar.model import EPOCH_ORDINAL
from dunghan.deadline import WorkAxis, parse_clock_time
from dunghan.deadline.classification import INELIGIBLE, stop_reason_of
from dunghan.deadline.clock import _walk

COLUMNS = ("unit", "proc", "resolved", "day", "k", "after", "second", "acc_pos", "cutoff", "value", "ucode",
           "open", "stop_pos", "result_ord", "forced", "stopped_at", "accepted_at")
FREE, ON_TIME, LATE = 0, 1, 2  # forced outcomes: none, ineligible (withdrawn/returned), second supplement request


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass
class Prepared:
    """One row per dossier handled in the period: resolved in it, or still open at its end."""

    period: Period
    calendar: WorkCalendar
    axes: dict[int, WorkAxis]  # working seconds per day -> the axis of those windows
    facts: list[DossierFacts]
    codes: list[str]
    units: np.ndarray  # object: unit holding the dossier when it stopped (or at the period's end)
    procedures: np.ndarray  # object: procedure code
    resolved: np.ndarray  # bool: stopped in the period (else open at its end)
    day: np.ndarray  # working seconds of a working day for this dossier's windows
    acc_k: np.ndarray  # working days before the acceptance day
    acc_after: np.ndarray  # working days before the day after it
    acc_second: np.ndarray  # second of the (local) day of acceptance
    acc_pos: np.ndarray
    cutoff: np.ndarray  # the dossier's own cut-off, in seconds of the day
    value: np.ndarray  # committed duration of its snapshot
    unit_code: np.ndarray  # UNIT_CODES of its snapshot
    pause_a: np.ndarray  # (n, P) pause start positions (0-padded)
    pause_b: np.ndarray  # (n, P) pause end positions (at the stop or the period's end when still open)
    paused_open: np.ndarray  # bool: waiting for the applicant at the period's end
    stop_pos: np.ndarray
    result_ord: np.ndarray  # local date (ordinal) of the stop
    forced: np.ndarray
    stopped_at: list[datetime | None]
    accepted_at: list[datetime]
    end_ordinal: int  # the period's last day
    lo: int  # calendar's first ordinal
    cum: np.ndarray
    workday_ord: np.ndarray

    @property
    def size(self) -> int:
        return len(self.codes)


def period_end(period: Period, calendar: WorkCalendar) -> datetime:
    """The last instant of the period's last day (local time): the state of open dossiers is read there."""
    midnight = datetime.combine(period.last + timedelta(days=1), time(0), tzinfo=calendar.tz)
    return midnight - timedelta(microseconds=1)


def prepare(dossiers: Sequence[DossierFacts], calendar: WorkCalendar, period: Period,
            windows: tuple[tuple[time, time], ...] | None = None) -> Prepared:
    """``windows``: a proposal's working windows, replacing each dossier's own (its rules)."""
    now = period_end(period, calendar)
    start_of_period = datetime.combine(period.first, time(0), tzinfo=calendar.tz)
    axes: dict[tuple[tuple[time, time], ...], WorkAxis] = {}
    kept: list[DossierFacts] = []
    rows: list[tuple[object, ...]] = []  # one per kept dossier, in the order of COLUMNS
    cutoffs: dict[tuple[time | None, str], int] = {}
    pauses: list[list[tuple[int, int]]] = []
    tz = calendar.tz
    for d in dossiers:
        rules = d.rules if windows is None else dataclasses.replace(d.rules, windows=windows)
        fee = d.procedure.pause_on_fee if rules.pause_on_fee is None else rules.pause_on_fee
        walk = _walk(d.events, now, fee, rules)
        accepted, stop = walk.accepted, walk.stop
        if accepted is None or (stop is not None and stop.at < start_of_period):
            continue  # never accepted by the period's end, or resolved before it started
        axis = axes.get(rules.windows)
        if axis is None:
            axis = axes[rules.windows] = WorkAxis(calendar, rules.windows)
        local = accepted.at.astimezone(tz)
        i = local.toordinal() - calendar.lo
        k, after = calendar.index_before(local.toordinal()), calendar.cum[i + 1]
        end_at = stop.at if stop else now
        spans = [(axis.position(a), axis.position(b or end_at)) for _, a, b in walk.pauses]
        forced = FREE
        if stop is not None:
            reason = stop_reason_of(stop.kind, stop.decision)
            if reason in INELIGIBLE and rules.ineligible_on_time:
                forced = ON_TIME
            elif "second_supplement_request" in walk.violations and rules.second_supplement_is_late:
                forced = LATE
        key = (rules.cutoff, d.procedure.cutoff)
        cutoff = cutoffs.get(key)
        if cutoff is None:
            cutoff = cutoffs[key] = _seconds(rules.cutoff or parse_clock_time(d.procedure.cutoff))
        kept.append(d)
        holder = walk.segments[-1].unit if walk.segments else None
        rows.append((
            holder or d.unit, d.procedure.code, stop is not None, axis.day, k, after,
            local.hour * 3600 + local.minute * 60 + local.second, axis.position(accepted.at), cutoff,
            d.procedure.committed_value, UNIT_CODES[d.procedure.committed_unit],
            stop is None and any(b is None for _, _, b in walk.pauses),
            axis.position(stop.at) if stop else 0, stop.at.astimezone(tz).toordinal() if stop else 0, forced,
            stop.at if stop else None, accepted.at,
        ))
        pauses.append(spans)
    width = max((len(p) for p in pauses), default=0) or 1
    pa = np.zeros((len(pauses), width), dtype=np.int64)
    pb = np.zeros((len(pauses), width), dtype=np.int64)
    for row, spans in enumerate(pauses):
        for j, (a, b) in enumerate(spans):
            pa[row, j], pb[row, j] = a, b
    cols = dict(zip(COLUMNS, (list(c) for c in zip(*rows, strict=True)), strict=True)) if rows else {
        c: [] for c in COLUMNS}

    def ints(key: str) -> np.ndarray:
        return np.asarray(cols[key], dtype=np.int64)

    return Prepared(
        period=period, calendar=calendar, axes={a.day: a for a in axes.values()}, facts=kept,
        codes=[d.code for d in kept], units=np.asarray(cols["unit"], dtype=object),
        procedures=np.asarray(cols["proc"], dtype=object), resolved=np.asarray(cols["resolved"], dtype=bool),
        day=ints("day"), acc_k=ints("k"), acc_after=ints("after"), acc_second=ints("second"),
        acc_pos=ints("acc_pos"), cutoff=ints("cutoff"), value=np.asarray(cols["value"], dtype=np.float64),
        unit_code=ints("ucode"), pause_a=pa, pause_b=pb, paused_open=np.asarray(cols["open"], dtype=bool),
        stop_pos=ints("stop_pos"), result_ord=ints("result_ord"), forced=ints("forced"),
        stopped_at=cols["stopped_at"], accepted_at=cols["accepted_at"],  # type: ignore[arg-type]
        end_ordinal=period.last.toordinal(), lo=calendar.lo, cum=calendar.np_cum,
        workday_ord=calendar.np_workdays + EPOCH_ORDINAL,
    )

