"""The facts that start a dossier: submitted online, accepted at the one-stop shop, or refused there."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

from dunghan.contract import events as ev
from dunghan.contract import strict
from intake.domain import Opening, Status
from intake.facts.base import (
    Applicant,
    Fact,
    FactSpec,
    applicant_field,
    channel,
    common,
    ref,
    text,
    wire,
    with_applicant,
)
from intake.records import Dossier, ProcedureVersion
from intake.registry import snapshot


@dataclass(frozen=True, kw_only=True)
class SubmitDossier(Fact):
    fact: ClassVar[str] = "dossier.submitted"
    procedure_code: str = wire(ref())
    channel: int = wire(channel(load_default=2))
    applicant: Applicant = wire(applicant_field())


SUBMITTED = FactSpec(
    SubmitDossier, Opening(Status.SUBMITTED, only_new=True),
    update=lambda d, c, pepper: replace(with_applicant(d, c.applicant, pepper), channel=c.channel,
                                        submitted_at=c.occurred_at),
    event=lambda c, d, _: ev.DossierSubmitted(**common(c, d), procedure_code=d.procedure_code or "",
                                              channel=d.channel or 2),
    procedure=lambda c: (c.procedure_code, c.channel),
)


@dataclass(frozen=True, kw_only=True)
class AcceptDossier(Fact):
    fact: ClassVar[str] = "dossier.accepted"
    procedure_code: str = wire(ref())
    channel: int = wire(channel(required=True))
    unit: str = wire(ref())
    officer: str = wire(ref())
    step: str | None = wire(ref(required=False))
    applicant: Applicant = wire(applicant_field())
    appointment_at: datetime | None = wire(strict.AwareDateTime(
        metadata={"description": "Ngày hẹn trả trên giấy tiếp nhận (mẫu 01)"}))
    history: bool = wire(strict.Boolean(load_default=False, metadata={
        "description": "true: hồ sơ nạp lại từ dữ liệu cũ (lịch sử); được tính vào mọi số liệu nhưng không gửi "
                       "cảnh báo, thông báo nào cho cán bộ"}))


def _accepted(c: AcceptDossier, d: Dossier, procedure: ProcedureVersion | None) -> ev.Event:
    assert procedure is not None
    return ev.DossierAccepted(**common(c, d), unit=d.unit or "", officer=d.officer or "",
                              procedure=snapshot(procedure), channel=d.channel or 1,
                              applicant_name=d.applicant_name or "", step=d.step, history=c.history,
                              appointment_at=c.appointment_at)


ACCEPTED = FactSpec(
    AcceptDossier, Opening(Status.ACCEPTED),
    update=lambda d, c, pepper: replace(with_applicant(d, c.applicant, pepper), channel=c.channel, unit=c.unit,
                                        officer=c.officer, step=c.step, accepted_at=c.occurred_at,
                                        appointment_at=c.appointment_at),
    event=_accepted,
    staff=lambda c: (c.unit, c.officer),
    procedure=lambda c: (c.procedure_code, c.channel),
    received=True,
)


@dataclass(frozen=True, kw_only=True)
class RefuseDossier(Fact):
    fact: ClassVar[str] = "dossier.refused"
    reason: str = wire(text())
    procedure_code: str | None = wire(ref(required=False))
    channel: int | None = wire(channel())
    unit: str | None = wire(ref(required=False))


REFUSED = FactSpec(
    RefuseDossier, Opening(Status.REFUSED),
    update=lambda d, c, _: replace(d, channel=c.channel or d.channel, unit=c.unit or d.unit,
                                   resolved_at=c.occurred_at),
    event=lambda c, d, _: ev.DossierRefused(**common(c, d), reason=c.reason, procedure_code=d.procedure_code,
                                            channel=d.channel, unit=d.unit),
    staff=lambda c: (c.unit, None),
    procedure=lambda c: (c.procedure_code, c.channel),
)

SPECS: tuple[FactSpec[Any], ...] = (SUBMITTED, ACCEPTED, REFUSED)
