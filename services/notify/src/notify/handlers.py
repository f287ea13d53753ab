"""Use cases: keep the staff directory and open dossiers, queue one message per recipient and channel."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dunghan.contract import events as ev
from notify import domain, gsm7
from notify.domain import Calendar, NewNotification, Officer, OpenDossier, Unit
from notify.ports import Tx
from notify.render import Renderer


@dataclass
class Context:
    renderer: Renderer
    calendar: Calendar
    now: datetime
    link_base: str = ""
    tz: str = domain.DEFAULT_TZ
    sms_windows: domain.Windows = domain.WINDOWS
    available: frozenset[str] | None = None  # channels with a configured provider; None = all
    queued: list[NewNotification] = field(default_factory=list)
    suppressed: list[NewNotification] = field(default_factory=list)


def queue(tx: Tx, ctx: Context, *, kind: str, dossier: str, agency: str, threshold: str,
          recipients: list[domain.Recipient], context: dict[str, Any]) -> None:
    """Render and queue a message per recipient and channel; the unique dedupe key drops repeats."""
    for recipient in recipients:
        officer = recipient.officer
        for channel in domain.channels_for(officer, tx.preferences(officer.officer)):
            if ctx.available is not None and channel not in ctx.available:
                continue
            rendered = ctx.renderer.render(kind, channel, {**context, "recipient": officer.full_name})
            send_at = ctx.now
            if channel == domain.SMS:
                send_at = domain.sms_send_at(ctx.now, ctx.calendar, ctx.tz, ctx.sms_windows)
            notification = NewNotification(
                dedupe_key=domain.dedupe_key(dossier, threshold, officer.officer, channel), dossier=dossier,
                agency=agency, kind=kind, threshold=threshold, recipient=officer.officer, role=recipient.role,
                channel=channel, address=domain.address(officer, channel), subject=rendered.subject,
                text=rendered.text, html=rendered.html,
                segments=gsm7.segments(rendered.text) if channel == domain.SMS else 1, next_attempt_at=send_at,
            )
            (ctx.queued if tx.enqueue(notification, ctx.now) else ctx.suppressed).append(notification)


def _notify_dossier(event: Any, kind: str, tx: Tx, ctx: Context) -> None:
    dossier, threshold = domain.subject_and_threshold(event, ctx.tz)
    queue(tx, ctx, kind=kind, dossier=dossier, agency=event.agency, threshold=threshold,
          recipients=domain.resolve(tx, domain.audience(event)),
          context=domain.dossier_context(event, ctx.link_base, ctx.tz))


def _track(event: Any, tx: Tx, ctx: Context) -> None:
    tx.track_dossier(OpenDossier(
        event.code, event.agency, event.unit, event.officer, event.due_at,
        getattr(event, "procedure_name", ""), getattr(event, "applicant_name", ""),
    ), ctx.now)


def handle_deadline_approaching(event: ev.DeadlineApproaching, tx: Tx, ctx: Context) -> None:
    _track(event, tx, ctx)
    _notify_dossier(event, "deadline_approaching", tx, ctx)


def handle_deadline_breached(event: ev.DeadlineBreached, tx: Tx, ctx: Context) -> None:
    _track(event, tx, ctx)
    _notify_dossier(event, "deadline_breached", tx, ctx)


def handle_step_overdue(event: ev.StepOverdue, tx: Tx, ctx: Context) -> None:
    _notify_dossier(event, "step_overdue", tx, ctx)


def handle_phase_closed(event: ev.PhaseClosed, tx: Tx, ctx: Context) -> None:
    dossier, threshold = domain.subject_and_threshold(event, ctx.tz)
    context = {"phase_name": event.phase_name, "campaign": event.campaign,
               "review_date": event.review_date.strftime("%d/%m/%Y"),
               "standings": event.standings, "proposals": event.proposals, "rules": event.rules,
               "corrections": event.corrections, "final": event.phase == "tong-ket"}
    queue(tx, ctx, kind="phase_closed", dossier=dossier, agency="", threshold=threshold,
          recipients=domain.resolve(tx, domain.audience(event)), context=context)


def handle_due_date_set(event: ev.DueDateSet, tx: Tx, ctx: Context) -> None:
    if event.history:  # loaded as history: never in a digest, never warned about
        tx.close_dossier(event.code, ctx.now)
        return
    _track(event, tx, ctx)


def handle_dossier_classified(event: ev.DossierClassified, tx: Tx, ctx: Context) -> None:
    tx.close_dossier(event.code, ctx.now)


def handle_unit_updated(event: ev.UnitUpdated, tx: Tx, ctx: Context) -> None:
    tx.upsert_unit(Unit(event.unit, event.agency, event.name, event.head_officer, event.union_contact), ctx.now)


def handle_officer_updated(event: ev.OfficerUpdated, tx: Tx, ctx: Context) -> None:
    tx.upsert_officer(Officer(event.officer, event.agency, event.unit, event.full_name, event.email,
                              event.phone, event.active, tuple(event.channels)), ctx.now)


EVENT_HANDLERS: dict[type[ev.Event], Callable[[Any, Tx, Context], None]] = {
    ev.DeadlineApproaching: handle_deadline_approaching,
    ev.DeadlineBreached: handle_deadline_breached,
    ev.StepOverdue: handle_step_overdue,
    ev.PhaseClosed: handle_phase_closed,
    ev.DueDateSet: handle_due_date_set,
    ev.DossierClassified: handle_dossier_classified,
    ev.UnitUpdated: handle_unit_updated,
    ev.OfficerUpdated: handle_officer_updated,
}


def handle(event: ev.Event, tx: Tx, ctx: Context) -> bool:
    """Dispatch; False for an event type notify does not follow."""
    handler = EVENT_HANDLERS.get(type(event))
    if handler is None:
        return False
    handler(event, tx, ctx)
    return True
