"""Campaigns, phases and the scoring configuration (criteria, weights, gates, reward rules) as plain data."""
from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from dunghan.contract.strict import FIRST_DAY, LAST_DAY, in_calendar

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

CRITERIA_LABELS = {
    "handled": "Số hồ sơ đã giải quyết",
    "early_share": "Tỷ lệ trước hạn (%)",
    "on_time_share": "Tỷ lệ đúng hạn (%)",
    "late": "Số hồ sơ quá hạn",
    "apologies": "Số văn bản xin lỗi",
    "repeat_supplements": "Số lần yêu cầu bổ sung lần hai",
    "late_steps": "Số bước xử lý trễ",
}


class CampaignError(ValueError):
    """A campaign definition or a request on it that breaks the rules; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: float
    label: str = ""


@dataclass(frozen=True)
class Gates:
    min_handled: int = 5
    max_late: int = 0
    max_complaints: int = 0
    no_discipline: bool = True


@dataclass(frozen=True)
class RewardRules:
    officer_top_n: int = 3
    unit_top_n: int = 1
    ldtt_min_on_time_share: float = 100.0
    collective_min_ldtt_share: float = 70.0


DEFAULT_CRITERIA = (
    Criterion("handled", 0.0), Criterion("early_share", 0.3), Criterion("on_time_share", 0.7),
    Criterion("late", -5.0), Criterion("apologies", -2.0), Criterion("repeat_supplements", -2.0),
    Criterion("late_steps", -1.0),
)


@dataclass(frozen=True)
class ScoringConfig:
    criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
    gates: Gates = field(default_factory=Gates)
    rewards: RewardRules = field(default_factory=RewardRules)

    def to_json(self) -> dict[str, Any]:
        return {
            "criteria": [{"key": c.key, "weight": c.weight, "label": label_of(c)} for c in self.criteria],
            "gates": asdict(self.gates),
            "rewards": asdict(self.rewards),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> ScoringConfig:
        raw = raw or {}
        if not isinstance(raw, dict):
            raise CampaignError("scoring", "cấu hình chấm điểm phải là một bảng khóa–giá trị")
        criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
        if raw.get("criteria") is not None:
            if not isinstance(raw["criteria"], list):
                raise CampaignError("scoring.criteria", "criteria phải là một danh sách")
            items = []
            for i, c in enumerate(raw["criteria"]):
                where = f"scoring.criteria.{i}"
                if not isinstance(c, dict) or c.get("key") not in CRITERIA_LABELS:
                    raise CampaignError(f"{where}.key", f"tiêu chí không hợp lệ: {str(c)[:60]!r}")
                weight, label = c.get("weight", 0), c.get("label", "")
                if not _is_number(weight) or not isinstance(label, str) or len(label) > 200:
                    raise CampaignError(f"{where}.weight", "trọng số phải là số, nhãn là chuỗi")
                items.append(Criterion(c["key"], float(weight), label))
            criteria = tuple(items)
        return cls(criteria, _rules(Gates, raw.get("gates"), "scoring.gates"),
                   _rules(RewardRules, raw.get("rewards"), "scoring.rewards"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= 1e9


def _rules(cls: Any, raw: Any, where: str) -> Any:
    """``cls`` (a dataclass of numbers and flags) from ``raw``, each value of its default's type."""
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise CampaignError(where, "phải là một bảng khóa–giá trị")
    defaults = asdict(cls())
    for key, value in raw.items():
        if key not in defaults:
            raise CampaignError(f"{where}.{key}", "khóa không có trong cấu hình")
        expected = defaults[key]
        ok = isinstance(value, bool) if isinstance(expected, bool) else (
            _is_number(value) and (isinstance(value, int) or isinstance(expected, float)))
        if not ok:
            raise CampaignError(f"{where}.{key}", f"phải là {type(expected).__name__}")
    return cls(**{k: float(v) if isinstance(defaults[k], float) else v for k, v in raw.items()})


def label_of(c: Criterion) -> str:
    return c.label or CRITERIA_LABELS[c.key]


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    starts_on: date
    ends_on: date
    review_date: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    agency: str
    plan: str
    phases: tuple[Phase, ...]
    config: ScoringConfig = field(default_factory=ScoringConfig)

    def phase(self, key: str) -> Phase:
        for p in self.phases:
            if p.key == key:
                return p
        raise CampaignError("phase", f"không có đợt {key!r}")


def _date(value: Any, where: str) -> date:
    """``YYYY-MM-DD`` in ASCII digits (or a YAML date), within the calendar's years."""
    day: date | None = value if isinstance(value, date) and not isinstance(value, datetime) else None
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None or not in_calendar(day):
        raise CampaignError(where, f"ngày không hợp lệ (YYYY-MM-DD, {FIRST_DAY}–{LAST_DAY}): {str(value)[:40]!r}")
    return day


def campaign_from_dict(raw: dict[str, Any]) -> Campaign:
    """Build and check a campaign from a plain mapping (YAML file or API body)."""
    for key in ("id", "name", "agency", "phases"):
        if not raw.get(key):
            raise CampaignError(key, f"thiếu trường {key}")
    if not isinstance(raw["phases"], list):
        raise CampaignError("phases", "phases phải là một danh sách")
    phases = []
    for i, p in enumerate(raw["phases"]):
        where = f"phases.{i}"
        if not isinstance(p, dict):
            raise CampaignError(where, "mỗi đợt phải là một bảng khóa–giá trị")
        if not p.get("key") or not isinstance(p["key"], str | int) or len(str(p["key"])) > 50:
            raise CampaignError(f"{where}.key", "thiếu mã đợt (tối đa 50 ký tự)")
        phase = Phase(
            str(p["key"]), str(p.get("name") or f"Đợt {p['key']}"),
            _date(p.get("starts_on"), f"{where}.starts_on"), _date(p.get("ends_on"), f"{where}.ends_on"),
            _date(p.get("review_date"), f"{where}.review_date"),
        )
        if phase.ends_on < phase.starts_on:
            raise CampaignError(f"{where}.ends_on", "ngày kết thúc trước ngày bắt đầu")
        if phase.review_date < phase.ends_on:
            raise CampaignError(f"{where}.review_date", "ngày sơ kết trước ngày kết thúc đợt")
        phases.append(phase)
    ordered = sorted(phases, key=lambda ph: ph.starts_on)
    for a, b in itertools.pairwise(ordered):
        if b.starts_on <= a.ends_on:
            raise CampaignError("phases", f"các đợt {a.key} và {b.key} chồng lên nhau")
    if len({p.key for p in phases}) != len(phases):
        raise CampaignError("phases", "mã đợt trùng nhau")
    return Campaign(
        str(raw["id"]), str(raw["name"]), str(raw["agency"]), str(raw.get("plan", "")), tuple(phases),
        ScoringConfig.from_dict(raw.get("scoring")),
    )


def campaign_to_dict(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id, "name": c.name, "agency": c.agency, "plan": c.plan,
        "phases": [
            {"key": p.key, "name": p.name, "starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat(),
             "review_date": p.review_date.isoformat()} for p in c.phases
        ],
        "scoring": c.config.to_json(),
    }
