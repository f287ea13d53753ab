"""Use cases that only read: per-step figures of a phase, form 06a, the national index by month."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scoring.domain import Campaign, Phase, StepFigures, charged, step_figures
from scoring.form06a import Row06a
from scoring.handlers import Repository, _campaign, _phase
from scoring.periods import Period
from scoring.reports import IndexMonth, applies_766, index_month, indicator_notes


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
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
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
        months = [index_month(tx.month_figures(agency, year, m), with_766=with_766) for m in range(1, last + 1)]
        if last:
            months.append(index_month(tx.month_figures(agency, year, 0), with_766=with_766))
    return IndexReport(agency, year, applies_766(year), with_766, months, indicator_notes(year, with_766))


def campaign(repo: Repository, campaign_id: str) -> Campaign:
    """The campaign (``NotFound`` if there is none)."""
    with repo.uow as tx:
        return _campaign(tx, campaign_id)


def unit_names(repo: Repository, agency: str) -> dict[str, str]:
    with repo.uow as tx:
        return tx.unit_names(agency)  # type: ignore[no-any-return]


def campaigns(repo: Repository) -> list[tuple[Campaign, dict[str, str]]]:
    """Every campaign with the state of each of its phases."""
    with repo.uow as tx:
        return tx.list_campaigns()  # type: ignore[no-any-return]
