"""Campaigns, phases and the scoring configuration (criteria, weights, gates, reward rules) as plain data."""
from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from dunghan.contract.strict import FIRST_DAY, LAST_DAY, in_calendar
from scoring.errors import Refused

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

CRITERIA_LABELS = {
    "handled": "Số hồ sơ đã giải quyết",
    "early_share": "Tỷ lệ trước hạn (%)",
    "on_time_share": "Tỷ lệ trước hạn và đúng hạn (%)",
    "late": "Số hồ sơ quá hạn",
    "apologies": "Số văn bản xin lỗi",
    "repeat_supplements": "Số lần yêu cầu bổ sung hồ sơ quá một lần",
    "late_steps": "Số bước xử lý trễ",
    "steps": "Số bước xử lý đã thực hiện",
    "step_early_share": "Tỷ lệ bước xử lý trước hạn (%)",
    "step_on_time_share": "Tỷ lệ bước xử lý trước hạn và đúng hạn (%)",
}
FINAL_KEY = "tong-ket"
VOLUMES = ("handled", "steps")


class CampaignError(Refused, ValueError):
    """A campaign definition or a request on it that breaks the rules; ``field`` names the culprit."""


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
    officer_top_n: int = 3  # Giấy khen per comparable role
    unit_top_n: int = 1
    ldtt_min_on_time_share: float = 100.0
    collective_min_ldtt_share: float = 70.0
    unit_max_late_share: float = 5.0  # % of the unit's dossiers, and of its steps, that were late
    cstdcs_max_share_of_ldtt: float = 15.0


@dataclass(frozen=True)
class Role:
    """A group of comparable officers: the steps that make an officer one of them, how much they must have done
    (``volume``: dossiers ``handled`` or ``steps`` of the role) and what they are scored on."""

    key: str
    label: str
    steps: tuple[str, ...]
    min_volume: int
    volume: str = "steps"
    criteria: tuple[Criterion, ...] = ()
    proposable: bool = True
    max_late_step_share: float | None = None  # a gate: % of the officer's steps that were late

    def owns(self, step: str) -> bool:
        return step_matches(step, self.steps)


DEFAULT_CRITERIA = (
    Criterion("handled", 0.0), Criterion("early_share", 0.3), Criterion("on_time_share", 0.7),
    Criterion("late", -5.0), Criterion("apologies", -2.0), Criterion("repeat_supplements", -2.0),
    Criterion("late_steps", -1.0),
)


STEP_CRITERIA = (Criterion("step_early_share", 0.3), Criterion("step_on_time_share", 0.7),
                 Criterion("late_steps", -1.0))
DEFAULT_ROLES = (
    Role("mot_cua", "Bộ phận một cửa (tiếp nhận, trả kết quả)", ("tiếp nhận", "trả kết quả"), 20, "steps",
         STEP_CRITERIA),
    Role("chuyen_vien", "Chuyên viên thẩm định", ("thẩm định",), 5, "handled", DEFAULT_CRITERIA),
    Role("lanh_dao_phong", "Lãnh đạo phòng (phân công, xem xét hồ sơ của phòng)", ("phân công", "trưởng phòng"),
         10, "steps", STEP_CRITERIA),
)
DEFAULT_ROLE = "chuyen_vien"


@dataclass(frozen=True)
class Leadership:
    """Steps that belong to the department's leadership (the director's signature), whoever records them."""

    steps: tuple[str, ...] = ("lãnh đạo",)
    subject: str = "LANH-DAO-SO"
    name: str = "Lãnh đạo Sở"

    def owns(self, step: str) -> bool:
        return step_matches(step, self.steps)


def step_matches(step: str, names: tuple[str, ...]) -> bool:
    """A step belongs to a list when its name starts with one of the names (case-insensitive)."""
    s = step.strip().lower()
    return any(s.startswith(n.strip().lower()) for n in names)


@dataclass(frozen=True)
class ScoringConfig:
    criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
    gates: Gates = field(default_factory=Gates)
    rewards: RewardRules = field(default_factory=RewardRules)
    roles: tuple[Role, ...] = DEFAULT_ROLES
    default_role: str = DEFAULT_ROLE
    leadership: Leadership = field(default_factory=Leadership)

    def role(self, key: str) -> Role:
        for r in self.roles:
            if r.key == key:
                return r
        return self.roles[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "criteria": _criteria_json(self.criteria),
            "gates": asdict(self.gates),
            "rewards": asdict(self.rewards),
            "roles": [{"key": r.key, "label": r.label, "steps": list(r.steps), "min_volume": r.min_volume,
                       "volume": r.volume, "criteria": _criteria_json(r.criteria), "proposable": r.proposable,
                       "max_late_step_share": r.max_late_step_share}
                      for r in self.roles],
            "default_role": self.default_role,
            "leadership": {"steps": list(self.leadership.steps), "subject": self.leadership.subject,
                           "name": self.leadership.name},
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> ScoringConfig:
        raw = raw or {}
        if not isinstance(raw, dict):
            raise CampaignError("scoring", "cấu hình chấm điểm phải là một bảng khóa–giá trị")
        criteria = _criteria(raw.get("criteria"), "scoring.criteria", DEFAULT_CRITERIA)
        gates = _rules(Gates, raw.get("gates"), "scoring.gates")
        rewards = _rules(RewardRules, raw.get("rewards"), "scoring.rewards")
        try:
            lead: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                    for k, v in (raw.get("leadership") or {}).items()}
            leadership = Leadership(**lead)
        except (TypeError, AttributeError) as exc:
            raise CampaignError("scoring.leadership", f"cấu hình không hợp lệ: {exc}") from exc
        if raw.get("roles") is not None and not isinstance(raw["roles"], list):
            raise CampaignError("scoring.roles", "roles phải là một danh sách")
        roles = DEFAULT_ROLES if raw.get("roles") is None else tuple(
            _role(r, f"scoring.roles.{i}") for i, r in enumerate(raw["roles"]))
        if not roles or len({r.key for r in roles}) != len(roles):
            raise CampaignError("scoring.roles", "cần ít nhất một nhóm vai trò, mã không trùng nhau")
        default_role = str(raw.get("default_role") or (DEFAULT_ROLE if raw.get("roles") is None else roles[0].key))
        if default_role not in {r.key for r in roles}:
            raise CampaignError("scoring.default_role", f"không có nhóm vai trò {default_role!r}")
        return cls(criteria, gates, rewards, roles, default_role, leadership)


