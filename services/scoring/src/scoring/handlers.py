"""Use cases: apply events, campaigns, standings, closing a phase, complaints and discipline, reports."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from dunghan.clock import LOCAL_TZ
from dunghan.contract.envelope import CloudEvent, envelope_for
from dunghan.contract.events import (
    DossierAccepted,
    DossierClassified,
    DossierRefused,
    DossierSubmitted,
    DossierTransferred,
    DueDateSet,
    Event,
    OfficerUpdated,
    PhaseClosed,
    RewardProposal,
    StandingEntry,
    SupplementReceived,
    SupplementRequested,
    UnitUpdated,
)
from scoring.awards import correction_flags, correction_notes, draft_proposals
from scoring.domain import (
    Campaign,
    CampaignError,
    Phase,
    Proposal,
    Standing,
    StepFigures,
    campaign_from_dict,
    charged,
    propose,
    rank,
    step_figures,
)
from scoring.ports import AlreadyExists, Campaigns, Facts, Repository
from scoring.rules import rules_text

WAITING_REASONS = frozenset({"supplement_requested", "supplement_paused", "paused"})
REPEAT_SUPPLEMENT = "second_supplement_request"
SYSTEM = "hệ thống"


class NotFound(LookupError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def local_day(instant: datetime) -> date:
    return instant.astimezone(LOCAL_TZ).date()


# ---- events ----

def on_accepted(tx: Facts, ev: DossierAccepted, ce: CloudEvent, now: datetime) -> None:
    tx.record_accepted(ev)
    tx.record_move(ev.code, ev.occurred_at, "holder", ev.unit)


def on_transferred(tx: Facts, ev: DossierTransferred, ce: CloudEvent, now: datetime) -> None:
    tx.record_move(ev.code, ev.occurred_at, "holder", ev.unit)


def on_submitted(tx: Facts, ev: DossierSubmitted, ce: CloudEvent, now: datetime) -> None:
    tx.record_intake(ev.code, "submitted", ev.agency, ev.channel, ev.occurred_at)


def on_refused(tx: Facts, ev: DossierRefused, ce: CloudEvent, now: datetime) -> None:
    tx.record_intake(ev.code, "refused", ev.agency, ev.channel, ev.occurred_at, ev.unit)


def on_due_date_set(tx: Facts, ev: DueDateSet, ce: CloudEvent, now: datetime) -> None:
    # accepted_at only fills a row this creates (a due date before the acceptance reached scoring)
    tx.record_due(ev, ev.reason in WAITING_REASONS, ce.time)


def on_supplement_requested(tx: Facts, ev: SupplementRequested, ce: CloudEvent, now: datetime) -> None:
    tx.set_waiting(ev.code, True)
    tx.record_move(ev.code, ev.occurred_at, "waiting")


def on_supplement_received(tx: Facts, ev: SupplementReceived, ce: CloudEvent, now: datetime) -> None:
    tx.set_waiting(ev.code, False)
    tx.record_move(ev.code, ev.occurred_at, "resumed")


def on_unit_updated(tx: Facts, ev: UnitUpdated, ce: CloudEvent, now: datetime) -> None:
    tx.upsert_name("unit", ev.unit, ev.agency, ev.name, ev.unit)


def on_officer_updated(tx: Facts, ev: OfficerUpdated, ce: CloudEvent, now: datetime) -> None:
    tx.upsert_name("officer", ev.officer, ev.agency, ev.full_name, ev.unit)


def repeat_supplements(ev: DossierClassified) -> int:
    return max(ev.supplement_requests - 1, 0) or int(REPEAT_SUPPLEMENT in ev.violations)


def on_classified(tx: Facts, ev: DossierClassified, ce: CloudEvent, now: datetime) -> None:
    """Store the classification; for a phase already closed, record it as a correction beside the result."""
    previous = tx.record_classified(ev, repeat_supplements(ev), now)
    for campaign_id, phase, state in tx.phases_covering(ev.agency, local_day(ev.stopped_at)):
        if state == "closed":
            tx.add_correction(campaign_id, phase, ev, ce.id, previous, now)


EVENT_HANDLERS: dict[type[Event], Callable[[Facts, Any, CloudEvent, datetime], None]] = {
    DossierAccepted: on_accepted,
    DossierTransferred: on_transferred,
    DossierSubmitted: on_submitted,
    DossierRefused: on_refused,
    DueDateSet: on_due_date_set,
    SupplementRequested: on_supplement_requested,
    SupplementReceived: on_supplement_received,
    DossierClassified: on_classified,
    UnitUpdated: on_unit_updated,
    OfficerUpdated: on_officer_updated,
}


def handle_event(repo: Repository, ce: CloudEvent, ev: Event, now: datetime, *, new: bool | None = None) -> bool:
    """Apply one event with its inbox row in the same transaction; False if it was seen before or not ours.
    ``new``: the inbox row was inserted already (a consumer batch's, in one statement), and whether it was new."""
    handler = EVENT_HANDLERS.get(type(ev))
    if handler is None:
        return True
    with repo.uow as tx:
        if not (tx.inbox_accept(ce.source, ce.id) if new is None else new):
            return False
        handler(tx, ev, ce, now)
    return True


# ---- campaigns ----

def create_campaign(repo: Repository, raw: dict[str, Any]) -> Campaign:
    campaign = campaign_from_dict(raw)
    with repo.uow as tx:
        try:
            tx.save_campaign(campaign)
        except AlreadyExists as exc:
            raise Conflict("id", f"chiến dịch {campaign.id!r} đã có") from exc
    return campaign


def load_campaign_file(repo: Repository, path: str, *, if_absent: bool = True) -> Campaign | None:
    """Load a YAML campaign; with ``if_absent``, a campaign already stored is left as it is (returns None)."""
    import yaml

    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    if if_absent:
        with repo.uow as tx:
            if tx.get_campaign(str(raw.get("id"))) is not None:
                return None
    try:
        return create_campaign(repo, raw)
    except Conflict:
        if not if_absent:
            raise
        return None  # the web and the worker start together: the other one stored it meanwhile


def _campaign(tx: Campaigns, campaign_id: str) -> Campaign:
    c: Campaign | None = tx.get_campaign(campaign_id)
    if c is None:
        raise NotFound("campaign", f"không có chiến dịch {campaign_id!r}")
    return c


def _phase(c: Campaign, key: str) -> Phase:
    try:
        return c.phase(key)
    except CampaignError as exc:
        raise NotFound("phase", exc.message) from exc


@dataclass(frozen=True)
class Standings:
    campaign: Campaign
    phase: Phase
    state: str
    kind: str
    entries: list[Standing]
    config: dict[str, Any]
    closed_at: datetime | None = None
    proposals: list[dict[str, Any]] = field(default_factory=list)
    steps: list[StepFigures] = field(default_factory=list)
    flags: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)


