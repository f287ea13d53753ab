"""Aggregation queries in SQL: phase tallies per unit, officer and step, form 06a, the index month figures."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, text

from scoring.domain import Campaign, Phase, StepCount, Tally, charge_steps
from scoring.domain.scoring import Kind
from scoring.reports import (
    UNKNOWN_UNIT,
    MonthFigures,
    Period,
    Row06a,
    month_period,
    row_from_counts,
    with_total,
)

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
_06A = """
SELECT unit,
  count(*) FILTER (WHERE accepted_at < :start) AS carried_over,
  count(*) FILTER (WHERE accepted_at >= :start AND channel = 2) AS received_online,
  count(*) FILTER (WHERE accepted_at >= :start AND channel <> 2) AS received_offline,
  count(*) FILTER (WHERE stopped_at < :end) AS resolved_total,
  count(*) FILTER (WHERE stopped_at < :end AND outcome = 'early') AS early,
  count(*) FILTER (WHERE stopped_at < :end AND outcome = 'late') AS late,
  count(*) FILTER (WHERE stopped_at IS NULL OR stopped_at >= :end) AS pending_total,
  count(*) FILTER (WHERE (stopped_at IS NULL OR stopped_at >= :end) AND original_due_at < :end_day
                     AND NOT waiting_supplement) AS pending_overdue
  {extra}
FROM {table}
WHERE agency = :agency AND accepted_at < :end AND (stopped_at IS NULL OR stopped_at >= :start)
GROUP BY unit ORDER BY unit
"""
_MONTH_EXTRA = """,
  count(*) FILTER (WHERE stopped_at < :end AND EXISTS (
      SELECT 1 FROM complaints c WHERE c.dossier_code = {table}.code AND c.well_founded)) AS complained
"""
_REFUSED = """
SELECT coalesce(unit, :unknown) AS unit, count(*) AS n FROM intake_events
WHERE agency = :agency AND kind = 'refused' AND occurred_at >= :start AND occurred_at < :end GROUP BY 1
"""
# Indicator 3.3: every dossier first received in the period (submitted online, accepted or refused at intake),
# once per code, online if any of its receipts came through channel 2.
_RECEIPTS = """
WITH touched AS (
  SELECT code FROM {table} WHERE agency = :agency AND accepted_at >= :start AND accepted_at < :end
  UNION
  SELECT code FROM intake_events WHERE agency = :agency AND kind IN ('submitted', 'refused')
    AND occurred_at >= :start AND occurred_at < :end
), receipts AS (
  SELECT d.code, d.accepted_at AS at, d.channel = 2 AS online FROM {table} d JOIN touched t ON t.code = d.code
  UNION ALL
  SELECT i.code, i.occurred_at,
         coalesce(i.channel, CASE WHEN i.kind = 'submitted' THEN 2 END) IS NOT DISTINCT FROM 2
  FROM intake_events i JOIN touched t ON t.code = i.code WHERE i.kind IN ('submitted', 'refused')
), firsts AS (
  SELECT code, min(at) AS first_at, bool_or(online) AS online FROM receipts GROUP BY code
)
SELECT count(*) AS received, count(*) FILTER (WHERE online) AS online FROM firsts WHERE first_at >= :start
"""
_PROCEDURE_DAYS = """
SELECT avg(resolution_hours) / 8.0 AS days FROM {table}
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
    return {"agency": agency, "start": start, "end": end, "end_day": period.end_instant()}


def _counts(r: Any) -> dict[str, int]:
    d = dict(r._mapping)
    d.pop("unit", None)
    d["on_time"] = d["resolved_total"] - d["early"] - d["late"]
    d["pending_in_time"] = d["pending_total"] - d["pending_overdue"]
    return d


def form_06a(conn: Connection, agency: str, period: Period, table: str = "dossiers", *,
             refusals: bool = False) -> list[Row06a]:
    """Rows per unit and the total; with ``refusals``, refused-at-intake counts (outside the received identity)."""
    params = _period_params(agency, period)
    per_unit = {r.unit: _counts(r) for r in conn.execute(text(_06A.format(table=table, extra="")), params)}
    if refusals:
        for r in conn.execute(text(_REFUSED), {**params, "unknown": UNKNOWN_UNIT}):
            per_unit.setdefault(r.unit, {})["refused_at_intake"] = r.n
    return with_total([row_from_counts(u, c) for u, c in sorted(per_unit.items())])


def month_figures(conn: Connection, agency: str, year: int, month: int, table: str = "dossiers") -> MonthFigures:
    params = _period_params(agency, month_period(year, month))
    c: dict[str, int] = {}
    for r in conn.execute(text(_06A.format(table=table, extra=_MONTH_EXTRA.format(table=table))), params):
        for k, v in _counts(r).items():
            c[k] = c.get(k, 0) + v
    days = tuple(sorted(round(float(r.days), 4) for r in conn.execute(
        text(_PROCEDURE_DAYS.format(table=table)), params)))
    receipts = conn.execute(text(_RECEIPTS.format(table=table)), params).one()
    refused = sum(r.n for r in conn.execute(text(_REFUSED), {**params, "unknown": UNKNOWN_UNIT}))
    return MonthFigures(
        month, receipts.received, receipts.online,
        c.get("resolved_total", 0), c.get("early", 0) + c.get("on_time", 0), c.get("late", 0),
        c.get("pending_total", 0), c.get("pending_in_time", 0), c.get("complained", 0), days, refused,
    )

