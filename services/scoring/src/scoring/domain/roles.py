"""Each step charged to whoever performed it; the leadership's steps (the director's signature) to the leadership,
not to the clerk who records them; each officer placed in the comparable role whose steps they performed most."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from scoring.domain.campaign import ScoringConfig
from scoring.domain.scores import Tally
from scoring.domain.steps import StepCount

LEADERSHIP_ROLE = "lanh_dao_so"


def _add(t: Tally, c: StepCount, *, own: bool) -> Tally:
    """Late steps always count; the volume and shares only for steps of the subject's own role."""
    t = replace(t, late_steps=t.late_steps + c.late)
    if own:
        t = replace(t, steps=t.steps + c.handled, steps_early=t.steps_early + c.early,
                    steps_on_time=t.steps_on_time + c.on_time)
    return t


def role_of(counts: Iterable[StepCount], config: ScoringConfig) -> str:
    """The role whose steps the officer performed most (ties: the first in the configuration)."""
    per = {r.key: 0 for r in config.roles}
    for c in counts:
        for r in config.roles:
            if r.owns(c.step):
                per[r.key] += c.handled
                break
    best = max(per.values(), default=0)
    if best == 0:
        return config.default_role
    return next(k for k, v in per.items() if v == best)


def charge_steps(units: Sequence[Tally], officers: Sequence[Tally], steps: Iterable[StepCount],
                 config: ScoringConfig) -> tuple[list[Tally], list[Tally]]:
    """Unit and officer tallies with their steps, officers with their role; a ``leadership`` officer tally
    carries the leadership's steps when there were any."""
    lead = config.leadership
    by_unit = {t.subject: t for t in units}
    by_officer = {t.subject: t for t in officers}
    officer_steps: dict[str, list[StepCount]] = {}
    leadership: Tally | None = None
    for c in steps:
        if lead.owns(c.step):
            leadership = leadership or Tally("officer", lead.subject, lead.name, "", role=LEADERSHIP_ROLE)
            leadership = _add(leadership, c, own=True)
            continue
        u = by_unit.get(c.unit) or Tally("unit", c.unit, c.unit, c.unit)
        by_unit[c.unit] = _add(u, c, own=True)
        if c.officer:
            officer_steps.setdefault(c.officer, []).append(c)
    out_officers = []
    for subject in sorted(set(by_officer) | set(officer_steps)):
        counts = officer_steps.get(subject, [])
        t = by_officer.get(subject)
        if t is None:
            first = counts[0]
            t = Tally("officer", subject, first.name or subject, first.unit)
        role = config.role(role_of(counts, config))
        t = replace(t, role=role.key)
        for c in counts:
            t = _add(t, c, own=role.owns(c.step))
        out_officers.append(t)
    if leadership is not None:
        out_officers.append(leadership)
    return [by_unit[k] for k in sorted(by_unit)], out_officers


def charged(counts: Iterable[StepCount], config: ScoringConfig) -> list[StepCount]:
    """Step counts as charged: the leadership's steps under the leadership, whoever recorded them."""
    lead = config.leadership
    return [replace(c, unit=lead.subject, officer=lead.subject, name=lead.name) if lead.owns(c.step) else c
            for c in counts]