def _live(tx: Campaigns, c: Campaign, p: Phase) -> tuple[list[Standing], list[Standing]]:
    unit_tallies, officer_tallies = tx.tallies(c, p)
    return rank(unit_tallies, c.config), rank(officer_tallies, c.config)


def standings(repo: Repository, campaign_id: str, phase_key: str, kind: str) -> Standings:
    """Live standings of an open phase; the frozen result of a closed one."""
    with repo.uow as tx:
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
        frozen = tx.frozen(c.id, p.key, kind)
        if frozen is not None:
            closure, entries = frozen
            flags = correction_flags(tx, c.id, p.key)
            proposals = [{**x, "corrections": flags.get((x["kind"], x["subject"]), [])}
                         for x in closure["proposals"]]
            steps = step_figures(charged(tx.frozen_steps(c.id, p.key) or [], c.config))
            return Standings(c, p, "closed", kind, entries, closure["config"], closure["closed_at"],
                             proposals, steps, flags)
        units, officers = _live(tx, c, p)
        steps = step_figures(charged(tx.step_counts(c, p), c.config))
    proposals = [p_.__dict__ for p_ in propose(units, officers, c.config, p.review_date, final=p.final)]
    return Standings(c, p, "open", kind, units if kind == "unit" else officers, c.config.to_json(),
                     proposals=proposals, steps=steps)


def phase_closed_event(c: Campaign, p: Phase, standings: list[Standing], proposals: list[Proposal],
                       corrections: tuple[str, ...] = ()) -> PhaseClosed:
    roles = {r.key: r.label for r in c.config.roles}
    return PhaseClosed(
        campaign=c.id, phase=p.key, phase_name=p.name, review_date=p.review_date,
        standings=tuple(StandingEntry(s.rank, s.tally.kind, s.tally.subject, s.tally.name, s.score,
                                      s.tally.handled, s.tally.late, s.eligible,
                                      roles.get(s.tally.role, "")) for s in standings),
        proposals=tuple(RewardProposal(x.kind, x.subject, x.name, x.title, x.amount_vnd, x.criteria)  # type: ignore[arg-type]
                        for x in proposals),
        rules=tuple(rules_text(c, p)), corrections=corrections,
    )


def close_phase(
    repo: Repository, campaign_id: str, phase_key: str, now: datetime, by: str = SYSTEM
) -> PhaseClosed:
    """Freeze the results and queue one PhaseClosed; a second close is a Conflict."""
    with repo.uow as tx:
        c = _campaign(tx, campaign_id)
        p = _phase(c, phase_key)
        if tx.lock_phase(c.id, p.key) != "open":
            raise Conflict("phase", f"đợt {p.key} của chiến dịch {c.id} đã kết thúc")
        if p.final:
            still_open = [q.key for q in c.phases if tx.lock_phase(c.id, q.key) == "open"]
            if still_open:
                raise Conflict("phase", f"chưa sơ kết đợt {', '.join(still_open)}: chưa thể tổng kết chiến dịch")
        units, officers = _live(tx, c, p)
        proposals = propose(units, officers, c.config, p.review_date, final=p.final)
        notes = correction_notes(tx, c, [q for q in c.phases if q.key != p.key and q.starts_on < p.ends_on])
        ev = phase_closed_event(c, p, units + officers, proposals, notes)
        ce = envelope_for(ev, now=now, event_id=str(uuid.uuid4()))
        tx.freeze(c, p, units + officers, proposals, now, by, ce.id, steps=tx.step_counts(c, p))
        draft_proposals(tx, c, p, proposals, now, by)
        tx.add_outbox(ce)
    return ev


def close_due_phases(repo: Repository, now: datetime, window_days: int = 30) -> list[tuple[str, str]]:
    """The periodic job: close every open phase whose review date has come (local date) within the last
    ``window_days``. Older ones are history being loaded (a backfill, the demo): an operator closes those."""
    today = local_day(now)
    with repo.uow as tx:
        due = tx.phases_due(today, today - timedelta(days=window_days))
    closed = []
    for campaign_id, key in due:
        try:
            close_phase(repo, campaign_id, key, now)
        except Conflict:
            continue
        closed.append((campaign_id, key))
    return closed
