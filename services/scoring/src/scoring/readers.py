"""Use cases that only read: per-step figures of a phase, form 06a, the national index by month."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scoring.domain import Campaign, CampaignError, Phase, StepFigures, charged, step_figures
from scoring.handlers import Repository, _campaign, _phase
from scoring.reports import IndexMonth, Period, Row06a, index_month


@dataclass(frozen=True)
class StepReport:
    campaign: Campaign
    phase: Phase
    state: str
    steps: list[StepFigures]


def step_report(repo: Repository, campaign_id: str, phase_key: str, *, unit: str | None = None,
                officer: str | None = None) -> StepReport:
    """Per-step figures of a phase, for one unit or officer if asked: live while open, frozen once closed."""
    with repo.transaction() as tx:
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
        counts = tx.frozen_steps(c.id, p.key)
        state = "open" if counts is None else "closed"
        if counts is None:
            counts = tx.step_counts(c, p)
    return StepReport(c, p, state, step_figures(charged(counts, c.config), unit=unit, officer=officer))



def report_06a(repo: Repository, agency: str, period: Period) -> list[Row06a]:
    if period.end < period.start:
        raise CampaignError("to", "ngày kết thúc trước ngày bắt đầu")
    with repo.transaction() as tx:
        return tx.form_06a(agency, period)  # type: ignore[no-any-return]


def report_index(repo: Repository, agency: str, year: int, today: date | None = None) -> list[IndexMonth]:
    last = 12 if today is None or today.year > year else today.month if today.year == year else 0
    with repo.transaction() as tx:
        return [index_month(tx.month_figures(agency, year, m)) for m in range(1, last + 1)]
