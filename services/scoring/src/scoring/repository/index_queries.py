"""The index's figures for every month of a year at once: each dossier read once with the month it was accepted
in (``a``, 0 before the year) and stopped in (``s``, 13 after or never), overdue at the end of the months after
``o``; Python adds the groups of alike dossiers up per month."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from scoring.form06a import UNKNOWN_UNIT
from scoring.reports import MonthFigures, figures_from_counts, month_period

# ``:cuts`` holds the 12 local month starts and the year's end; ``:due_cuts`` the 12 instants a month's pending
# dossiers are judged overdue at (form 06a's period end).
_DOSSIERS = """
SELECT code, channel, outcome, waiting_supplement,
       width_bucket(accepted_at, CAST(:cuts AS timestamptz[])) AS a,
       coalesce(width_bucket(stopped_at, CAST(:cuts AS timestamptz[])), 13) AS s,
       coalesce(width_bucket(original_due_at, CAST(:due_cuts AS timestamptz[])), 12) AS o
FROM {table}
WHERE agency = :agency AND accepted_at < :year_end AND (stopped_at IS NULL OR stopped_at >= :year_start)
"""
_MOVED = "code IN (SELECT code FROM dossier_moves WHERE kind IN ('waiting', 'resumed'))"
# Dossiers alike in every column the index counts; one with supplement moves is judged overdue apart.
_GROUPS = """
SELECT a, s, o, channel = 2 AS online, outcome, count(*) AS n,
       count(*) FILTER (WHERE NOT waiting_supplement AND NOT {moved}) AS may_be_overdue,
       count(*) FILTER (WHERE s <= 12 AND EXISTS (
           SELECT 1 FROM complaints c WHERE c.dossier_code = d.code AND c.well_founded)) AS complained
FROM ({dossiers}) d GROUP BY 1, 2, 3, 4, 5
"""
_OVERDUE_MOVED = """
SELECT g AS month, count(*) AS n
FROM ({dossiers} AND {moved}) d JOIN generate_series(1, 12) g ON d.a <= g AND d.s > g AND d.o < g
WHERE NOT coalesce((
  SELECT mv.kind = 'waiting' FROM dossier_moves mv
  WHERE mv.code = d.code AND mv.kind IN ('waiting', 'resumed') AND mv.at < (CAST(:cuts AS timestamptz[]))[g + 1]
  ORDER BY mv.at DESC LIMIT 1), d.waiting_supplement)
GROUP BY g
"""
_DAYS = """
SELECT width_bucket(stopped_at, CAST(:cuts AS timestamptz[])) AS month, procedure_code,
       sum(resolution_hours / 8.0) AS days, count(*) AS n
FROM {table}
WHERE agency = :agency AND stopped_at >= :year_start AND stopped_at < :year_end AND resolution_hours IS NOT NULL
GROUP BY GROUPING SETS ((1, procedure_code), (procedure_code))
"""
_REFUSED = """
SELECT width_bucket(occurred_at, CAST(:cuts AS timestamptz[])) AS month, coalesce(unit, :unknown) AS unit,
       count(DISTINCT code) AS n
FROM intake_events
WHERE agency = :agency AND kind = 'refused' AND occurred_at >= :year_start AND occurred_at < :year_end
GROUP BY GROUPING SETS ((1, 2), (2))
"""


@dataclass(frozen=True)
class _Group:
    a: int
    s: int
    o: int
    online: bool
    outcome: str | None
    n: int
    may_be_overdue: int
    complained: int


def _counts(groups: list[_Group], lo: int, hi: int, overdue_moved: int) -> dict[str, int]:
    """Form 06a's total row for the months ``lo``..``hi`` (one month, or 1..12 for the year)."""
    c = dict.fromkeys(("carried_over", "received_online", "received_offline", "resolved_total", "early", "late",
                       "pending_total", "complained"), 0)
    c["pending_overdue"] = overdue_moved
    for g in groups:
        if g.a > hi or g.s < lo:
            continue
        c["carried_over" if g.a < lo else "received_online" if g.online else "received_offline"] += g.n
        if g.s <= hi:
            c["resolved_total"] += g.n
            c["complained"] += g.complained
            if g.outcome in ("early", "late"):
                c[g.outcome] += g.n
        else:
            c["pending_total"] += g.n
            if g.o < hi:
                c["pending_overdue"] += g.may_be_overdue
    return c


def index_figures(conn: Connection, agency: str, year: int, months: Sequence[int],
                  table: str = "dossiers") -> list[MonthFigures]:
    """``queries.month_figures`` of each of ``months`` (0: the calendar year), in order, in four statements."""
    if not months:
        return []
    periods = [month_period(year, m) for m in range(1, 13)]
    cuts = [p.bounds()[0] for p in periods] + [periods[-1].bounds()[1]]
    params: dict[str, Any] = {
        "agency": agency, "cuts": cuts, "due_cuts": [p.end_instant() for p in periods], "year_start": cuts[0],
        "year_end": cuts[-1], "unknown": UNKNOWN_UNIT}
    dossiers = _DOSSIERS.format(table=table)
    groups = [_Group(*r) for r in conn.execute(text(_GROUPS.format(dossiers=dossiers, moved=_MOVED)), params)]
    moved = {r.month: r.n for r in conn.execute(
        text(_OVERDUE_MOVED.format(dossiers=dossiers.rstrip(), moved=_MOVED)), params)}
    days: dict[int, dict[str, list[float]]] = {}
    for r in conn.execute(text(_DAYS.format(table=table)), params):
        days.setdefault(r.month or 0, {})[r.procedure_code] = [r.days / r.n]  # the procedure's mean
    refused: dict[int, int] = {}
    for r in conn.execute(text(_REFUSED), params):
        refused[r.month or 0] = refused.get(r.month or 0, 0) + r.n
    out = []
    for m in months:
        lo, hi = (1, 12) if m == 0 else (m, m)
        counts = _counts(groups, lo, hi, moved.get(hi, 0))
        out.append(figures_from_counts(m, counts, days.get(m, {}), refused.get(m, 0)))
    return out
