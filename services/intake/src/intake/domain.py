"""Intake rules, pure: national status codes, the lifecycle state machine, dossier codes, procedure versions."""
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
CHANNELS = {1: "trực tiếp", 2: "trực tuyến", 3: "bưu chính công ích"}
FACTS = (
    "dossier.submitted", "dossier.accepted", "dossier.refused", "dossier.transferred", "supplement.requested",
    "supplement.received", "fee.requested", "fee.paid", "apology.issued", "result.ready", "result.returned",
    "dossier.withdrawn", "dossier.stopped",
)
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
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    """What to do with a fact: ``apply`` (to ``status``), ``buffer`` until it fits, or ``reject``."""

    action: Literal["apply", "buffer", "reject"]
    status: Status | None = None
    reason: str = ""
    field: str | None = None


def _apply(status: Status) -> Verdict:
    return Verdict("apply", status)


def _reject(reason: str, field: str | None = "fact") -> Verdict:
    return Verdict("reject", reason=reason, field=field)


def _buffer(reason: str) -> Verdict:
    return Verdict("buffer", reason=reason)


NEEDS_OPEN: dict[str, Status | None] = {
    "dossier.transferred": None, "supplement.requested": Status.SUPPLEMENT, "fee.requested": Status.FEE,
    "apology.issued": None, "result.ready": Status.RESOLVED, "dossier.stopped": Status.STOPPED,
}


def decide(state: DossierState | None, fact: str, occurred_at: datetime) -> Verdict:
    """The lifecycle state machine: where ``fact`` takes a dossier in ``state`` (None: not known yet)."""
    status = state.status if state else None
    if fact == "dossier.submitted":
        return _apply(Status.SUBMITTED) if state is None else _reject("hồ sơ đã tồn tại", "code")
    if fact in ("dossier.accepted", "dossier.refused"):
        if status in (None, Status.SUBMITTED):
            return _apply(Status.ACCEPTED if fact == "dossier.accepted" else Status.REFUSED)
        return _reject(f"hồ sơ đã ở trạng thái {int(status or 0)} ({STATUS_NAMES[int(status or 0)]})")
    if status in TERMINAL:
        return _reject(f"hồ sơ đã kết thúc (trạng thái {int(status or 0)})")
    if status == Status.SUBMITTED and fact == "dossier.withdrawn":
        return _apply(Status.WITHDRAWN)
    if status in (None, Status.SUBMITTED):
        return _buffer("hồ sơ chưa được tiếp nhận")
    assert state is not None
    if state.accepted_at is not None and occurred_at < state.accepted_at:
        return _reject("thời điểm xảy ra trước thời điểm tiếp nhận hồ sơ", "occurred_at")
    if status == Status.RESOLVED:
        if fact == "result.returned":
            return _apply(Status.RETURNED)
        if fact in ("dossier.withdrawn", "result.ready"):
            return _reject("hồ sơ đã có kết quả")
        return _reject("hồ sơ đã có kết quả, không nhận thêm sự kiện xử lý")
    return _open_transition(state.status, fact)


def _open_transition(status: Status, fact: str) -> Verdict:
    if fact in NEEDS_OPEN:
        target = NEEDS_OPEN[fact]
        if fact == "dossier.transferred":
            return _apply(Status.PROCESSING if status in (Status.ACCEPTED, Status.PROCESSING) else status)
        if fact == "apology.issued":
            return _apply(status)
        if target in (Status.SUPPLEMENT, Status.FEE) and status in (Status.SUPPLEMENT, Status.FEE):
            return _buffer("hồ sơ đang chờ bổ sung hoặc nghĩa vụ tài chính")
        assert target is not None
        return _apply(target)
    if fact == "supplement.received":
        return _apply(Status.PROCESSING) if status == Status.SUPPLEMENT else _buffer("chưa có yêu cầu bổ sung")
    if fact == "fee.paid":
        return _apply(Status.PROCESSING) if status == Status.FEE else _buffer("chưa có yêu cầu nghĩa vụ tài chính")
    if fact == "dossier.withdrawn":
        return _apply(Status.WITHDRAWN)
    if fact == "result.returned":
        return _buffer("hồ sơ chưa có kết quả")
    return _reject(f"sự kiện không xác định {fact!r}")


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
