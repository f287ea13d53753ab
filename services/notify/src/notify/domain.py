"""Notification rules, pure: recipients, channels, dedupe keys, quiet hours, backoff, digest selection."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev

EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)
WINDOWS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
DEFAULT_TZ = LOCAL_TZ.key
LOOKAHEAD_DAYS = 60


class Calendar(Protocol):
    def is_working_day(self, day: date) -> bool: ...


@dataclass(frozen=True)
class Pending:
    """A channel's notifications not yet sent or failed: all of them (``count``, the oldest's age since it was
    queued) and those whose next attempt is due now (``due``, the oldest's wait since its attempt came due).
    One waiting for quiet hours to end (SMS) or for its retry backoff is pending, not due."""

    count: int = 0
    oldest_age: float = 0.0
    due: int = 0
    oldest_due_age: float = 0.0


@dataclass(frozen=True)
class Officer:
    officer: str
    agency: str
    unit: str
    full_name: str
    email: str | None = None
    phone: str | None = None
    active: bool = True
    channels: tuple[str, ...] = CHANNELS


@dataclass(frozen=True)
class Unit:
    unit: str
    agency: str
    name: str
    head_officer: str | None = None
    union_contact: str | None = None


@dataclass(frozen=True)
class Preferences:
    channels: tuple[str, ...] = CHANNELS
    digest: bool = True


class Directory(Protocol):
    def officer(self, officer: str) -> Officer | None: ...
    def unit(self, unit: str) -> Unit | None: ...
    def units(self) -> list[Unit]: ...
    def preferences(self, officer: str) -> Preferences | None: ...


@dataclass(frozen=True)
class Recipient:
    officer: Officer
    role: str


@dataclass(frozen=True)
class Audience:
    officer: str | None = None
    heads_of: tuple[str, ...] = ()
    union_contacts: bool = False


def audience(event: ev.Event) -> Audience:
    """Who hears about an event: the handling officer, unit heads, the union contact (campaign results)."""
    if isinstance(event, ev.DeadlineApproaching):
        return Audience(event.officer, (event.unit,) if event.threshold == "d-1" else ())
    if isinstance(event, ev.DeadlineBreached):
        return Audience(event.officer, (event.unit,))
    if isinstance(event, ev.StepOverdue):
        return Audience(event.officer)
    if isinstance(event, ev.PhaseClosed):
        return Audience(None, ("*",), union_contacts=True)
    return Audience()


def resolve(directory: Directory, who: Audience) -> list[Recipient]:
    """Active recipients, each once (the first role wins when an officer is also the unit head)."""
    wanted: list[tuple[str, str]] = []
    if who.officer:
        wanted.append((who.officer, "officer"))
    units = directory.units() if "*" in who.heads_of else [u for u in map(directory.unit, who.heads_of) if u]
    wanted += [(u.head_officer, "unit_head") for u in units if u.head_officer]
    if who.union_contacts:
        wanted += [(u.union_contact, "union_contact") for u in directory.units() if u.union_contact]
    seen: set[str] = set()
    out: list[Recipient] = []
    for officer_id, role in wanted:
        officer = directory.officer(officer_id)
        if officer is None or not officer.active or officer_id in seen:
            continue
        seen.add(officer_id)
        out.append(Recipient(officer, role))
    return out


def channels_for(officer: Officer, prefs: Preferences | None) -> list[str]:
    """The directory's channels, narrowed by the recipient's own preferences, where there is an address."""
    allowed = set(officer.channels) & set(prefs.channels if prefs else CHANNELS)
    has_address = {EMAIL: bool(officer.email), SMS: bool(officer.phone)}
    return [c for c in CHANNELS if c in allowed and has_address[c]]


def address(officer: Officer, channel: str) -> str:
    return (officer.email if channel == EMAIL else officer.phone) or ""


def dedupe_key(dossier: str, threshold: str, recipient: str, channel: str) -> str:
    return f"{dossier}|{threshold}|{recipient}|{channel}"


def subject_and_threshold(event: ev.Event, tz: str = DEFAULT_TZ) -> tuple[str, str]:
    """(dossier or campaign phase, threshold) of an event: a changed due date makes a new threshold."""
    if isinstance(event, ev.DeadlineApproaching):
        return event.code, f"{event.threshold}@{local(event.due_at, tz).date().isoformat()}"
    if isinstance(event, ev.DeadlineBreached):
        return event.code, f"overdue+{event.days_overdue}@{local(event.due_at, tz).date().isoformat()}"
    if isinstance(event, ev.StepOverdue):
        return event.code, f"step:{event.step}@{event.step_due_at.isoformat()}"
    if isinstance(event, ev.PhaseClosed):
        return f"{event.campaign}/{event.phase}", "phase_closed"
    raise ValueError(f"no notification for {type(event).__name__}")


def local(t: datetime, tz: str = DEFAULT_TZ) -> datetime:
    return t.astimezone(ZoneInfo(tz))


def format_due(t: datetime | None, tz: str = DEFAULT_TZ) -> str:
    return local(t, tz).strftime("%d/%m/%Y %H:%M") if t else ""


Windows = tuple[tuple[time, time], ...]


def parse_windows(text: str) -> Windows:
    """``"07:30-11:30,13:00-17:00"``; ``"always"`` (or empty) means no quiet hours."""
    if text.strip().lower() in ("", "always"):
        return ()
    out = []
    for part in text.split(","):
        start, end = (time.fromisoformat(x.strip()) for x in part.split("-"))
        out.append((start, end))
    return tuple(out)


def in_window(t: datetime, calendar: Calendar, tz: str = DEFAULT_TZ, windows: Windows = WINDOWS) -> bool:
    if not windows:
        return True
    at = local(t, tz)
    return calendar.is_working_day(at.date()) and any(start <= at.time() < end for start, end in windows)


def sms_send_at(now: datetime, calendar: Calendar, tz: str = DEFAULT_TZ, windows: Windows = WINDOWS) -> datetime:
    """``now`` inside a working window, else the next window opening (SMS is never sent in quiet hours)."""
    if in_window(now, calendar, tz, windows):
        return now
    local_now = local(now, tz)
    for offset in range(LOOKAHEAD_DAYS):
        day = local_now.date() + timedelta(days=offset)
        if not calendar.is_working_day(day):
            continue
        for opening, _ in windows:
            candidate = datetime.combine(day, opening, tzinfo=local_now.tzinfo)
            if candidate > local_now:
                return candidate.astimezone(now.tzinfo)
    return now


def backoff_seconds(attempt: int, base: float, cap: float, jitter: Callable[[], float]) -> float:
    """Capped exponential backoff, equal jitter: half the step fixed, half scaled by ``jitter()`` in [0, 1)."""
    step = min(cap, base * 2 ** max(attempt - 1, 0))
    return step / 2 + step / 2 * jitter()


def next_attempt(
    now: datetime, attempt: int, channel: str, calendar: Calendar, *, base: float, cap: float,
    jitter: Callable[[], float], tz: str = DEFAULT_TZ, windows: Windows = WINDOWS,
) -> datetime:
    at = now + timedelta(seconds=backoff_seconds(attempt, base, cap, jitter))
    return sms_send_at(at, calendar, tz, windows) if channel == SMS else at


def gives_up(attempts: int, max_attempts: int, transient: bool) -> bool:
    return not transient or attempts >= max_attempts


@dataclass(frozen=True)
class OpenDossier:
    code: str
    agency: str
    unit: str
    officer: str
    due_at: datetime | None
    procedure_name: str = ""
    applicant_name: str = ""


@dataclass(frozen=True)
class Digest:
    due_soon: tuple[OpenDossier, ...]
    overdue: tuple[OpenDossier, ...]

    @property
    def empty(self) -> bool:
        return not self.due_soon and not self.overdue


def next_working_day(day: date, calendar: Calendar) -> date:
    for offset in range(1, LOOKAHEAD_DAYS):
        if calendar.is_working_day(candidate := day + timedelta(days=offset)):
            return candidate
    return day + timedelta(days=1)


def digest_selection(
    dossiers: Iterable[OpenDossier], now: datetime, calendar: Calendar, tz: str = DEFAULT_TZ
) -> Digest:
    """Overdue dossiers, and those due by the end of the next working day."""
    horizon = next_working_day(local(now, tz).date(), calendar)
    with_due = sorted((d for d in dossiers if d.due_at is not None), key=lambda d: (d.due_at, d.code))
    overdue = tuple(d for d in with_due if d.due_at and d.due_at < now)
    soon = tuple(d for d in with_due if d.due_at and d.due_at >= now and local(d.due_at, tz).date() <= horizon)
    return Digest(soon, overdue)


def parse_time(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


def digest_due(now: datetime, calendar: Calendar, at: str, tz: str = DEFAULT_TZ) -> bool:
    local_now = local(now, tz)
    return calendar.is_working_day(local_now.date()) and local_now.time() >= parse_time(at)


def dossier_context(event: Any, link_base: str, tz: str = DEFAULT_TZ) -> dict[str, Any]:
    """Template fields for a dossier event: never an ID number, only what staff need to act."""
    code = getattr(event, "code", "")
    due = getattr(event, "due_at", None) or getattr(event, "step_due_at", None)
    return {
        "code": code, "procedure": getattr(event, "procedure_name", "") or getattr(event, "procedure_code", ""),
        "applicant": getattr(event, "applicant_name", ""), "due": format_due(due, tz),
        "link": f"{link_base}{code}", "threshold": getattr(event, "threshold", ""),
        "days_overdue": getattr(event, "days_overdue", 0), "step": getattr(event, "step", ""),
        "unit": getattr(event, "unit", ""),
    }


def digest_rows(items: Sequence[OpenDossier], link_base: str, tz: str = DEFAULT_TZ) -> list[dict[str, str]]:
    return [{"code": d.code, "procedure": d.procedure_name, "applicant": d.applicant_name,
             "due": format_due(d.due_at, tz), "link": f"{link_base}{d.code}"} for d in items]


@dataclass(frozen=True)
class NewNotification:
    dedupe_key: str
    dossier: str
    agency: str
    kind: str
    threshold: str
    recipient: str
    role: str
    channel: str
    address: str
    subject: str
    text: str
    html: str | None
    segments: int
    next_attempt_at: datetime


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    recipient: str
    address: str
    subject: str
    text: str
    html: str | None
    attempts: int
