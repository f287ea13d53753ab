"""The "no change" check: a replay under today's durations must reproduce every recorded due instant and outcome."""
from __future__ import annotations

from typing import Any

from deadline.whatif.evaluate import NAMES, due_instant, evaluate
from deadline.whatif.prepare import Prepared


def no_change_mismatches(p: Prepared) -> list[dict[str, Any]]:
    """Dossiers whose recomputed original due instant or (resolved) outcome differs from the stored one; facts
    without a stored value are not compared on it."""
    e = evaluate(p, p.value, p.unit_code, p.cutoff)
    out = []
    for row, d in enumerate(p.facts):
        due = due_instant(p, row, int(e.due_pos[row]))
        outcome = NAMES[int(e.outcome[row])] if p.resolved[row] else None
        if (d.stored_original_due_at is not None and d.stored_original_due_at != due) or (
                p.resolved[row] and d.stored_outcome is not None and d.stored_outcome != outcome):
            out.append({"code": d.code, "stored_due_at": d.stored_original_due_at, "due_at": due,
                        "stored_outcome": d.stored_outcome, "outcome": outcome})
    return out
