"""End to end, as an integrator reads docs/integration: the desk previews the due date before accepting, the
dossier's clock later computes the same instant, a receipt with another date is flagged, and the example
publisher gets intake's reply."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from dunghan.clock import LOCAL_TZ
from dunghan.testing.polling import wait_until

from .conftest import SYSTEM_KEY, System

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
SEQ = random.Random().randint(8000, 9800)
PROCEDURE = "SCT-TM-01"


def past_working_day() -> date:
    """A working day of 2017: outside the periods test_system counts (its 06a and standings), and a dossier whose
    due date has passed is history to deadline (flagged, announced to nobody)."""
    return date(2017, 3, 6)


def accepted(n: int, when: datetime, appointment: str | None) -> dict[str, Any]:
    code = f"SCT-{when:%y%m%d}-{SEQ + n:04d}"
    fact = {"fact": "dossier.accepted", "event_id": f"e2e-contract-{code}", "code": code, "agency": "SCT",
            "occurred_at": when.isoformat(), "procedure_code": PROCEDURE, "channel": 1, "unit": "SCT-QLTM",
            "officer": "SCT-QLTM-02", "applicant": {"name": "Công ty TNHH Biển Xanh"}}
    return {**fact, "appointment_at": appointment} if appointment else fact


def resolve(system: System, *facts: dict[str, Any]) -> None:
    """Result ready the next morning: resolved in 2017, these dossiers are in no period test_system counts."""
    results = [{"fact": "result.ready", "event_id": f"{f['event_id']}-result", "code": f["code"], "agency": "SCT",
                "occurred_at": datetime.combine(date(2017, 3, 7), time(9), tzinfo=LOCAL_TZ).isoformat(),
                "decision": "approved"} for f in facts]
    assert [r["status"] for r in system.send(results)] == ["accepted"] * len(results)


def preview(system: System, when: datetime) -> dict[str, Any] | None:
    r = system.api("deadline", "GET", "/api/v1/due-date", key=SYSTEM_KEY,
                   params={"procedure": PROCEDURE, "accepted_at": when.isoformat(), "channel": 1})
    return r.json() if r.status_code == 200 else None


def clock(system: System, code: str) -> dict[str, Any] | None:
    r = system.api("deadline", "GET", f"/api/v1/dossiers/{code}/clock", key=SYSTEM_KEY)
    return r.json() if r.status_code == 200 and r.json().get("due_at") else None


def test_the_preview_is_the_due_instant_the_clock_computes_and_a_wrong_receipt_is_flagged(system: System) -> None:
    when = datetime.combine(past_working_day(), time(16, 45), tzinfo=LOCAL_TZ)
    shown = wait_until(lambda: preview(system, when), timeout=60, what="the catalogue announced to deadline")
    assert shown["receipt_text"].startswith("Hẹn trả kết quả: 17:00") and shown["explanation"]
    a_day_late = (datetime.fromisoformat(shown["due_at"]) + timedelta(days=1)).isoformat()
    right, wrong = accepted(1, when, shown["due_at"]), accepted(2, when, a_day_late)
    assert [r["status"] for r in system.send([right, wrong])] == ["accepted", "accepted"]
    for fact in (right, wrong):
        got = wait_until(lambda f=fact: clock(system, f["code"]), timeout=60, what=f"clock of {fact['code']}")
        assert datetime.fromisoformat(got["due_at"]) == datetime.fromisoformat(shown["due_at"])
        assert got["appointment_mismatch"] is (fact is wrong)
    listed = system.api("deadline", "GET", "/api/v1/appointment-mismatches", key=SYSTEM_KEY).json()
    assert wrong["code"] in {d["code"] for d in listed} and right["code"] not in {d["code"] for d in listed}
    resolve(system, right, wrong)


def test_the_example_publisher_gets_intakes_reply(system: System, tmp_path: Path) -> None:
    when = datetime.combine(past_working_day(), time(9, 30), tzinfo=LOCAL_TZ)
    path = tmp_path / "accepted.json"
    fact = accepted(3, when, None)
    path.write_text(json.dumps(fact, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "docs/integration/example_publisher.py"), str(path),
                             "--url", system.amqp_url, "--prefix", system.prefix, "--timeout", "30"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"status": "accepted"' in result.stdout and '"dossier_status": 2' in result.stdout
    resolve(system, fact)
