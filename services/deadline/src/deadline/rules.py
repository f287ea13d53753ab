"""The engine rules in force per dossier: the default, overridden per agency, then per procedure code."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from dunghan.deadline import Rules


@dataclass(frozen=True)
class RuleBook:
    """Engine rules by agency and procedure: the default, overridden per agency, then per procedure code."""

    default: Rules = field(default_factory=Rules)
    agencies: dict[str, dict[str, Any]] = field(default_factory=dict)
    procedures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_dossier(self, agency: str, procedure_code: str) -> Rules:
        overrides = {**self.agencies.get(agency, {}), **self.procedures.get(procedure_code, {})}
        return dataclasses.replace(self.default, **overrides) if overrides else self.default

    @classmethod
    def from_mapping(cls, raw: dict[str, Any] | None) -> RuleBook:
        """``{default: {...}, agencies: {CODE: {...}}, procedures: {CODE: {...}}}`` with Rules field names."""
        raw = raw or {}
        base = Rules()
        default = dataclasses.replace(base, **_coerce(base, raw.get("default") or {}))
        return cls(
            default=default,
            agencies={str(k): _coerce(base, v) for k, v in (raw.get("agencies") or {}).items()},
            procedures={str(k): _coerce(base, v) for k, v in (raw.get("procedures") or {}).items()},
        )


def _coerce(base: Rules, values: dict[str, Any]) -> dict[str, Any]:
    known = {f.name for f in dataclasses.fields(base)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    return {k: _like(getattr(base, k), v) for k, v in values.items()}


def _like(example: Any, value: Any) -> Any:
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        return time.fromisoformat(value)
    if isinstance(value, list | tuple):
        return tuple(_like(None, v) for v in value)
    if isinstance(example, float) and isinstance(value, int):
        return float(value)
    return value