def _criteria_json(criteria: tuple[Criterion, ...]) -> list[dict[str, Any]]:
    return [{"key": c.key, "weight": c.weight, "label": label_of(c)} for c in criteria]


def _criteria(raw: Any, where: str, default: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
    if raw is None:
        return default
    if not isinstance(raw, list):
        raise CampaignError(where, "criteria phải là một danh sách")
    items = []
    for i, c in enumerate(raw):
        if not isinstance(c, dict) or c.get("key") not in CRITERIA_LABELS:
            raise CampaignError(f"{where}.{i}.key", f"tiêu chí không hợp lệ: {str(c)[:60]!r}")
        weight, label = c.get("weight", 0), c.get("label", "")
        if not _is_number(weight) or not isinstance(label, str) or len(label) > 200:
            raise CampaignError(f"{where}.{i}.weight", "trọng số phải là số, nhãn là chuỗi")
        items.append(Criterion(c["key"], float(weight), label))
    return tuple(items)


def _role(raw: Any, where: str) -> Role:
    if not isinstance(raw, dict):
        raise CampaignError(where, "mỗi nhóm vai trò phải là một bảng khóa–giá trị")
    for key in ("key", "label", "steps"):
        if not raw.get(key):
            raise CampaignError(f"{where}.{key}", f"thiếu trường {key}")
    volume = str(raw.get("volume", "steps"))
    if volume not in VOLUMES:
        raise CampaignError(f"{where}.volume", f"khối lượng tính theo {' hoặc '.join(VOLUMES)}")
    min_volume = raw.get("min_volume", 0)
    if not _is_number(min_volume) or not isinstance(min_volume, int):
        raise CampaignError(f"{where}.min_volume", "phải là số nguyên")
    default = DEFAULT_CRITERIA if volume == "handled" else STEP_CRITERIA
    return Role(str(raw["key"]), str(raw["label"]), tuple(str(s) for s in raw["steps"]),
                min_volume, volume,
                _criteria(raw.get("criteria"), f"{where}.criteria", default),
                bool(raw.get("proposable", True)),
                None if raw.get("max_late_step_share") is None else float(raw["max_late_step_share"]))


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
    final: bool = False


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    agency: str
    plan: str
    phases: tuple[Phase, ...]
    config: ScoringConfig = field(default_factory=ScoringConfig)
    final_review_date: date | None = None
    agency_name: str = ""
    union: str = ""

    @property
    def final(self) -> Phase:
        """The final review (tổng kết) of the whole campaign: every phase's window, after the last review."""
        return Phase(FINAL_KEY, f"Tổng kết chiến dịch “{self.name}”", min(p.starts_on for p in self.phases),
                     max(p.ends_on for p in self.phases),
                     self.final_review_date or max(p.review_date for p in self.phases), final=True)

    @property
    def reviews(self) -> tuple[Phase, ...]:
        """Every review: each phase's (sơ kết), then the final one (tổng kết)."""
        return (*self.phases, self.final)

    def phase(self, key: str) -> Phase:
        for p in self.reviews:
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
        if str(p["key"]) == FINAL_KEY:
            raise CampaignError(f"{where}.key", f"mã {FINAL_KEY!r} dành cho tổng kết chiến dịch")
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
    final_review = (_date(raw["final_review_date"], "final_review_date") if raw.get("final_review_date")
                    else None)
    if final_review is not None and final_review < max(p.review_date for p in phases):
        raise CampaignError("final_review_date", "ngày tổng kết trước ngày sơ kết đợt cuối")
    return Campaign(
        str(raw["id"]), str(raw["name"]), str(raw["agency"]), str(raw.get("plan", "")), tuple(phases),
        ScoringConfig.from_dict(raw.get("scoring")), final_review, str(raw.get("agency_name") or raw["agency"]),
        str(raw.get("union") or "Công đoàn cơ sở"),
    )


def campaign_to_dict(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id, "name": c.name, "agency": c.agency, "plan": c.plan,
        "phases": [
            {"key": p.key, "name": p.name, "starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat(),
             "review_date": p.review_date.isoformat()} for p in c.phases
        ],
        "scoring": c.config.to_json(),
        "final_review_date": c.final.review_date.isoformat(), "agency_name": c.agency_name, "union": c.union,
    }
