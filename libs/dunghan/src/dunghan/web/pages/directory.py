"""The organisation as the pages see it: who an officer is, their unit, agency and role (pure, no I/O here but
``load_directory``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PAGE_ROLES = ("officer", "unit_head", "union", "leadership", "operator")
ROLE_LABELS = {"officer": "Cán bộ", "unit_head": "Trưởng đơn vị", "union": "Công đoàn",
               "leadership": "Lãnh đạo", "operator": "Vận hành"}


@dataclass(frozen=True)
class Person:
    code: str
    agency: str
    unit: str
    full_name: str
    role: str
    email: str = ""
    title: str = ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class Directory:
    people: tuple[Person, ...] = ()
    unit_names: tuple[tuple[str, str], ...] = ()

    def by_code(self, code: str) -> Person | None:
        return next((p for p in self.people if p.code == code), None)

    def by_claim(self, claim: str, value: str) -> Person | None:
        """The officer an identity provider's claim names: the e-mail (case-insensitive) or the officer code."""
        value = (value or "").strip()
        if not value:
            return None
        if claim == "email":
            return next((p for p in self.people if p.email and p.email.lower() == value.lower()), None)
        return self.by_code(value)

    def unit_name(self, unit: str) -> str:
        return dict(self.unit_names).get(unit, unit)

    def name_of(self, code: str) -> str:
        p = self.by_code(code)
        return p.full_name if p else code


def parse_roles(spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in spec.replace("\n", ";").replace(",", ";").split(";"):
        if not raw.strip():
            continue
        code, _, role = (x.strip() for x in raw.partition(":"))
        if role not in PAGE_ROLES:
            raise ValueError(f"PAGES_ROLES: {code}: vai trò phải là một trong {', '.join(PAGE_ROLES)}")
        out[code] = role
    return out


def directory_from_org(org: dict[str, Any], roles: dict[str, str]) -> Directory:
    """Roles from the organisation: a unit's head is ``unit_head``, the union's contact ``union``; ``roles``
    (PAGES_ROLES) names the leadership and the operators, and may override either."""
    agency = str(org["agency"]["code"])
    union_contact = str((org.get("union") or {}).get("contact") or "")
    people: list[Person] = []
    names: list[tuple[str, str]] = []
    for unit in org.get("units") or []:
        names.append((str(unit["code"]), str(unit["name"])))
        for o in unit.get("officers") or []:
            code = str(o["code"])
            role = "unit_head" if code == unit.get("head") else "union" if code == union_contact else "officer"
            people.append(Person(code=code, agency=agency, unit=str(unit["code"]), full_name=str(o["full_name"]),
                                 role=roles.get(code, role), email=str(o.get("email") or ""),
                                 title=str(o.get("title") or "")))
    return Directory(tuple(people), tuple(names))


def load_directory(path: str, roles_spec: str = "") -> Directory:
    if not path:
        return Directory()
    return directory_from_org(yaml.safe_load(Path(path).read_text(encoding="utf-8")), parse_roles(roles_spec))
