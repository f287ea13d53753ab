"""Canonical events for the deadline service's tests, wrapped in CloudEvents."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dunghan.clock import LOCAL_TZ
from dunghan.contract import CloudEvent, envelope_for
from dunghan.contract import events as ev

AGENCY = "SCT"


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def snapshot(days: float = 3, version: int = 1, code: str = "1.001", **kw: Any) -> ev.ProcedureSnapshot:
    return ev.ProcedureSnapshot(
        code=code, version=version, name="Cấp giấy phép kinh doanh", field="thuong_mai",
        committed_value=days, committed_unit="working_days", statutory_value=days + 2,
        statutory_unit="working_days", **kw,
    )


def accepted(code: str, when: datetime, *, days: float = 3, version: int = 1, unit: str = "P1",
             officer: str = "cb1", procedure: ev.ProcedureSnapshot | None = None) -> ev.DossierAccepted:
    return ev.DossierAccepted(
        code=code, agency=AGENCY, occurred_at=when, unit=unit, officer=officer,
        procedure=procedure or snapshot(days, version), channel=2, applicant_name="Nguyễn Văn A",
    )


def supplement_requested(code: str, when: datetime) -> ev.SupplementRequested:
    return ev.SupplementRequested(code=code, agency=AGENCY, occurred_at=when, reason="thiếu bản sao")


def supplement_received(code: str, when: datetime) -> ev.SupplementReceived:
    return ev.SupplementReceived(code=code, agency=AGENCY, occurred_at=when)


def transferred(code: str, when: datetime, unit: str, officer: str) -> ev.DossierTransferred:
    return ev.DossierTransferred(code=code, agency=AGENCY, occurred_at=when, unit=unit, officer=officer)


def result_ready(code: str, when: datetime) -> ev.ResultReady:
    return ev.ResultReady(code=code, agency=AGENCY, occurred_at=when)


def apology(code: str, when: datetime, new_due: date) -> ev.ApologyIssued:
    return ev.ApologyIssued(code=code, agency=AGENCY, occurred_at=when, new_due_date=new_due, reason="chậm")


_seq = [0]


def cloud(e: ev.Event, event_id: str | None = None) -> CloudEvent:
    """Through the wire format and back, as the consumer would see it."""
    _seq[0] += 1
    ce = envelope_for(e, now=getattr(e, "occurred_at", at(2024, 1, 1)), event_id=event_id or f"e{_seq[0]}")
    return CloudEvent(ce.id, ce.source, ce.type, ce.time, ce.subject, ce.data)
