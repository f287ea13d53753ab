"""Per-subject tallies, criteria values, weighted score, gates and competition ranking (1, 2, 2, 4)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from scoring.domain.campaign import ScoringConfig

Kind = Literal["unit", "officer"]
GATE_LABELS = {
    "min_handled": "Giải quyết đủ số hồ sơ tối thiểu",
    "no_late": "Không có hồ sơ quá hạn",
    "no_complaints": "Không có khiếu nại có cơ sở",
    "no_discipline": "Không bị kỷ luật",
}
UNIT_GATE_LABELS = {**GATE_LABELS, "no_discipline": "Không có cá nhân nào trong đơn vị bị kỷ luật"}


def gate_label(key: str, kind: str) -> str:
    """A gate's wording for one person or for a unit (a collective)."""
    return (UNIT_GATE_LABELS if kind == "unit" else GATE_LABELS)[key]


@dataclass(frozen=True)
class Tally:
    """What one unit or officer did in a phase (dossiers whose clock stopped in the phase window)."""

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

    def values(self) -> dict[str, float]:
        share = (lambda n: round(100.0 * n / self.handled, 2)) if self.handled else (lambda n: 0.0)
        return {
            "handled": float(self.handled),
            "early_share": share(self.early),
            "on_time_share": share(self.early + self.on_time),
            "late": float(self.late),
            "apologies": float(self.apologies),
            "repeat_supplements": float(self.repeat_supplements),
            "late_steps": float(self.late_steps),
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


def score_of(values: dict[str, float], config: ScoringConfig) -> float:
    return round(sum(c.weight * values[c.key] for c in config.criteria), 2)


def gates_of(t: Tally, config: ScoringConfig) -> dict[str, bool]:
    g = config.gates
    result = {
        "min_handled": t.handled >= g.min_handled,
        "no_late": t.late <= g.max_late,
        "no_complaints": t.complaints <= g.max_complaints,
    }
    if g.no_discipline:
        result["no_discipline"] = not t.disciplined
    return result


def rank(tallies: Iterable[Tally], config: ScoringConfig) -> list[Standing]:
    """Competition ranking by score: equal scores share a rank, the next rank skips (1, 2, 2, 4)."""
    scored = []
    for t in tallies:
        values = t.values()
        scored.append((score_of(values, config), t, values))
    scored.sort(key=lambda s: (-s[0], -s[1].handled, s[1].subject))
    out: list[Standing] = []
    for i, (score, t, values) in enumerate(scored):
        r = out[-1].rank if out and out[-1].score == score else i + 1
        out.append(Standing(r, t, score, values, gates_of(t, config)))
    return out
