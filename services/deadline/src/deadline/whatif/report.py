"""A what-if run: today's figures and the proposal's, per procedure, per unit and in total (plain dicts)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from deadline.whatif.evaluate import EARLY, LATE_OUT, ON, Evaluation, due_instant, evaluate
from deadline.whatif.model import UNIT_CODES, DossierFacts, Period, Proposal
from deadline.whatif.prepare import Prepared, _seconds, prepare
from deadline.whatif.sweep import candidates, curve, shortest
from dunghan.calendar import WorkCalendar


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _hours(values: np.ndarray, q: float) -> float | None:
    kept = values[~np.isnan(values)]
    return round(float(np.percentile(kept, q)), 2) if kept.size else None


def figures(p: Prepared, e: Evaluation, mask: np.ndarray) -> dict[str, Any]:
    """Counts and rates of the masked rows of one evaluation (``mask`` over ``e.index``)."""
    resolved = mask & p.resolved[e.index]
    pending = mask & ~p.resolved[e.index]
    early = int((resolved & (e.outcome == EARLY)).sum())
    on_time = int((resolved & (e.outcome == ON)).sum())
    late = int((resolved & (e.outcome == LATE_OUT)).sum())
    n_resolved, n_pending = int(resolved.sum()), int(pending.sum())
    in_time = int((pending & e.in_time).sum())
    hours = e.resolution_hours[resolved]
    return {
        "early": early, "on_time": on_time, "late": late, "on_time_rate": _rate(early + on_time, n_resolved),
        "pending_in_time": in_time, "pending_overdue": n_pending - in_time,
        "indicator_2_1": _rate(early + on_time + in_time, n_resolved + n_pending),
        "resolution_hours_median": _hours(hours, 50), "resolution_hours_p90": _hours(hours, 90),
    }


def _group(p: Prepared, before: Evaluation, after: Evaluation, mask: np.ndarray) -> dict[str, Any]:
    late_after = mask & p.resolved & (after.outcome == LATE_OUT)
    return {
        "dossiers": int(mask.sum()), "resolved": int((mask & p.resolved).sum()),
        "pending": int((mask & ~p.resolved).sum()),
        "before": figures(p, before, mask), "after": figures(p, after, mask),
        "newly_late": int((late_after & (before.outcome != LATE_OUT)).sum()),
    }


def proposal_arrays(p: Prepared, proposal: Proposal) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    value, unit, cutoff = p.value.copy(), p.unit_code.copy(), p.cutoff.copy()
    if proposal.cutoff is not None:
        cutoff[:] = _seconds(proposal.cutoff)
    for code, change in proposal.procedures.items():
        rows = p.procedures == code
        value[rows] = change.committed_value
        unit[rows] = UNIT_CODES[change.committed_unit]
        if change.cutoff is not None:
            cutoff[rows] = _seconds(change.cutoff)
    return value, unit, cutoff


def _duration(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def _procedure_row(p: Prepared, proposal: Proposal, code: str, rows: np.ndarray, group: dict[str, Any],
                   cutoff: np.ndarray) -> dict[str, Any]:
    snap = max((p.facts[int(r)] for r in rows), key=lambda f: (f.procedure.version, f.code)).procedure
    change = proposal.procedures.get(code)
    unit = change.committed_unit if change else snap.committed_unit
    values = candidates(unit, change.committed_value if change else snap.committed_value, snap.statutory_value,
                        snap.statutory_unit)
    points = curve(p, rows, unit, values, cutoff)
    best = shortest(points, proposal.target)
    return {
        "procedure_code": code, "name": snap.name, "field": snap.field,
        "statutory": _duration(snap.statutory_value, snap.statutory_unit),
        "committed": _duration(snap.committed_value, snap.committed_unit),
        "proposed": _duration(change.committed_value, change.committed_unit) if change else None, **group,
        "shortest": None if best is None else {**_duration(best.value, unit), "on_time_rate": _rate(
            best.resolved - best.late, best.resolved), "late": best.late},
        "curve": [{**_duration(pt.value, unit), "on_time_rate": _rate(pt.resolved - pt.late, pt.resolved),
                   "late": pt.late} for pt in points],
    }


def _late_rows(p: Prepared, before: Evaluation, after: Evaluation, under: Prepared) -> list[dict[str, Any]]:
    rows = np.flatnonzero(p.resolved & (after.outcome == LATE_OUT))
    out = []
    for r in rows:
        i = int(r)
        stopped = p.stopped_at[i]
        out.append({
            "code": p.codes[i], "unit": str(p.units[i]), "procedure_code": str(p.procedures[i]),
            "accepted_at": p.accepted_at[i], "stopped_at": stopped,
            "due_at_before": due_instant(p, i, int(before.due_pos[i])),
            "due_at_after": due_instant(under, i, int(after.due_pos[i])),
            "late_days": int(after.late_days[i]), "late_today": bool(before.outcome[i] == LATE_OUT),
        })
    return sorted(out, key=lambda d: (d["unit"], d["procedure_code"], d["code"]))


def report(base: Prepared, proposal: Proposal, under: Prepared | None = None) -> dict[str, Any]:
    """``under``: the dossiers prepared with the proposal's working windows (``base`` when it has none); both
    hold the same dossiers in the same order."""
    under = under or base
    before = evaluate(base, base.value, base.unit_code, base.cutoff)
    value, unit, cutoff = proposal_arrays(under, proposal)
    after = evaluate(under, value, unit, cutoff)
    everyone = np.ones(base.size, dtype=bool)
    procedures = []
    for code in sorted(set(base.procedures.tolist()) | set(proposal.procedures)):
        rows = np.flatnonzero(base.procedures == code)
        if rows.size == 0:
            procedures.append({"procedure_code": code, "dossiers": 0, "resolved": 0, "pending": 0})
            continue
        mask = base.procedures == code
        procedures.append(_procedure_row(under, proposal, code, rows, _group(base, before, after, mask), cutoff))
    units = []
    late_after = base.resolved & (after.outcome == LATE_OUT)
    for name in sorted(set(base.units.tolist())):
        mask = base.units == name
        units.append({"unit": name, **_group(base, before, after, mask),
                      "late_codes": [base.codes[int(i)] for i in np.flatnonzero(mask & late_after)]})
    total = _group(base, before, after, everyone)
    return {
        "period": {"from": base.period.first, "to": base.period.last}, "target": proposal.target,
        "proposal": {
            "procedures": {
                c: _duration(ch.committed_value, ch.committed_unit)
                | ({"cutoff": ch.cutoff.strftime("%H:%M")} if ch.cutoff else {})
                for c, ch in proposal.procedures.items()},
            "cutoff": proposal.cutoff.strftime("%H:%M") if proposal.cutoff else None,
            "windows": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in proposal.windows or ()] or None,
        },
        "total": total,
        "indicator_2_1": {"before": total["before"]["indicator_2_1"], "after": total["after"]["indicator_2_1"]},
        "procedures": procedures, "units": units, "late_dossiers": _late_rows(base, before, after, under),
        "calendar_version": base.calendar.version,
    }


def run_whatif(dossiers: Sequence[DossierFacts], calendar: WorkCalendar, period: Period,
               proposal: Proposal) -> dict[str, Any]:
    base = prepare(dossiers, calendar, period)
    under = prepare(dossiers, calendar, period, proposal.windows) if proposal.windows else base
    return report(base, proposal, under)

