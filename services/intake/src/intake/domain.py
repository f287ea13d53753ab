"""Intake rules, pure: national status codes, the lifecycle transitions, dossier codes, procedure versions."""
from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Literal


class Status(IntEnum):
    """National dossier status codes (synced with the national portal)."""

    SUBMITTED = 1
    ACCEPTED = 2
    REFUSED = 3
    PROCESSING = 4
    SUPPLEMENT = 5
    FEE = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESOLVED = 9
    RETURNED = 10


STATUS_NAMES = {
    1: "mới đăng ký", 2: "được tiếp nhận", 3: "không được tiếp nhận", 4: "đang xử lý", 5: "yêu cầu bổ sung",
    6: "yêu cầu nghĩa vụ tài chính", 7: "công dân xin rút", 8: "dừng xử lý", 9: "đã xử lý xong",
    10: "đã trả kết quả",
}
TERMINAL = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
OPEN = frozenset({Status.ACCEPTED, Status.PROCESSING, Status.SUPPLEMENT, Status.FEE})
CLOCK_RUNS = OPEN - {Status.SUPPLEMENT}  # open, and the time limit runs: a supplement request stops the clock
CODE_RE = re.compile(r"(?P<agency>[A-Z][A-Z0-9]{1,9})-(?P<ymd>[0-9]{6})-(?P<seq>[0-9]{4})")
EVENT_NAMESPACE = uuid.UUID("5b7c0f7e-2f55-4d4e-9a55-6d756e676861")

RejectKind = Literal[
    "invalid", "not_json", "unknown_sender", "forged", "unknown_procedure", "lifecycle", "unknown_dossier",
    "conflict", "too_large",
]


class InboundError(Exception):
    """A fact intake refuses: ``kind`` is the metric label, ``field`` the offending field."""

    def __init__(self, kind: RejectKind, reason: str, field: str | None = None,
                 errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.field = field
        self.errors = errors or [{"field": field or "body", "reason": reason}]


@dataclass(frozen=True)
class DossierState:
    status: Status
    accepted_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    """What to do with a fact: ``apply`` (to ``status``), ``buffer`` until it fits, or ``reject``."""

    action: Literal["apply", "buffer", "reject"]
    status: Status | None = None
    reason: str = ""
    field: str | None = None


@dataclass(frozen=True)
class Wait:
    """The fact waits in the buffer (for its dossier, or an earlier step) for this reason."""

    reason: str


@dataclass(frozen=True)
class Refuse:
    """The fact does not fit the dossier's status, for this reason."""

    reason: str


Move = Status | Wait | Refuse
AFTER_RESULT = Refuse("hồ sơ đã có kết quả, không nhận thêm sự kiện xử lý")


def _verdict(move: Move, field: str | None = "fact") -> Verdict:
    if isinstance(move, Wait):
        return Verdict("buffer", reason=move.reason)
    if isinstance(move, Refuse):
        return Verdict("reject", reason=move.reason, field=field)
    return Verdict("apply", move)


@dataclass(frozen=True)
class Opening:
    """A fact that starts a dossier: ``to`` from a dossier not known yet or only submitted (``only_new``: from
    none), whatever the time."""

    to: Status
    only_new: bool = False

    def verdict(self, state: DossierState | None, occurred_at: datetime) -> Verdict:
        if self.only_new:
            return _verdict(self.to if state is None else Refuse("hồ sơ đã tồn tại"), "code")
        status = state.status if state else None
        if status in (None, Status.SUBMITTED):
            return _verdict(self.to)
        return _verdict(Refuse(f"hồ sơ đã ở trạng thái {int(status or 0)} ({STATUS_NAMES[int(status or 0)]})"))


@dataclass(frozen=True)
class Step:
    """A fact on an accepted dossier: ``moves`` says, per open status (and RESOLVED), where it goes, or why it
    waits or does not fit; before acceptance it waits (``from_submitted``: goes there from SUBMITTED), after an
    ending it does not fit, nor when it happened before the acceptance."""

    moves: dict[Status, Move]
    from_submitted: Status | None = None

    def verdict(self, state: DossierState | None, occurred_at: datetime) -> Verdict:
        status = state.status if state else None
        if status in TERMINAL:
            return _verdict(Refuse(f"hồ sơ đã kết thúc (trạng thái {int(status or 0)})"))
        if status == Status.SUBMITTED and self.from_submitted is not None:
            return _verdict(self.from_submitted)
        if state is None or status == Status.SUBMITTED:
            return _verdict(Wait("hồ sơ chưa được tiếp nhận"))
        if state.accepted_at is not None and occurred_at < state.accepted_at:
            return _verdict(Refuse("thời điểm xảy ra trước thời điểm tiếp nhận hồ sơ"), "occurred_at")
        return _verdict(self.moves.get(state.status, AFTER_RESULT))


def while_open(move: Move) -> dict[Status, Move]:
    """The same move from every open status (accepted, processing, waiting for a supplement or a fee)."""
    return dict.fromkeys(OPEN, move)


Transition = Opening | Step


def check_not_future(occurred_at: datetime, now: datetime, skew_seconds: float) -> str | None:
    """Why ``occurred_at`` cannot have happened yet (beyond the tolerated clock skew), or None."""
    if occurred_at > now + timedelta(seconds=skew_seconds):
        return f"thời điểm xảy ra ở tương lai (quá {int(skew_seconds)} giây so với đồng hồ của Đúng hạn)"
    return None


def check_code(code: str, agency: str) -> str | None:
    """Why ``code`` is not a valid dossier code of ``agency`` (``<agency>-<yymmdd>-<4 digits>``), or None."""
    m = CODE_RE.fullmatch(code)
    if not m:
        return "mã hồ sơ phải có dạng <mã cơ quan>-<yymmdd>-<4 chữ số>"
    if m["agency"] != agency:
        return f"mã hồ sơ không thuộc cơ quan {agency}"
    ymd = m["ymd"]
    try:
        date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError:
        return "ngày trong mã hồ sơ không hợp lệ"
    return None


def canonical_event_id(agency: str, sender_event_id: str, index: int = 0) -> str:
    """Deterministic: a replay of the same sender event publishes the same canonical id."""
    name = f"{agency}:{sender_event_id}" + (f":{index}" if index else "")
    return str(uuid.uuid5(EVENT_NAMESPACE, name))


def hash_id_number(pepper: str, id_number: str) -> str:
    return hashlib.sha256(f"{pepper}:{id_number.strip()}".encode()).hexdigest()


def content_digest(canonical_json: str) -> str:
    return hashlib.sha256(canonical_json.encode()).hexdigest()


@dataclass(frozen=True)
class VersionSpan:
    version: int
    effective_from: date
    effective_to: date | None = None
    abolished: bool = False


def effective_version(versions: Iterable[VersionSpan], on: date) -> VersionSpan | None:
    """The version in force on ``on`` (latest start wins); None if none is, or the procedure is abolished."""
    live = [v for v in versions if v.effective_from <= on and (v.effective_to is None or on < v.effective_to)]
    if not live:
        return None
    chosen = max(live, key=lambda v: (v.effective_from, v.version))
    return None if chosen.abolished else chosen


def is_overdue(status: int, appointment_at: datetime | None, now: datetime) -> bool:
    """Open with the clock running (2, 4, 6) and past the appointment; a supplement request stops the clock."""
    return status in CLOCK_RUNS and appointment_at is not None and appointment_at < now
