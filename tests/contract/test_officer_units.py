"""Integration examples and demo data name each officer with the unit the sample organisation puts them in."""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ORG = yaml.safe_load((ROOT / "services/intake/src/intake/data/org_sct.yaml").read_text(encoding="utf-8"))
UNIT_OF = {o["code"]: u["code"] for u in ORG["units"] for o in u["officers"]}


def _mismatches(facts: list[dict]) -> list[tuple[str, str, str]]:
    return [(f["fact"], f["unit"], f["officer"]) for f in facts
            if f.get("unit") and f.get("officer") and UNIT_OF.get(f["officer"]) != f["unit"]]


def test_every_integration_example_names_an_officer_of_its_unit() -> None:
    folder = ROOT / "docs/integration/examples"
    examples = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")]
    assert _mismatches(examples) == []
    assert all(e["officer"] in UNIT_OF for e in examples if e.get("officer"))


def test_demo_year_names_each_officer_with_their_own_unit() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    from demo_data import load_plan

    plan = load_plan(400, 2017, date(2017, 1, 1), date(2017, 12, 31))
    assert _mismatches(plan.facts()) == []
