"""Demo data, pure: the catalogue and the org as the demo generator sees them (from intake's sample YAML)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from dunghan.deadline import Duration, parse_clock_time

# Where each field of the catalogue is handled: a keyword of the specialist unit's name.
FIELD_UNIT_KEYWORDS = {
    "Lưu thông hàng hóa trong nước": "thương mại", "Thương mại quốc tế": "thương mại",
    "Xúc tiến thương mại": "thương mại", "Điện": "năng lượng", "Kinh doanh khí": "năng lượng",
    "Hóa chất": "an toàn", "Vật liệu nổ công nghiệp": "an toàn", "An toàn thực phẩm": "an toàn",
    "Công nghiệp tiêu dùng": "công nghiệp", "Công nghiệp địa phương": "công nghiệp",
}

@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    duration: Duration
    cutoff: time
    channels: tuple[int, ...]
    steps: tuple[tuple[str, float], ...]  # (name, budget hours)
    effective_from: date
    effective_to: date | None
    abolished: bool

    def in_force(self, on: date) -> bool:
        return (not self.abolished and self.effective_from <= on
                and (self.effective_to is None or on < self.effective_to))


@dataclass(frozen=True)
class Unit:
    code: str
    head: str
    officers: tuple[str, ...]


@dataclass(frozen=True)
class Org:
    agency: str
    desk: Unit  # Bộ phận một cửa
    office: Unit | None  # Văn phòng: the director's signature goes through it
    specialist_units: tuple[Unit, ...]
    unit_names: dict[str, str]


def parse_catalogue(doc: dict[str, Any]) -> list[Procedure]:
    out = []
    for p in doc.get("procedures", []):
        committed = p.get("committed") or p["statutory"]
        out.append(Procedure(
            code=str(p["code"]), name=str(p["name"]), field=str(p["field"]),
            duration=Duration(float(committed["value"]), str(committed.get("unit", "working_days"))),
            cutoff=parse_clock_time(str(p.get("cutoff", "17:00"))),
            channels=tuple(int(c) for c in p.get("channels", (1, 2, 3))),
            steps=tuple((str(s["name"]), float(s["hours"])) for s in p.get("steps") or ()),
            effective_from=date.fromisoformat(str(p["effective_from"])),
            effective_to=date.fromisoformat(str(p["effective_to"])) if p.get("effective_to") else None,
            abolished=bool(p.get("abolished", False)),
        ))
    return out


def parse_org(doc: dict[str, Any]) -> Org:
    units, desk, office, names = [], None, None, {}
    for u in doc["units"]:
        unit = Unit(str(u["code"]), str(u["head"]), tuple(str(o["code"]) for o in u["officers"]))
        name = str(u["name"]).lower()
        names[unit.code] = str(u["name"])
        if "một cửa" in name:
            desk = unit
        elif name.startswith("văn phòng"):
            office = unit
        elif not name.startswith("thanh tra"):
            units.append(unit)
    if desk is None or not units:
        raise ValueError("the org needs a one-stop desk (Bộ phận một cửa) and at least one specialist unit")
    return Org(str(doc["agency"]["code"]), desk, office, tuple(units), names)


def unit_for(org: Org, field: str) -> Unit:
    keyword = FIELD_UNIT_KEYWORDS.get(field, "")
    for u in org.specialist_units:
        if keyword and keyword in org.unit_names[u.code].lower():
            return u
    return org.specialist_units[sum(map(ord, field)) % len(org.specialist_units)]
