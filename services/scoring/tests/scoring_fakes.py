"""The in-memory fake of scoring's storage port (``scoring.ports``), held to the SQL adapter by
``test_port_contract.py``.

The report queries (``tallies``, ``step_counts``, ``form_06a``, ``index_figures``) aggregate in SQL; the fake
returns what a test sets in ``live_tallies`` / ``live_steps`` instead, and those queries are tested on
PostgreSQL only.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from proposal_fakes import FakeProposalStore
from sqlalchemy.exc import IntegrityError

from dunghan.contract.envelope import CloudEvent
from dunghan.contract.events import DossierAccepted, DossierClassified, DueDateSet
from dunghan.testing.uow import SnapshotUnitOfWork
from scoring.domain import (
    FINAL_KEY,
    Campaign,
    Phase,
    Proposal,
    Standing,
    StepCount,
    Tally,
    campaign_from_dict,
    campaign_to_dict,
)
from scoring.ports import AlreadyExists


@dataclass
class State:
    inbox: set[tuple[str, str]] = field(default_factory=set)
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: dict[str, list[Any]] = field(default_factory=dict)
    intake: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    names: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    phase_states: dict[tuple[str, str], str] = field(default_factory=dict)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    closures: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    results: dict[tuple[str, str], list[Standing]] = field(default_factory=dict)
    frozen_steps: dict[tuple[str, str], list[StepCount]] = field(default_factory=dict)
    complaints: list[dict[str, Any]] = field(default_factory=list)
    discipline: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[CloudEvent] = field(default_factory=list)
    live_tallies: tuple[list[Tally], list[Tally]] = ([], [])
    live_steps: list[StepCount] = field(default_factory=list)
    rows: dict[str, Any] = field(default_factory=dict)  # the proposal store's (FakeProposalStore)


class FakeTx(FakeProposalStore):
    def __init__(self, state: State) -> None:
        self.s = state
        self.rows = state.rows

    def inbox_accept(self, source: str, event_id: str) -> bool:
        if (source, event_id) in self.s.inbox:
            return False
        self.s.inbox.add((source, event_id))
        return True

    def inbox_accept_many(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        return {k for k in dict.fromkeys(keys) if self.inbox_accept(*k)}

    def add_outbox(self, ce: CloudEvent) -> None:
        self.s.outbox.append(ce)

    def _upsert(self, code: str, values: dict[str, Any], update: tuple[str, ...]) -> None:
        """As ``upsert_statement(dossiers, update)``: a new row takes every value, a known one only ``update``."""
        row = self.s.dossiers.get(code)
        if row is None:
            self.s.dossiers[code] = {"waiting_supplement": False, "outcome": None, **values}
        else:
            row.update({k: values[k] for k in update})

    def record_accepted(self, ev: DossierAccepted) -> None:
        self._upsert(ev.code, {"agency": ev.agency, "unit": ev.unit, "officer": ev.officer,
                               "procedure_code": ev.procedure.code, "procedure_field": ev.procedure.field,
                               "channel": ev.channel, "accepted_at": ev.occurred_at}, ("channel", "accepted_at"))

    def record_intake(self, code: str, kind: str, agency: str, channel: int | None, at: datetime,
                      unit: str | None = None) -> None:
        self.s.intake.setdefault((code, kind), {"agency": agency, "channel": channel, "occurred_at": at,
                                                "unit": unit})

    def record_due(self, ev: DueDateSet, waiting: bool, accepted_at: datetime) -> None:
        self._upsert(ev.code, {"agency": ev.agency, "unit": ev.unit, "officer": ev.officer,
                               "accepted_at": accepted_at, "due_at": ev.due_at,
                               "original_due_at": ev.original_due_at, "waiting_supplement": waiting},
                     ("due_at", "original_due_at", "waiting_supplement"))

    def record_classified(self, ev: DossierClassified, repeat_supplements: int, at: datetime) -> str | None:
        previous = self.s.dossiers.get(ev.code, {}).get("outcome")
        values = {"agency": ev.agency, "unit": ev.unit, "officer": ev.officer, "outcome": ev.outcome,
                  "stopped_at": ev.stopped_at, "repeat_supplements": repeat_supplements, "classified_at": at,
                  "due_at": ev.due_at, "original_due_at": ev.original_due_at or ev.due_at,
                  "waiting_supplement": False}
        self._upsert(ev.code, values, tuple(values))
        self.s.steps[ev.code] = list(ev.steps)
        return previous  # type: ignore[no-any-return]

    def set_waiting(self, code: str, waiting: bool) -> None:
        if code in self.s.dossiers:
            self.s.dossiers[code]["waiting_supplement"] = waiting

    def upsert_name(self, kind: str, subject: str, agency: str, name: str, unit: str | None) -> None:
        self.s.names[(kind, subject)] = {"agency": agency, "name": name, "unit": unit}

    def phases_covering(self, agency: str, day: date) -> list[tuple[str, str, str]]:
        found = [(c.id, p.key, self.s.phase_states[(c.id, p.key)]) for c in self._campaigns()
                 if c.agency == agency for p in c.reviews if p.starts_on <= day <= p.ends_on]
        return sorted(found)

    def add_correction(self, campaign_id: str, phase: str, ev: DossierClassified, event_id: str,
                       previous: str | None, at: datetime) -> None:
        self.s.corrections.append({
            "id": len(self.s.corrections) + 1, "campaign_id": campaign_id, "phase": phase, "code": ev.code,
            "event_id": event_id, "unit": ev.unit, "officer": ev.officer, "outcome": ev.outcome,
            "previous_outcome": previous, "stopped_at": ev.stopped_at, "recorded_at": at,
            "steps": [{"step": s.step, "unit": s.unit, "officer": s.officer, "outcome": s.outcome,
                       "due_at": s.due_at.isoformat(), "ended_at": s.ended_at.isoformat()} for s in ev.steps]})

    def _campaigns(self) -> list[Campaign]:
        return [campaign_from_dict(copy.deepcopy(raw)) for _, raw in sorted(self.s.campaigns.items())]

    def save_campaign(self, c: Campaign) -> None:
        if c.id in self.s.campaigns:
            raise AlreadyExists(c.id)
        self.s.campaigns[c.id] = campaign_to_dict(c)
        for p in c.reviews:
            self.s.phase_states[(c.id, p.key)] = "open"

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        raw = self.s.campaigns.get(campaign_id)
        return campaign_from_dict(copy.deepcopy(raw)) if raw else None

    def list_campaigns(self) -> list[tuple[Campaign, dict[str, str]]]:
        return [(c, {p.key: self.s.phase_states[(c.id, p.key)] for p in c.reviews}) for c in self._campaigns()]

    def lock_phase(self, campaign_id: str, key: str) -> str | None:
        return self.s.phase_states.get((campaign_id, key))

    def phases_due(self, today: date, not_before: date | None = None) -> list[tuple[str, str]]:
        due = [(p.review_date, c.id, p.key == FINAL_KEY, p.starts_on, p.key) for c in self._campaigns()
               for p in c.reviews if self.s.phase_states[(c.id, p.key)] == "open" and p.review_date <= today
               and (not_before is None or p.review_date >= not_before)]
        return [(row[1], row[4]) for row in sorted(due)]

    def tallies(self, campaign: Campaign, phase: Phase) -> tuple[list[Tally], list[Tally]]:
        return self.s.live_tallies

    def step_counts(self, campaign: Campaign, phase: Phase) -> list[StepCount]:
        return list(self.s.live_steps)

    def add_complaint(self, campaign: Campaign, values: dict[str, Any]) -> int:
        self.s.complaints.append({"campaign_id": campaign.id, "agency": campaign.agency, **values})
        return len(self.s.complaints)

    def add_discipline(self, campaign: Campaign, values: dict[str, Any]) -> int:
        self.s.discipline.append({"campaign_id": campaign.id, **values})
        return len(self.s.discipline)

    def freeze(self, campaign: Campaign, phase: Phase, standings: list[Standing], proposals: list[Proposal],
               closed_at: datetime, closed_by: str, event_id: str, steps: list[StepCount] | None = None) -> None:
        key = (campaign.id, phase.key)
        if key in self.s.closures:
            raise IntegrityError("INSERT INTO phase_closures", {}, Exception("uq_phase_closures_once"))
        self.s.closures[key] = {"campaign_id": campaign.id, "phase": phase.key, "closed_at": closed_at,
                                "closed_by": closed_by, "config": campaign.config.to_json(),
                                "proposals": [asdict(p) for p in proposals], "event_id": event_id}
        self.s.results[key] = list(standings)
        self.s.frozen_steps[key] = list(steps or [])
        self.s.phase_states[key] = "closed"

    def frozen(self, campaign_id: str, phase: str, kind: str) -> tuple[dict[str, Any], list[Standing]] | None:
        closure = self.s.closures.get((campaign_id, phase))
        if closure is None:
            return None
        standings = [s for s in self.s.results[(campaign_id, phase)] if s.tally.kind == kind]
        return dict(closure), sorted(standings, key=lambda s: (s.rank, s.tally.subject))

    def frozen_steps(self, campaign_id: str, phase: str) -> list[StepCount] | None:
        if (campaign_id, phase) not in self.s.closures:
            return None
        return sorted(self.s.frozen_steps[(campaign_id, phase)],
                      key=lambda s: (s.position, s.step, s.unit, s.officer))

    def corrections(self, campaign_id: str, phase: str) -> list[dict[str, Any]]:
        return [dict(c) for c in self.s.corrections if (c["campaign_id"], c["phase"]) == (campaign_id, phase)]


class FakeUow(SnapshotUnitOfWork[FakeTx]):
    """A transaction is a snapshot of the repository's state, put back on rollback."""

    def __init__(self, repo: FakeRepository) -> None:
        super().__init__(repo, FakeTx)


class FakeRepository:
    """Records everything (``state``); a unit of work that raises leaves the state as it was, like SQL."""

    def __init__(self) -> None:
        self.state = State()
        self.uow = FakeUow(self)
