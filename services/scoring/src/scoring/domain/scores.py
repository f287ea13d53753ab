"""Per-subject tallies, criteria values, weighted score, gates and competition ranking (1, 2, 2, 4).

Units are ranked together; officers within their comparable role (``Role``), each role with its own criteria
and minimum volume."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from scoring.domain.campaign import Criterion, Role, ScoringConfig

Kind = Literal["unit", "officer"]
GATE_LABELS = {
    "min_handled": "Giải quyết đủ số hồ sơ tối thiểu",
    "min_volume": "Đủ khối lượng công việc tối thiểu của nhóm",
    "no_late": "Không có hồ sơ quá hạn",
    "no_complaints": "Không có khiếu nại có cơ sở",
    "no_discipline": "Không bị kỷ luật",
    "within_late_share": "Tỷ lệ hồ sơ và bước xử lý trễ của đơn vị trong ngưỡng cho phép",
    "within_late_step_share": "Tỷ lệ bước xử lý trễ trong ngưỡng của nhóm",
}
UNIT_GATE_LABELS = {**GATE_LABELS, "no_discipline": "Không có cá nhân nào trong đơn vị bị kỷ luật"}


def gate_label(key: str, kind: str) -> str:
    """A gate's wording for one person or for a unit (a collective)."""
    return (UNIT_GATE_LABELS if kind == "unit" else GATE_LABELS)[key]


def _share(n: int, of: int) -> float:
    return round(100.0 * n / of, 2) if of else 0.0


@dataclass(frozen=True)
class Tally:
    """What one unit or officer did in a phase (dossiers whose clock stopped in the phase window, and the steps
    each performed in them)."""

    kind: Kind
    subject: str
    name: str = ""
    unit: str = ""
    handled: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    apologies: int = 0
    repeat_supplements: int = 0
    late_steps: int = 0
    complaints: int = 0
    disciplined: bool = False
    role: str = ""
    steps: int = 0  # steps of the role (an officer) or every step (a unit)
    steps_early: int = 0
    steps_on_time: int = 0

    def values(self) -> dict[str, float]:
        return {
            "handled": float(self.handled),
            "early_share": _share(self.early, self.handled),
            "on_time_share": _share(self.early + self.on_time, self.handled),
            "late": float(self.late),
            "apologies": float(self.apologies),
            "repeat_supplements": float(self.repeat_supplements),
            "late_steps": float(self.late_steps),
            "steps": float(self.steps),
            "step_early_share": _share(self.steps_early, self.steps),
            "step_on_time_share": _share(self.steps_early + self.steps_on_time, self.steps),
        }


@dataclass(frozen=True)
class Standing:
    rank: int
    tally: Tally
    score: float
    values: dict[str, float]
    gates: dict[str, bool] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return all(self.gates.values())


def score_of(values: dict[str, float], config: ScoringConfig | tuple[Criterion, ...]) -> float:
    criteria = config.criteria if isinstance(config, ScoringConfig) else config
    return round(sum(c.weight * values.get(c.key, 0.0) for c in criteria), 2)


def gates_of(t: Tally, config: ScoringConfig, role: Role | None = None) -> dict[str, bool]:
    g = config.gates
    if role is not None:
        volume = t.handled if role.volume == "handled" else t.steps
        result = {"min_volume": volume >= role.min_volume}
        if role.max_late_step_share is not None:
            result["within_late_step_share"] = (
                _share(t.late_steps, max(t.steps, t.late_steps)) <= role.max_late_step_share)
    else:
        result = {"min_handled": t.handled >= g.min_handled}
    result["no_late"] = t.late <= g.max_late
    result["no_complaints"] = t.complaints <= g.max_complaints
    if g.no_discipline:
        result["no_discipline"] = not t.disciplined
    if t.kind == "unit":
        limit = config.rewards.unit_max_late_share
        result["within_late_share"] = (_share(t.late, t.handled) <= limit
                                       and _share(t.late_steps, max(t.steps, t.late_steps)) <= limit)
    return result


def _ranked(tallies: Iterable[Tally], criteria: tuple[Criterion, ...],
            config: ScoringConfig, role: Role | None) -> list[Standing]:
    scored = []
    for t in tallies:
        values = t.values()
        scored.append((score_of(values, criteria), t, values))
    scored.sort(key=lambda s: (-s[0], -s[1].handled, -s[1].steps, s[1].subject))
    out: list[Standing] = []
    for i, (score, t, values) in enumerate(scored):
        r = out[-1].rank if out and out[-1].score == score else i + 1
        out.append(Standing(r, t, score, values, gates_of(t, config, role)))
    return out


def rank(tallies: Iterable[Tally], config: ScoringConfig) -> list[Standing]:
    """Competition ranking by score: equal scores share a rank, the next rank skips (1, 2, 2, 4). Officers with
    a role are ranked within it, by its criteria; the others (and units) together by the campaign's criteria."""
    items = list(tallies)
    plain = [t for t in items if t.kind == "unit" or not t.role]
    out = _ranked(plain, config.criteria, config, None) if plain else []
    for role in config.roles:
        members = [t for t in items if t.kind == "officer" and t.role == role.key]
        if members:
            out += _ranked(members, role.criteria, config, role)
    known = {r.key for r in config.roles}
    strays = [t for t in items if t.kind == "officer" and t.role and t.role not in known]
    if strays:
        out += _ranked(strays, config.criteria, config, None)
    return out
