"""Aggregation queries in SQL: phase tallies per unit, officer and step, form 06a, the index month figures."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, text

from scoring.domain import Campaign, Phase, StepCount, Tally, charge_steps
from scoring.domain.scores import Kind
from scoring.form06a import UNKNOWN_FIELD, UNKNOWN_UNIT, Row06a, rows_with_total
from scoring.periods import Period
from scoring.reports import MonthFigures, figures_from_counts, month_period

_TALLY = """
SELECT {col} AS subject, max(unit) AS unit, count(*) AS handled,
       count(*) FILTER (WHERE outcome = 'early') AS early,
       count(*) FILTER (WHERE outcome = 'late') AS late,
       coalesce(sum(apologies), 0) AS apologies, coalesce(sum(repeat_supplements), 0) AS repeat_supplements
FROM {table} WHERE agency = :agency AND stopped_at >= :start AND stopped_at < :end AND stopped_at IS NOT NULL
GROUP BY {col}
"""
_STEPS = """
SELECT {col} AS subject, count(*) AS n FROM step_results
WHERE agency = :agency AND outcome = 'late' AND stopped_at >= :start AND stopped_at < :end GROUP BY {col}
"""
_STEPS = """
SELECT s.step, s.unit, s.officer, coalesce(max(n.name), '') AS name, min(s.seq) AS position,
       count(*) FILTER (WHERE s.outcome = 'early') AS early,
       count(*) FILTER (WHERE s.outcome = 'on_time') AS on_time,
       count(*) FILTER (WHERE s.outcome = 'late') AS late
FROM step_results s LEFT JOIN names n ON n.kind = 'officer' AND n.subject = s.officer
WHERE s.agency = :agency AND s.stopped_at >= :start AND s.stopped_at < :end
GROUP BY s.step, s.unit, s.officer
"""
# Form 06a, one row per dossier open at some point of the period: the unit that held it when its clock stopped
# (resolved in the period) or at the period's end (pending), from its moves (the dossier's last unit when it has
# none); waiting at the period's end from its supplement moves (the current flag when it has none).
_PLACED = """
WITH d AS (
  SELECT code, channel, accepted_at, stopped_at, outcome, original_due_at, waiting_supplement, unit,
         procedure_code, procedure_field, resolution_hours,
         CASE WHEN stopped_at < :end THEN stopped_at END AS resolved_at
  FROM {table}
  WHERE agency = :agency AND accepted_at < :end AND (stopped_at IS NULL OR stopped_at >= :start)
), holders AS (
  SELECT DISTINCT ON (m.code) m.code, m.unit FROM dossier_moves m JOIN d ON d.code = m.code
  WHERE m.kind = 'holder' AND m.at < :end AND (d.resolved_at IS NULL OR m.at <= d.resolved_at)
  ORDER BY m.code, m.at DESC
), waits AS (
  SELECT DISTINCT ON (m.code) m.code, m.kind = 'waiting' AS waiting FROM dossier_moves m JOIN d ON d.code = m.code
  WHERE m.kind IN ('waiting', 'resumed') AND m.at < :end
  ORDER BY m.code, m.at DESC
)
SELECT d.*, coalesce(h.unit, d.unit) AS holder, coalesce(w.waiting, d.waiting_supplement) AS waiting
FROM d LEFT JOIN holders h ON h.code = d.code LEFT JOIN waits w ON w.code = d.code
"""
_06A = """
WITH p AS ({placed})
SELECT {key} AS key,
  count(*) FILTER (WHERE accepted_at < :start) AS carried_over,
  count(*) FILTER (WHERE accepted_at >= :start AND channel = 2) AS received_online,
  count(*) FILTER (WHERE accepted_at >= :start AND channel <> 2) AS received_offline,
  count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved_total,
  count(*) FILTER (WHERE resolved_at IS NOT NULL AND outcome = 'early') AS early,
  count(*) FILTER (WHERE resolved_at IS NOT NULL AND outcome = 'late') AS late,
  count(*) FILTER (WHERE resolved_at IS NULL) AS pending_total,
  count(*) FILTER (WHERE resolved_at IS NULL AND original_due_at < :end_day AND NOT waiting) AS pending_overdue
  {extra}
FROM p GROUP BY 1 ORDER BY 1
"""
_COMPLAINED = """,
  count(*) FILTER (WHERE resolved_at IS NOT NULL AND EXISTS (
      SELECT 1 FROM complaints c WHERE c.dossier_code = p.code AND c.well_founded)) AS complained
