"""What every benchmark module shares: progress on stderr, one figure as a dict."""
from __future__ import annotations

import sys
from datetime import datetime
from typing import Any


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def figure(name: str, value: float, unit: str, baseline: float | None, ratio: float | None, goal: str | None,
           met: bool | None) -> dict[str, Any]:
    return {"name": name, "value": _round(value), "unit": unit, "baseline": _round(baseline),
            "ratio": _round(ratio), "goal": goal, "met": met}


def _round(x: float | None) -> float | None:
    if x is None:
        return None
    return round(x, 4) if abs(x) < 10 else round(x, 1)


def stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")
