"""The demo year as the deadline service holds it: each dossier's procedure snapshot and clock events (pure)."""
from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_data import Plan, load_plan

from deadline.whatif import DossierFacts
from dunghan.calendar import WorkCalendar
from dunghan.contract.events import ProcedureSnapshot, StepBudget
from dunghan.deadline import ClockEvent

KINDS = {
    "dossier.accepted": "accepted", "dossier.transferred": "transferred",
    "supplement.requested": "supplement_requested", "supplement.received": "supplement_received",
    "fee.requested": "fee_requested", "fee.paid": "fee_paid", "apology.issued": "apology_issued",
    "result.ready": "result_ready", "result.returned": "result_returned", "dossier.withdrawn": "withdrawn",
    "dossier.stopped": "stopped", "dossier.refused": "refused",
}
CATALOGUE = Path(__file__).resolve().parents[1] / "services/intake/src/intake/data/procedures_sct.yaml"


def catalogue_versions(path: Path = CATALOGUE) -> dict[str, list[tuple[date, date | None, ProcedureSnapshot]]]:
    """Every version of every procedure of the sample catalogue, numbered 1, 2, … in file order."""
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: dict[str, list[tuple[date, date | None, ProcedureSnapshot]]] = {}
    for m in doc["procedures"]:
        versions = out.setdefault(m["code"], [])
        stat, comm = m["statutory"], m.get("committed") or m["statutory"]
        snap = ProcedureSnapshot(
            code=m["code"], version=len(versions) + 1, name=m["name"], field=m["field"],
            committed_value=float(comm["value"]), committed_unit=comm.get("unit", "working_days"),
            statutory_value=float(stat["value"]), statutory_unit=stat.get("unit", "working_days"),
            cutoff=m.get("cutoff", "17:00"), pause_on_fee=bool(m.get("pause_on_fee", False)),
            steps=tuple(StepBudget(str(s["name"]), float(s["hours"])) for s in m.get("steps") or ()),
        )
        to = m.get("effective_to")
        versions.append((date.fromisoformat(str(m["effective_from"])),
                         date.fromisoformat(str(to)) if to else None, snap))
    return out


def snapshot_on(versions: list[tuple[date, date | None, ProcedureSnapshot]], day: date) -> ProcedureSnapshot:
    for first, last, snap in versions:
        if first <= day and (last is None or day < last):
            return snap
    return versions[-1][2]


def clock_event(f: dict[str, Any]) -> ClockEvent | None:
    kind = KINDS.get(f["fact"])
    if kind is None:
        return None
    new_due = f.get("new_due_date")
    return ClockEvent(kind=kind, at=datetime.fromisoformat(f["occurred_at"]), unit=f.get("unit"),
                      officer=f.get("officer"), step=f.get("step"),
                      new_due_date=date.fromisoformat(new_due) if new_due else None, decision=f.get("decision"),
                      event_id=f["event_id"])


def facts_of(plan: Plan, calendar: WorkCalendar) -> list[DossierFacts]:
    versions = catalogue_versions()
    out = []
    for d in plan.dossiers:
        events = tuple(e for e in (clock_event(f) for f in d.facts) if e is not None)
        if not events:
            continue
        snap = snapshot_on(versions[d.procedure], events[0].at.astimezone(calendar.tz).date())
        out.append(DossierFacts(code=d.code, agency=plan.agency, procedure=snap, events=events, unit=d.unit))
    return out


def demo_facts(n: int, seed: int, first: date, last: date, calendar: WorkCalendar) -> list[DossierFacts]:
    return facts_of(load_plan(n, seed, first, last, calendar=calendar, id_prefix=f"whatif{seed}"), calendar)