"""
_KEYS = {"unit": "holder", "field": "coalesce(nullif(procedure_field, ''), :unknown_field)"}
_REFUSED = """
SELECT coalesce(unit, :unknown) AS unit, count(DISTINCT code) AS n FROM intake_events
WHERE agency = :agency AND kind = 'refused' AND occurred_at >= :start AND occurred_at < :end GROUP BY 1
"""
_PROCEDURE_DAYS = """
SELECT procedure_code, array_agg(resolution_hours) AS hours FROM {table}
WHERE agency = :agency AND stopped_at >= :start AND stopped_at < :end AND resolution_hours IS NOT NULL
GROUP BY procedure_code
"""


def _window(agency: str, phase: Phase) -> dict[str, Any]:
    start, end = Period(phase.starts_on, phase.ends_on).bounds()
    return {"agency": agency, "start": start, "end": end}


def phase_tallies(
    conn: Connection, campaign: Campaign, phase: Phase, table: str = "dossiers"
) -> tuple[list[Tally], list[Tally]]:
    """Unit and officer tallies of a phase, with complaints and discipline recorded for the campaign."""
    params = _window(campaign.agency, phase)
    names = {(r.kind, r.subject): (r.name, r.unit) for r in conn.execute(
        text("SELECT kind, subject, name, unit FROM names WHERE agency = :agency"), params)}
    complaints: dict[tuple[str, str], int] = {}
    for r in conn.execute(text(
        "SELECT kind, subject, count(*) AS n FROM complaints WHERE campaign_id = :c AND well_founded "
        "AND (phase IS NULL OR phase = :p) GROUP BY kind, subject"), {"c": campaign.id, "p": phase.key}):
        complaints[(r.kind, r.subject)] = r.n
    disciplined = conn.execute(text(
        "SELECT officer, unit FROM discipline WHERE campaign_id = :c AND starts_on <= :e "
        "AND (ends_on IS NULL OR ends_on >= :s)"), {"c": campaign.id, "s": phase.starts_on, "e": phase.ends_on},
    ).all()
    out: dict[str, list[Tally]] = {}
    kinds: tuple[tuple[Kind, str], ...] = (("unit", "unit"), ("officer", "officer"))
    for kind, col in kinds:
        tallies = []
        for row in conn.execute(text(_TALLY.format(col=col, table=table)), params):
            name, unit = names.get((kind, row.subject), (row.subject, None))
            tallies.append(Tally(
                kind, row.subject, name or row.subject, row.subject if kind == "unit" else (unit or row.unit),
                row.handled, row.early, row.handled - row.early - row.late, row.late,
                row.apologies, row.repeat_supplements,
            ))
        out[kind] = tallies
    steps = phase_steps(conn, campaign, phase)
    units, officers = charge_steps(out["unit"], out["officer"], steps, campaign.config)
    return [_known(t, names, complaints, disciplined) for t in units], [
        _known(t, names, complaints, disciplined) for t in officers]


def _known(t: Tally, names: dict[tuple[str, str], tuple[str, str | None]], complaints: dict[tuple[str, str], int],
           disciplined: Any) -> Tally:
    """A tally with its registry name and unit, its well-founded complaints and any discipline."""
    name, unit = names.get((t.kind, t.subject), (t.name, None))
    subject = t.subject
    hit = any((d.officer if t.kind == "officer" else d.unit) == subject for d in disciplined)
    return replace(t, name=name or t.name or subject, unit=subject if t.kind == "unit" else (unit or t.unit),
                   complaints=complaints.get((t.kind, subject), 0), disciplined=hit)


def phase_steps(conn: Connection, campaign: Campaign, phase: Phase) -> list[StepCount]:
    """Step results of dossiers whose clock stopped in the phase, per step and handler."""
    rows = conn.execute(text(_STEPS), _window(campaign.agency, phase))
    return [StepCount(r.step, r.unit, r.officer, r.name, r.position, r.early, r.on_time, r.late) for r in rows]


def _period_params(agency: str, period: Period) -> dict[str, Any]:
    start, end = period.bounds()
    return {"agency": agency, "start": start, "end": end, "end_day": period.end_instant(),
            "unknown_field": UNKNOWN_FIELD}


def _06a_counts(conn: Connection, params: dict[str, Any], by: str, table: str,
                extra: str = "") -> dict[str, dict[str, int]]:
    sql = _06A.format(placed=_PLACED.format(table=table), key=_KEYS[by], extra=extra)
    out = {}
    for r in conn.execute(text(sql), params):
        d = dict(r._mapping)
        out[d.pop("key")] = d
    return out


def names_of(conn: Connection, agency: str, kind: str = "unit") -> dict[str, str]:
    rows = conn.execute(text("SELECT subject, name FROM names WHERE agency = :agency AND kind = :kind"),
                        {"agency": agency, "kind": kind})
    return {r.subject: r.name for r in rows if r.name}


def form_06a(conn: Connection, agency: str, period: Period, table: str = "dossiers", *,
             by: str = "unit") -> list[Row06a]:
    """Rows per unit (named) or per procedure field, and the total row."""
    per_key = _06a_counts(conn, _period_params(agency, period), by, table)
    return rows_with_total(per_key, names_of(conn, agency) if by == "unit" else {})


def refused_at_intake(conn: Connection, agency: str, period: Period) -> dict[str, int]:
    """Refusals at intake per unit in the period: reported beside form 06a, outside its rows."""
    params = {**_period_params(agency, period), "unknown": UNKNOWN_UNIT}
    return {r.unit: r.n for r in conn.execute(text(_REFUSED), params)}


def month_figures(conn: Connection, agency: str, year: int, month: int, table: str = "dossiers") -> MonthFigures:
    """The index figures of a month (0: the calendar year): the 06a total, complaints, days per procedure."""
    period = month_period(year, month)
    params = _period_params(agency, period)
    c: dict[str, int] = {}
    for counts in _06a_counts(conn, params, "unit", table, _COMPLAINED).values():
        for k, v in counts.items():
            c[k] = c.get(k, 0) + v
    per_proc = {r.procedure_code: [h / 8.0 for h in r.hours]
                for r in conn.execute(text(_PROCEDURE_DAYS.format(table=table)), params)}
    return figures_from_counts(month, c, per_proc, sum(refused_at_intake(conn, agency, period).values()))
