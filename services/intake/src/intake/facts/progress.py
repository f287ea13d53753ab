"""The facts on an accepted dossier: transfers, supplements, fees, apologies, the result, withdrawal, stop."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar, Literal

from marshmallow import fields, validate

from dunghan.contract import events as ev
from dunghan.contract import strict
from intake.domain import OPEN, Refuse, Status, Step, Wait, while_open
from intake.facts.base import MAX_AMOUNT_VND, Fact, FactSpec, channel, common, ref, text, unchanged, wire

BUSY = Wait("hồ sơ đang chờ bổ sung hoặc nghĩa vụ tài chính")
HAS_RESULT = Refuse("hồ sơ đã có kết quả")


@dataclass(frozen=True, kw_only=True)
class TransferDossier(Fact):
    fact: ClassVar[str] = "dossier.transferred"
    unit: str = wire(ref())
    officer: str = wire(ref())
    step: str | None = wire(ref(required=False))


TRANSFERRED = FactSpec(
    TransferDossier,
    Step({Status.ACCEPTED: Status.PROCESSING, Status.PROCESSING: Status.PROCESSING,
          Status.SUPPLEMENT: Status.SUPPLEMENT, Status.FEE: Status.FEE}),
    update=lambda d, c, _: replace(d, unit=c.unit, officer=c.officer, step=c.step),
    event=lambda c, d, _: ev.DossierTransferred(**common(c, d), unit=c.unit, officer=c.officer, step=c.step),
    staff=lambda c: (c.unit, c.officer),
)


@dataclass(frozen=True, kw_only=True)
class RequestSupplement(Fact):
    fact: ClassVar[str] = "supplement.requested"
    reason: str = wire(text())


SUPPLEMENT_REQUESTED = FactSpec(
    RequestSupplement,
    Step({**while_open(Status.SUPPLEMENT), Status.SUPPLEMENT: BUSY, Status.FEE: BUSY}),
    update=lambda d, c, _: replace(d, supplement_count=d.supplement_count + 1),
    event=lambda c, d, _: ev.SupplementRequested(**common(c, d), reason=c.reason),
)


@dataclass(frozen=True, kw_only=True)
class ReceiveSupplement(Fact):
    fact: ClassVar[str] = "supplement.received"


SUPPLEMENT_RECEIVED = FactSpec(
    ReceiveSupplement,
    Step({**while_open(Wait("chưa có yêu cầu bổ sung")), Status.SUPPLEMENT: Status.PROCESSING}),
    update=unchanged,
    event=lambda c, d, _: ev.SupplementReceived(**common(c, d)),
)


@dataclass(frozen=True, kw_only=True)
class RequestFee(Fact):
    fact: ClassVar[str] = "fee.requested"
    amount_vnd: int | None = wire(strict.Integer(validate=validate.Range(min=0, max=MAX_AMOUNT_VND)))


FEE_REQUESTED = FactSpec(
    RequestFee,
    Step({**while_open(Status.FEE), Status.SUPPLEMENT: BUSY, Status.FEE: BUSY}),
    update=unchanged,
    event=lambda c, d, _: ev.FeeRequested(**common(c, d), amount_vnd=c.amount_vnd),
)


@dataclass(frozen=True, kw_only=True)
class PayFee(Fact):
    fact: ClassVar[str] = "fee.paid"
    amount_vnd: int | None = wire(strict.Integer(validate=validate.Range(min=0, max=MAX_AMOUNT_VND)))


FEE_PAID = FactSpec(
    PayFee,
    Step({**while_open(Wait("chưa có yêu cầu nghĩa vụ tài chính")), Status.FEE: Status.PROCESSING}),
    update=unchanged,
    event=lambda c, d, _: ev.FeePaid(**common(c, d)),
)


@dataclass(frozen=True, kw_only=True)
class IssueApology(Fact):
    fact: ClassVar[str] = "apology.issued"
    new_due_date: date = wire(strict.Date(required=True, metadata={"description": "Ngày hẹn mới (mẫu 04)"}))
    reason: str = wire(text())


APOLOGY_ISSUED = FactSpec(
    IssueApology,
    Step({s: s for s in OPEN}),  # the status stays; the appointment moves
    update=lambda d, c, _: replace(d, apology_count=d.apology_count + 1, new_due_date=c.new_due_date),
    event=lambda c, d, _: ev.ApologyIssued(**common(c, d), new_due_date=c.new_due_date, reason=c.reason),
)


@dataclass(frozen=True, kw_only=True)
class ResolveDossier(Fact):
    fact: ClassVar[str] = "result.ready"
    decision: Literal["approved", "refused"] = wire(fields.String(
        required=True, validate=validate.OneOf(["approved", "refused"])))
    officer: str | None = wire(ref(required=False))


RESULT_READY = FactSpec(
    ResolveDossier,
    Step({**while_open(Status.RESOLVED), Status.RESOLVED: HAS_RESULT}),
    update=lambda d, c, _: replace(d, resolved_at=c.occurred_at, decision=c.decision,
                                   officer=c.officer or d.officer),
    event=lambda c, d, _: ev.ResultReady(**common(c, d), decision=c.decision),
    staff=lambda c: (None, c.officer),
)


@dataclass(frozen=True, kw_only=True)
class ReturnResult(Fact):
    fact: ClassVar[str] = "result.returned"
    channel: int | None = wire(channel())


RESULT_RETURNED = FactSpec(
    ReturnResult,
    Step({**while_open(Wait("hồ sơ chưa có kết quả")), Status.RESOLVED: Status.RETURNED}),
    update=lambda d, c, _: replace(d, channel=c.channel or d.channel, returned_at=c.occurred_at),
    event=lambda c, d, _: ev.ResultReturned(**common(c, d)),
)


@dataclass(frozen=True, kw_only=True)
class WithdrawDossier(Fact):
    fact: ClassVar[str] = "dossier.withdrawn"
    reason: str | None = wire(text(required=False))


WITHDRAWN = FactSpec(
    WithdrawDossier,
    Step({**while_open(Status.WITHDRAWN), Status.RESOLVED: HAS_RESULT}, from_submitted=Status.WITHDRAWN),
    update=lambda d, c, _: replace(d, resolved_at=c.occurred_at),
    event=lambda c, d, _: ev.DossierWithdrawn(**common(c, d), reason=c.reason or ""),
)


@dataclass(frozen=True, kw_only=True)
class StopDossier(Fact):
    fact: ClassVar[str] = "dossier.stopped"
    reason: str = wire(text())


STOPPED = FactSpec(
    StopDossier,
    Step(while_open(Status.STOPPED)),
    update=lambda d, c, _: replace(d, resolved_at=c.occurred_at),
    event=lambda c, d, _: ev.DossierStopped(**common(c, d), reason=c.reason),
)

SPECS: tuple[FactSpec[Any], ...] = (
    TRANSFERRED, SUPPLEMENT_REQUESTED, SUPPLEMENT_RECEIVED, FEE_REQUESTED, FEE_PAID, APOLOGY_ISSUED, RESULT_READY,
    RESULT_RETURNED, WITHDRAWN, STOPPED,
)
