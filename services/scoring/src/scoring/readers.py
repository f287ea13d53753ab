"""Use cases that only read: standings, per-step figures of a phase, form 06a, the national index by month."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from scoring.awards import ProposalReview, correction_flags, review_of
from scoring.domain import Campaign, Phase, Standing, StepFigures, charged, propose, rank, step_figures
from scoring.form06a import Row06a
from scoring.lookups import campaign_of, phase_of
from scoring.periods import Period
from scoring.ports import Campaigns, Repository
from scoring.reports import IndexMonth, applies_766, index_month, indicator_notes


@dataclass(frozen=True)
class Standings:
    campaign: Campaign
    phase: Phase
    state: str
    kind: str
    entries: list[Standing]
    config: dict[str, Any]
    closed_at: datetime | None = None
    proposals: list[dict[str, Any]] = field(default_factory=list)
    steps: list[StepFigures] = field(default_factory=list)
    flags: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)


def live_standings(tx: Campaigns, c: Campaign, p: Phase) -> tuple[list[Standing], list[Standing]]:
    """Units and officers ranked on the phase's results so far."""
    unit_tallies, officer_tallies = tx.tallies(c, p)
    return rank(unit_tallies, c.config), rank(officer_tallies, c.config)


def standings(repo: Repository, campaign_id: str, phase_key: str, kind: str) -> Standings:
    """Live standings of an open phase; the frozen result of a closed one."""
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        p = phase_of(c, phase_key)
        frozen = tx.frozen(c.id, p.key, kind)
        if frozen is not None:
            closure, entries = frozen
            flags = correction_flags(tx, c.id, p.key)
            proposals = [{**x, "corrections": flags.get((x["kind"], x["subject"]), [])}
                         for x in closure["proposals"]]
            steps = step_figures(charged(tx.frozen_steps(c.id, p.key) or [], c.config))
            return Standings(c, p, "closed", kind, entries, closure["config"], closure["closed_at"],
                             proposals, steps, flags)
        units, officers = live_standings(tx, c, p)
        steps = step_figures(charged(tx.step_counts(c, p), c.config))
    proposals = [vars(x) for x in propose(units, officers, c.config, p.review_date, final=p.final)]
    return Standings(c, p, "open", kind, units if kind == "unit" else officers, c.config.to_json(),
                     proposals=proposals, steps=steps)


@dataclass(frozen=True)
class StepReport:
    campaign: Campaign
    phase: Phase
    state: str
    steps: list[StepFigures]


def step_report(repo: Repository, campaign_id: str, phase_key: str, *, unit: str | None = None,
                officer: str | None = None) -> StepReport:
    """Per-step figures of a phase, for one unit or officer if asked: live while open, frozen once closed."""
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        p = phase_of(c, phase_key)
        counts = tx.frozen_steps(c.id, p.key)
        state = "open" if counts is None else "closed"
        if counts is None:
            counts = tx.step_counts(c, p)
    return StepReport(c, p, state, step_figures(charged(counts, c.config), unit=unit, officer=officer))


@dataclass(frozen=True)
class Report06a:
    agency: str
    period: Period
    by: str
    rows: list[Row06a]
    refused_at_intake: dict[str, int]


def report_06a(repo: Repository, agency: str, period: Period, by: str = "unit") -> Report06a:
    with repo.uow as tx:
        rows = tx.form_06a(agency, period, by)
        refused = tx.refused_at_intake(agency, period)
    return Report06a(agency, period, by, rows, refused)


@dataclass(frozen=True)
class IndexReport:
    agency: str
    year: int
    applies_766: bool
    with_766: bool
    months: list[IndexMonth]
    notes: list[str]


def report_index(repo: Repository, agency: str, year: int, today: date | None = None, *,
                 retroactive: bool = False) -> IndexReport:
    """Months up to ``today`` and the annual row; the QĐ 766 indicators only for a year it applies to (or,
    asked ``retroactive``, for reference)."""
    last = 12 if today is None or today.year > year else today.month if today.year == year else 0
    with_766 = applies_766(year) or retroactive
    with repo.uow as tx:
        figures = tx.index_figures(agency, year, [*range(1, last + 1), 0] if last else [])
    months = [index_month(f, with_766=with_766) for f in figures]
    return IndexReport(agency, year, applies_766(year), with_766, months, indicator_notes(year, with_766))


def campaign(repo: Repository, campaign_id: str) -> Campaign:
    """The campaign (``NotFound`` if there is none)."""
    with repo.uow as tx:
        return campaign_of(tx, campaign_id)


def unit_names(repo: Repository, agency: str) -> dict[str, str]:
    with repo.uow as tx:
        return tx.unit_names(agency)  # type: ignore[no-any-return]


def campaigns(repo: Repository) -> list[tuple[Campaign, dict[str, str]]]:
    """Every campaign with the state of each of its phases."""
    with repo.uow as tx:
        return tx.list_campaigns()  # type: ignore[no-any-return]


def proposal_review(repo: Repository, campaign_id: str, phase_key: str) -> ProposalReview:
    """The proposals of a review with their state, log and correction flags."""
    with repo.uow as tx:
        c = campaign_of(tx, campaign_id)
        p = phase_of(c, phase_key)
        review = review_of(tx, c, p)
        flags = correction_flags(tx, c.id, p.key)
        items = [{**i, "corrections": flags.get((i["kind"], i["subject"]), [])}
                 for i in tx.list_proposals(c.id, p.key)]
        return ProposalReview(c, p, review["state"], review["decision_number"], review["decision_date"], items,
                              tx.proposal_log(c.id, p.key))
