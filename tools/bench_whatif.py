"""What-if benchmark: a year of dossiers replayed under a proposal (and a full sweep of candidate durations) by
the prepared arrays, against the same run dossier by dossier with the scalar engine (``compute_clock``)."""
from __future__ import annotations

import dataclasses
import sys
import time as clock
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import figure, log
from whatif_demo import demo_facts

from deadline.whatif import Change, Proposal, prepare
from deadline.whatif.model import Period
from deadline.whatif.report import report
from dunghan.calendar import load_calendar
from dunghan.deadline import compute_clock

RUN_GOAL_S, SWEEP_GOAL_S = 5.0, 30.0
PROPOSAL = Proposal({"SCT-TM-01": Change(7, "working_days")})
YEAR = Period(date(2017, 1, 1), date(2017, 12, 31))


def scalar_outcomes(facts: list[Any], calendar: Any, proposal: Proposal) -> dict[str, str | None]:
    """The baseline: each dossier's clock recomputed under the proposal with the full engine, one by one."""
    from deadline.whatif.prepare import period_end

    now = period_end(YEAR, calendar)
    out = {}
    for d in facts:
        change = proposal.procedures.get(d.procedure.code)
        snap = d.procedure if change is None else dataclasses.replace(
            d.procedure, committed_value=change.committed_value, committed_unit=change.committed_unit)
        out[d.code] = compute_clock(d.events, snap, calendar, now, d.rules).outcome
    return out


def bench_whatif(n: int = 100_000, seed: int = 2017) -> list[dict[str, Any]]:
    calendar = load_calendar(years=range(2016, 2020))
    log(f"what-if: generating {n} dossiers")
    facts = demo_facts(n, seed, YEAR.first, YEAR.last, calendar)
    started = clock.perf_counter()
    prepared = prepare(facts, calendar, YEAR)
    result = report(prepared, PROPOSAL)
    run_s = clock.perf_counter() - started
    sweep_points = sum(len(p.get("curve", ())) for p in result["procedures"])
    # ``report`` already sweeps every procedure (1 … statutory); time that part on its own too.
    started = clock.perf_counter()
    report(prepared, Proposal({}))
    sweep_s = clock.perf_counter() - started
    sample = facts[: max(1, min(len(facts), 20_000))]
    started = clock.perf_counter()
    scalar = scalar_outcomes(sample, calendar, PROPOSAL)
    scalar_s = (clock.perf_counter() - started) * len(facts) / len(sample)
    # The same sweep dossier by dossier: every dossier of a procedure once per candidate duration.
    scalar_sweep_s = scalar_s / len(facts) * sum(
        p["dossiers"] * len(p.get("curve", ())) for p in result["procedures"])
    late = {d["code"] for d in result["late_dossiers"]}
    kept = set(prepared.codes)
    mismatch = sum(1 for code, outcome in scalar.items()
                   if code in kept and (outcome == "late") != (code in late))
    log(f"what-if: {prepared.size} dossiers, run {run_s:.2f}s, sweep ({sweep_points} points) {sweep_s:.2f}s, "
        f"scalar {scalar_s:.1f}s (extrapolated from {len(sample)}), {mismatch} disagreements")
    if mismatch:
        raise AssertionError(f"what-if and the scalar engine disagree on {mismatch} dossiers")
    return [
        figure("whatif_year_run_seconds", run_s, "s", scalar_s, scalar_s / run_s, f"<= {RUN_GOAL_S:g} s",
               run_s <= RUN_GOAL_S),
        figure("whatif_sweep_seconds", sweep_s, "s", scalar_sweep_s, scalar_sweep_s / sweep_s,
               f"<= {SWEEP_GOAL_S:g} s", sweep_s <= SWEEP_GOAL_S),
    ]


if __name__ == "__main__":
    import json

    for f in bench_whatif(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000):
        print(json.dumps(f, ensure_ascii=False))
