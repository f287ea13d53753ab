"""The "no change" check: a replay under today's durations reproduces every recorded due instant and outcome."""
from __future__ import annotations

from typing import Any

from deadline.whatif.evaluate import NAMES, due_instant, evaluate
from deadline.whatif.prepare import Prepared


def no_change_mismatches(p: Prepared) -> list[dict[str, Any]]:
    """Resolved dossiers whose recomputed original due instant or outcome differs from the stored one (a dossier
    still open at the period's end is left out: its stored due instant may count pauses after the period); facts
    without a stored value are not compared on it."""
    e = evaluate(p, p.value, p.unit_code, p.cutoff)
    out = []
    for row, d in enumerate(p.facts):
        if not p.resolved[row]:
            continue
        due = due_instant(p, row, int(e.due_pos[row]))
        outcome = NAMES[int(e.outcome[row])]
        if (d.stored_original_due_at is not None and d.stored_original_due_at != due) or (
                d.stored_outcome is not None and d.stored_outcome != outcome):
            out.append({"code": d.code, "stored_due_at": d.stored_original_due_at, "due_at": due,
                        "stored_outcome": d.stored_outcome, "outcome": outcome})
    return out
