"""Reward proposals after a phase review, with amounts from the base-salary multiple valid on the decision date."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from scoring.domain.campaign import ScoringConfig, label_of
from scoring.domain.scoring import GATE_LABELS, Standing

# (valid from, base salary in đồng); each entry holds until the next one starts.
BASE_SALARY: tuple[tuple[date, int], ...] = (
    (date(2016, 5, 1), 1_210_000),
    (date(2017, 7, 1), 1_300_000),
    (date(2018, 7, 1), 1_390_000),
    (date(2019, 7, 1), 1_490_000),
    (date(2023, 7, 1), 1_800_000),
    (date(2024, 7, 1), 2_340_000),
)
GIAY_KHEN_CA_NHAN = "Giấy khen (cá nhân)"
GIAY_KHEN_TAP_THE = "Giấy khen (tập thể)"
LAO_DONG_TIEN_TIEN = "Lao động tiên tiến"
TAP_THE_LDTT = "Tập thể lao động tiên tiến"
CHIEN_SI_THI_DUA_CO_SO = "Chiến sĩ thi đua cơ sở"
MULTIPLES: dict[str, Decimal] = {
    LAO_DONG_TIEN_TIEN: Decimal("0.3"),
    CHIEN_SI_THI_DUA_CO_SO: Decimal("1.0"),
    GIAY_KHEN_CA_NHAN: Decimal("0.3"),
    GIAY_KHEN_TAP_THE: Decimal("0.6"),
    TAP_THE_LDTT: Decimal("0.8"),
}


def base_salary_on(day: date) -> int:
    amount = BASE_SALARY[0][1]
    for start, value in BASE_SALARY:
        if day >= start:
            amount = value
    return amount


def reward_amount(title: str, decision_date: date) -> int:
    """Multiple × base salary on the decision date, rounded to the đồng."""
    value = MULTIPLES[title] * base_salary_on(decision_date)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Proposal:
    kind: str
    subject: str
    name: str
    title: str
    amount_vnd: int
    criteria: tuple[str, ...]


def criteria_met(s: Standing, config: ScoringConfig) -> tuple[str, ...]:
    met = [GATE_LABELS[k] for k, ok in s.gates.items() if ok]
    for c in config.criteria:
        if c.weight != 0:
            met.append(f"{label_of(c)}: {_fmt(s.values[c.key])}")
    return tuple(met)


def _fmt(v: float) -> str:
    return f"{int(v)}" if v == int(v) else f"{v:.2f}".replace(".", ",")


def _top(standings: Sequence[Standing], n: int) -> list[Standing]:
    """The first n eligible by rank; whoever ties with the n-th is included too."""
    eligible = [s for s in standings if s.eligible]
    if n <= 0 or not eligible:
        return []
    cut = eligible[min(n, len(eligible)) - 1].rank
    return [s for s in eligible if s.rank <= cut]


def _proposal(s: Standing, title: str, config: ScoringConfig, decision_date: date) -> Proposal:
    t = s.tally
    return Proposal(t.kind, t.subject, t.name or t.subject, title, reward_amount(title, decision_date),
                    criteria_met(s, config))


def propose(
    units: Sequence[Standing], officers: Sequence[Standing], config: ScoringConfig, decision_date: date
) -> list[Proposal]:
    """Giấy khen for the top eligible officers and units, LĐTT candidates, and units qualifying as Tập thể LĐTT."""
    r = config.rewards
    out = [_proposal(s, GIAY_KHEN_CA_NHAN, config, decision_date) for s in _top(officers, r.officer_top_n)]
    out += [_proposal(s, GIAY_KHEN_TAP_THE, config, decision_date) for s in _top(units, r.unit_top_n)]
    ldtt = [s for s in officers if s.eligible and s.values["on_time_share"] >= r.ldtt_min_on_time_share]
    out += [_proposal(s, LAO_DONG_TIEN_TIEN, config, decision_date) for s in ldtt]
    ldtt_ids = {s.tally.subject for s in ldtt}
    for u in units:
        members = [s for s in officers if s.tally.unit == u.tally.subject]
        if not u.eligible or not members:
            continue
        share = 100.0 * sum(1 for m in members if m.tally.subject in ldtt_ids) / len(members)
        if share >= r.collective_min_ldtt_share:
            out.append(_proposal(u, TAP_THE_LDTT, config, decision_date))
    return out
