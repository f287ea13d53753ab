"""intake's lifecycle facts, one entry each (``FactSpec``): the command its message loads into, where it takes the
dossier, what it changes, the canonical event it publishes. Adding a fact is one entry in ``opening`` or
``progress`` (and its event in ``dunghan.contract.events``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.domain import DossierState, Verdict
from intake.facts import opening, progress
from intake.facts.base import Fact, FactSpec

SPECS: dict[str, FactSpec[Any]] = {s.name: s for s in (*opening.SPECS, *progress.SPECS)}
FACTS = tuple(SPECS)


def spec_of(cmd: Fact) -> FactSpec[Any]:
    return SPECS[cmd.fact]


def decide(state: DossierState | None, fact: str, occurred_at: datetime) -> Verdict:
    """The lifecycle state machine: where ``fact`` takes a dossier in ``state`` (None: not known yet)."""
    return SPECS[fact].transition.verdict(state, occurred_at)


__all__ = ["FACTS", "SPECS", "Fact", "FactSpec", "decide", "spec_of"]
