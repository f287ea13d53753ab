"""The demo generator's year for the what-if tests (tools/whatif_demo.py), and the engine's answer per dossier."""
from __future__ import annotations

import dataclasses
import functools
import sys
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools"))

from whatif_demo import demo_facts

from deadline.whatif import DossierFacts, Proposal
from deadline.whatif.model import Period
from deadline.whatif.prepare import period_end
from dunghan.calendar import load_calendar
from dunghan.deadline import Clock, compute_clock

CALENDAR = load_calendar(years=range(2016, 2020))
YEAR = Period(date(2017, 1, 1), date(2017, 12, 31))


@functools.lru_cache(maxsize=4)
def year(n: int = 700, seed: int = 2017) -> tuple[DossierFacts, ...]:
    return tuple(demo_facts(n, seed, YEAR.first, YEAR.last, CALENDAR))


def engine_clock(d: DossierFacts, proposal: Proposal, period: Period = YEAR) -> Clock:
    """What the scalar engine says for one dossier under the proposal, as of the period's end."""
    change = proposal.procedures.get(d.procedure.code)
    snap = d.procedure
    if change is not None:
        snap = dataclasses.replace(snap, committed_value=change.committed_value,
                                   committed_unit=change.committed_unit,  # type: ignore[arg-type]
                                   cutoff=change.cutoff.strftime("%H:%M") if change.cutoff else snap.cutoff)
    rules = d.rules
    overrides: dict[str, Any] = {}
    if proposal.windows:
        overrides["windows"] = proposal.windows
    if proposal.cutoff and not (change and change.cutoff):
        overrides["cutoff"] = proposal.cutoff
    if change and change.cutoff:
        overrides["cutoff"] = change.cutoff
    rules = dataclasses.replace(rules, **overrides) if overrides else rules
    return compute_clock(d.events, snap, CALENDAR, period_end(period, CALENDAR), rules)


def canonical_events(d: DossierFacts) -> list[Any]:
    """The dossier's clock events as the canonical events intake publishes (what the deadline service consumes)."""
    from dunghan.contract import events as ev

    common = {"code": d.code, "agency": d.agency}
    out: list[Any] = []
    for e in d.events:
        at = {"occurred_at": e.at}
        if e.kind == "accepted":
            out.append(ev.DossierAccepted(**common, **at, unit=e.unit or "", officer=e.officer or "",
                                          procedure=d.procedure, channel=2, applicant_name="", step=e.step,
                                          history=True))
        elif e.kind == "transferred":
            out.append(ev.DossierTransferred(**common, **at, unit=e.unit or "", officer=e.officer or "",
                                             step=e.step))
        elif e.kind == "apology_issued":
            assert e.new_due_date is not None
            out.append(ev.ApologyIssued(**common, **at, new_due_date=e.new_due_date))
        elif e.kind == "result_ready":
            out.append(ev.ResultReady(**common, **at, decision=e.decision or "approved"))  # type: ignore[arg-type]
        else:
            cls = {"supplement_requested": ev.SupplementRequested, "supplement_received": ev.SupplementReceived,
                   "fee_requested": ev.FeeRequested, "fee_paid": ev.FeePaid, "result_returned": ev.ResultReturned,
                   "withdrawn": ev.DossierWithdrawn, "stopped": ev.DossierStopped, "refused": ev.DossierRefused}
            out.append(cls[e.kind](**common, **at))
    return out


def feed(facts: tuple[DossierFacts, ...], repo: Any, deps: Any) -> None:
    """Every event through the deadline service's own handler, in time order (as the consumer sees them)."""
    from deadline_factories import cloud

    from deadline import handlers

    stream = sorted(((e.occurred_at, d.code, i, e) for d in facts for i, e in enumerate(canonical_events(d))),
                    key=lambda x: (x[0], x[1], x[2]))
    for at, code, i, e in stream:
        handlers.handle_event(cloud(e, f"whatif-{code}-{i}"), repo, deps, at)
