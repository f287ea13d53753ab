"""The demo generator's year for the what-if tests (tools/whatif_demo.py), and the engine's answer per dossier."""
from __future__ import annotations

import dataclasses
import functools
import sys
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools"))

from whatif_demo import demo_facts  # noqa: E402

from deadline.whatif import DossierFacts, Proposal  # noqa: E402
from deadline.whatif.model import Period  # noqa: E402
from deadline.whatif.prepare import period_end  # noqa: E402
from dunghan.calendar import load_calendar  # noqa: E402
from dunghan.deadline import Clock, compute_clock  # noqa: E402

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
