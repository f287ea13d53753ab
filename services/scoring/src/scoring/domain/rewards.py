"""Reward proposals after a phase review, with amounts from the base-salary multiple valid on the decision date."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from scoring.domain.campaign import ScoringConfig, label_of
from scoring.domain.scores import GATE_LABELS, UNIT_GATE_LABELS, Standing

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
    unit: str = ""
    role: str = ""


ANNUAL_TITLES = (LAO_DONG_TIEN_TIEN, CHIEN_SI_THI_DUA_CO_SO, TAP_THE_LDTT)
PHASE_TITLES = (GIAY_KHEN_CA_NHAN, GIAY_KHEN_TAP_THE)
NONE_LABELS = {
    "late": "Không có hồ sơ quá hạn",
    "apologies": "Không phải xin lỗi tổ chức, cá nhân vì trễ hạn",
    "repeat_supplements": "Không yêu cầu bổ sung hồ sơ lần thứ hai",
    "late_steps": "Không có bước xử lý trễ",
}


def titles_for(review_final: bool, kind: str) -> tuple[str, ...]:
    """The titles a review may propose: Giấy khen at a phase review; the annual titles too at the final one."""
    if kind == "unit":
        return (GIAY_KHEN_TAP_THE, TAP_THE_LDTT) if review_final else (GIAY_KHEN_TAP_THE,)
    if not review_final:
        return (GIAY_KHEN_CA_NHAN,)
    return (GIAY_KHEN_CA_NHAN, LAO_DONG_TIEN_TIEN, CHIEN_SI_THI_DUA_CO_SO)


def criteria_met(s: Standing, config: ScoringConfig) -> tuple[str, ...]:
    """What the subject achieved: the conditions passed and the merits; a penalty only as its absence."""
    labels = UNIT_GATE_LABELS if s.tally.kind == "unit" else GATE_LABELS
    met = [labels[k] for k, ok in s.gates.items() if ok and k != "no_late"]
    criteria = config.criteria
    if s.tally.kind == "officer" and s.tally.role in {r.key for r in config.roles}:
        criteria = config.role(s.tally.role).criteria
    for c in criteria:
        value = s.values.get(c.key, 0.0)
        if c.weight > 0 and value > 0:
            met.append(f"{label_of(c)}: {_fmt(value)}")
        elif c.weight < 0 and value == 0:
            met.append(NONE_LABELS.get(c.key, f"{label_of(c)}: 0"))
    if s.gates.get("no_late") and "Không có hồ sơ quá hạn" not in met:
        met.append("Không có hồ sơ quá hạn")
    return tuple(dict.fromkeys(met))


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
                    criteria_met(s, config), t.unit, t.role)


def _on_time_share(s: Standing, config: ScoringConfig) -> float:
    volume = config.role(s.tally.role).volume if s.tally.role else "handled"
    return s.values["on_time_share" if volume == "handled" else "step_on_time_share"]


def propose(
    units: Sequence[Standing], officers: Sequence[Standing], config: ScoringConfig, decision_date: date, *,
    final: bool = False,
) -> list[Proposal]:
    """At a phase review, Giấy khen for the top eligible officers of each role and the top eligible units. At
    the final review (tổng kết), the annual titles first (Lao động tiên tiến, Chiến sĩ thi đua cơ sở within its
    share of the LĐTT holders, Tập thể lao động tiên tiến), then Giấy khen for the top who got no title: one
    proposal per subject and review, the highest form reached (one achievement is rewarded once)."""
    r = config.rewards
    proposable = {role.key for role in config.roles if role.proposable}
    people = [s for s in officers if s.tally.role in proposable or not s.tally.role]
    chosen: dict[tuple[str, str], Proposal] = {}
    if final:
        ldtt = [s for s in people if s.eligible and _on_time_share(s, config) >= r.ldtt_min_on_time_share]
        cap = int(len(ldtt) * r.cstdcs_max_share_of_ldtt / 100.0)
        best = sorted(ldtt, key=lambda s: (s.rank, -s.score, s.tally.subject))[:cap]
        best_ids = {s.tally.subject for s in best}
        for s in ldtt:
            title = CHIEN_SI_THI_DUA_CO_SO if s.tally.subject in best_ids else LAO_DONG_TIEN_TIEN
            chosen[("officer", s.tally.subject)] = _proposal(s, title, config, decision_date)
        ldtt_ids = {s.tally.subject for s in ldtt}
        for u in units:
            members = [s for s in people if s.tally.unit == u.tally.subject]
            if not u.eligible or not members:
                continue
            share = 100.0 * sum(1 for m in members if m.tally.subject in ldtt_ids) / len(members)
            if share >= r.collective_min_ldtt_share:
                chosen[("unit", u.tally.subject)] = _proposal(u, TAP_THE_LDTT, config, decision_date)
    roles = [role.key for role in config.roles if role.proposable] + ([""] if any(
        not s.tally.role for s in people) else [])
    for role in roles:
        for s in _top([x for x in people if x.tally.role == role], r.officer_top_n):
            chosen.setdefault(("officer", s.tally.subject), _proposal(s, GIAY_KHEN_CA_NHAN, config, decision_date))
    for s in _top(units, r.unit_top_n):
        chosen.setdefault(("unit", s.tally.subject), _proposal(s, GIAY_KHEN_TAP_THE, config, decision_date))
    return list(chosen.values())
