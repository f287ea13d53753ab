"""Use cases: record a lifecycle fact (registry + history + outbox in one transaction), buffered facts, orphans."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev
from dunghan.contract.envelope import envelope_for
from dunghan.db.ambient import after_commit
from intake import metrics
from intake.domain import (
    DossierState,
    InboundError,
    Status,
    VersionSpan,
    canonical_event_id,
    check_code,
    check_not_future,
    content_digest,
    decide,
    effective_version,
    hash_id_number,
)
from intake.ports import Repository, Tx
from intake.records import Dossier, HistoryEntry, PendingFact, ProcedureVersion, Received


@dataclass(frozen=True)
class Sender:
    name: str
    agency: str


@dataclass(frozen=True)
class Outcome:
    reply: dict[str, Any]
    duplicate: bool = False

    @property
    def buffered(self) -> bool:
        return self.reply.get("status") == "buffered"


def digest_of(raw: dict[str, Any]) -> str:
    return content_digest(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str))


def record_fact(
    repo: Repository, data: dict[str, Any], sender: Sender, *, now: datetime, pepper: str, digest: str,
    reply_to: str | None = None, correlation_id: str | None = None, max_skew_seconds: float | None = None,
) -> Outcome:
    """Record one validated fact; raises InboundError when it must be rejected (nothing is then stored)."""
    agency, code, event_id = data["agency"], data["code"], data["event_id"]
    if agency != sender.agency:
        raise InboundError("forged", f"{sender.name} không được gửi sự kiện của cơ quan {agency}", "agency")
    reason = check_code(code, agency)
    if reason:
        raise InboundError("invalid", reason, "code")
    future = None if max_skew_seconds is None else check_not_future(data["occurred_at"], now, max_skew_seconds)
    if future:
        raise InboundError("invalid", future, "occurred_at")
    with repo.transaction(cached=True) as tx:
        tx.lock_dossiers([code])  # both doors and every worker: one dossier's facts one at a time
        state = tx.fact_state(agency, event_id, code)
        seen, dossier = state.received, state.dossier
        if seen is not None and seen.state != "rejected":
            if seen.digest != digest:
                raise InboundError("conflict", "trùng event_id với nội dung khác", "event_id")
            return Outcome(seen.reply, duplicate=True)
        verdict = decide(_state(dossier), data["fact"], data["occurred_at"])
        if verdict.action == "reject":
            raise InboundError("lifecycle", verdict.reason, verdict.field)
        base = {"event_id": event_id, "code": code}
        if verdict.action == "buffer":
            tx.add_pending(PendingFact(
                agency=agency, event_id=event_id, code=code, fact=data["fact"], occurred_at=data["occurred_at"],
                body=_jsonable(data), source=sender.name, received_at=now, reply_to=reply_to,
                correlation_id=correlation_id,
            ))
            reply = {"status": "buffered", **base, "reason": verdict.reason}
            tx.put_received(Received(agency, event_id, digest, "buffered", reply, now))
            return Outcome(reply)
        assert verdict.status is not None
        _apply(tx, dossier, data, verdict.status, sender.name, now=now, pepper=pepper)
        reply = {"status": "accepted", **base, "dossier_status": int(verdict.status)}
        tx.put_received(Received(agency, event_id, digest, "applied", reply, now))
        if state.buffered:
            drain_pending(tx, code, now=now, pepper=pepper)
    return Outcome(reply)


def _state(d: Dossier | None) -> DossierState | None:
    return None if d is None else DossierState(Status(d.status), d.accepted_at, d.resolved_at)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=lambda v: v.isoformat()))


def drain_pending(tx: Tx, code: str, *, now: datetime, pepper: str) -> int:
    """Apply every buffered fact of ``code`` that has become applicable, in occurrence order, until none is;
    each applied one's idempotency record turns ``applied``. The caller holds the dossier's lock."""
    from intake.inbound import load_fact

    applied, progressed = 0, True
    while progressed:
        progressed = False
        for p in tx.pending_for(code):
            dossier = tx.get_dossier(code)
            data = load_fact(p.body)
            verdict = decide(_state(dossier), p.fact, data["occurred_at"])
            if verdict.action != "apply":
                continue
            assert verdict.status is not None
            try:
                _apply(tx, dossier, data, verdict.status, p.source, now=now, pepper=pepper)
            except InboundError:
                continue
            tx.delete_pending(p.agency, p.event_id)
            seen = tx.get_received(p.agency, p.event_id)
            reply = {"status": "accepted", "event_id": p.event_id, "code": code,
                     "dossier_status": int(verdict.status)}
            tx.put_received(Received(p.agency, p.event_id, seen.digest if seen else digest_of(p.body),
                                     "applied", reply, now))
            applied += 1
            progressed = True
            break
    return applied


def procedure_at(tx: Tx, code: str, agency: str, at: datetime) -> ProcedureVersion:
    versions = tx.procedure_versions(code)
    spans = [VersionSpan(v.version, v.effective_from, v.effective_to, v.abolished) for v in versions]
    chosen = effective_version(spans, at.astimezone(LOCAL_TZ).date())
    if chosen is None or not versions:
        raise InboundError("unknown_procedure", f"thủ tục {code!r} không có hiệu lực vào ngày này",
                           "procedure_code")
    version = next(v for v in versions if v.version == chosen.version)
    if version.agency != agency:
        raise InboundError("unknown_procedure", f"thủ tục {code!r} không thuộc cơ quan {agency}", "procedure_code")
    return version


def _check_staff(tx: Tx, agency: str, data: dict[str, Any]) -> None:
    unit = data.get("unit")
    if unit is not None:
        u = tx.get_unit(unit)
        if u is None or u.agency != agency:
            raise InboundError("invalid", f"đơn vị {unit!r} không có trong danh mục của {agency}", "unit")
    officer = data.get("officer")
    if officer is not None:
        o = tx.get_officer(officer)
        if o is None or o.agency != agency:
            raise InboundError("invalid", f"cán bộ {officer!r} không có trong danh mục của {agency}", "officer")
        if unit is not None and o.unit != unit:
            raise InboundError("invalid", f"cán bộ {officer!r} thuộc đơn vị {o.unit!r}, không thuộc đơn vị "
                                          f"{unit!r} nêu trong thông điệp", "officer")


def _apply(
    tx: Tx, dossier: Dossier | None, data: dict[str, Any], status: Status, source: str, *,
    now: datetime, pepper: str,
) -> Dossier:
    fact, agency, at = data["fact"], data["agency"], data["occurred_at"]
    _check_staff(tx, agency, data)
    d = dossier or Dossier(code=data["code"], agency=agency, status=int(status))
    procedure = None
    if data.get("procedure_code") and fact in ("dossier.submitted", "dossier.accepted", "dossier.refused"):
        procedure = procedure_at(tx, data["procedure_code"], agency, at)
        if data.get("channel") and data["channel"] not in procedure.channels:
            raise InboundError("invalid", "thủ tục không tiếp nhận qua kênh này", "channel")
        d = replace(d, procedure_code=procedure.code, procedure_version=procedure.version,
                    procedure_field=procedure.field)
    d = _update(d, data, status, pepper)
    d = replace(d, updated_at=now)
    tx.save_dossier(d)
    event = canonical(data, d, procedure)
    ce = envelope_for(event, now=at, event_id=canonical_event_id(agency, data["event_id"]))
    tx.outbox(ce)
    tx.append_history(HistoryEntry(
        code=d.code, seq=0, fact=fact, occurred_at=at, received_at=now, source=source,
        sender_event_id=data["event_id"], status=d.status, unit=d.unit, officer=d.officer, step=d.step,
        canonical_event_id=ce.id, details=_details(data),
    ))
    after_commit(lambda: _count(agency, fact, d))  # a consumer batch that rolls back counts nothing
    return d


def _count(agency: str, fact: str, d: Dossier) -> None:
    metrics.LIFECYCLE_EVENTS.labels(agency=agency, kind=fact).inc()
    if fact == "dossier.accepted":
        metrics.DOSSIERS_RECEIVED.labels(agency=agency, channel=str(d.channel),
                                         procedure_field=d.procedure_field or "").inc()


def _details(data: dict[str, Any]) -> dict[str, Any]:
    skip = {"fact", "event_id", "code", "agency", "occurred_at", "applicant"}
    out = {k: v for k, v in _jsonable(data).items() if k not in skip}
    if "applicant" in data:
        out["applicant_name"] = data["applicant"]["name"]
    return out


def _update(d: Dossier, data: dict[str, Any], status: Status, pepper: str) -> Dossier:
    fact, at = data["fact"], data["occurred_at"]
    d = replace(d, status=int(status))
    applicant = data.get("applicant")
    if applicant:
        id_number = applicant.get("id_number")
        id_hash = hash_id_number(pepper, id_number) if id_number else d.id_number_hash
        d = replace(d, applicant_name=applicant["name"], id_number_hash=id_hash,
                    applicant_phone=applicant.get("phone") or d.applicant_phone,
                    applicant_email=applicant.get("email") or d.applicant_email)
    if data.get("channel"):
        d = replace(d, channel=data["channel"])
    if fact in ("dossier.accepted", "dossier.transferred"):
        d = replace(d, unit=data["unit"], officer=data["officer"], step=data.get("step"))
    elif fact == "dossier.refused" and data.get("unit"):
        d = replace(d, unit=data["unit"])
    if fact == "dossier.submitted":
        d = replace(d, submitted_at=at)
    elif fact == "dossier.accepted":
        d = replace(d, accepted_at=at, appointment_at=data.get("appointment_at"))
    elif fact == "supplement.requested":
        d = replace(d, supplement_count=d.supplement_count + 1)
    elif fact == "apology.issued":
        d = replace(d, apology_count=d.apology_count + 1, new_due_date=data["new_due_date"])
    elif fact == "result.ready":
        d = replace(d, resolved_at=at, decision=data["decision"], officer=data.get("officer") or d.officer)
    elif fact == "result.returned":
        d = replace(d, returned_at=at)
    elif fact in ("dossier.refused", "dossier.withdrawn", "dossier.stopped"):
        d = replace(d, resolved_at=at)
    return d


def snapshot(p: ProcedureVersion) -> ev.ProcedureSnapshot:
    return ev.ProcedureSnapshot(
        code=p.code, version=p.version, name=p.name, field=p.field, committed_value=p.committed_value,
        committed_unit=p.committed_unit,  # type: ignore[arg-type]
        statutory_value=p.statutory_value, statutory_unit=p.statutory_unit,  # type: ignore[arg-type]
        cutoff=p.cutoff, pause_on_fee=p.pause_on_fee,
        steps=p.steps,
    )


def canonical(data: dict[str, Any], d: Dossier, procedure: ProcedureVersion | None) -> ev.Event:
    """The canonical event of an applied fact; personal data other than the applicant's name never leaves."""
    fact = data["fact"]
    common = {"code": d.code, "agency": d.agency, "occurred_at": data["occurred_at"]}
    reason = data.get("reason") or ""
    if fact == "dossier.submitted":
        return ev.DossierSubmitted(**common, procedure_code=d.procedure_code or "", channel=d.channel or 2)
    if fact == "dossier.accepted":
        assert procedure is not None
        return ev.DossierAccepted(**common, unit=d.unit or "", officer=d.officer or "",
                                  procedure=snapshot(procedure), channel=d.channel or 1,
                                  applicant_name=d.applicant_name or "", step=d.step,
                                  history=bool(data.get("history")), appointment_at=data.get("appointment_at"))
    if fact == "dossier.refused":
        return ev.DossierRefused(**common, reason=reason, procedure_code=d.procedure_code, channel=d.channel,
                                 unit=d.unit)
    if fact == "dossier.transferred":
        return ev.DossierTransferred(**common, unit=data["unit"], officer=data["officer"], step=data.get("step"))
    simple: dict[str, Any] = {
        "supplement.requested": lambda: ev.SupplementRequested(**common, reason=reason),
        "supplement.received": lambda: ev.SupplementReceived(**common),
        "fee.requested": lambda: ev.FeeRequested(**common, amount_vnd=data.get("amount_vnd")),
        "fee.paid": lambda: ev.FeePaid(**common),
        "apology.issued": lambda: ev.ApologyIssued(**common, new_due_date=data["new_due_date"], reason=reason),
        "result.ready": lambda: ev.ResultReady(**common, decision=data["decision"]),
        "result.returned": lambda: ev.ResultReturned(**common),
        "dossier.withdrawn": lambda: ev.DossierWithdrawn(**common, reason=reason),
        "dossier.stopped": lambda: ev.DossierStopped(**common, reason=reason),
    }
    return simple[fact]()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Orphan:
    pending: PendingFact
    error: InboundError

    @property
    def reply(self) -> dict[str, Any]:
        return {**rejection_reply(self.error, self.pending.event_id), "code": self.pending.code}


def rejection_reply(error: InboundError, event_id: str | None) -> dict[str, Any]:
    return {"status": "rejected", "event_id": event_id, "reason": error.kind, "errors": error.errors}


def reject_orphans(repo: Repository, *, now: datetime, window_seconds: float, pepper: str = "") -> list[Orphan]:
    """Buffered facts older than the window: each dossier, under its lock, first applies what has become
    applicable; what still waits is rejected (its dossier never arrived or never fitted), and its idempotency
    record keeps the rejection so the sender can look its fate up."""
    cutoff = now - timedelta(seconds=window_seconds)
    with repo.transaction() as tx:
        codes = sorted({p.code for p in tx.pending_received_before(cutoff)})
    out: list[Orphan] = []
    for code in codes:
        with repo.transaction() as tx:
            tx.lock_dossiers([code])
            if tx.get_dossier(code) is not None:
                drain_pending(tx, code, now=now, pepper=pepper)
            dossier = tx.get_dossier(code)
            found: list[Orphan] = []
            for p in tx.pending_for(code):
                if p.received_at >= cutoff:
                    continue
                if dossier is None:
                    error = InboundError("unknown_dossier",
                                         f"không có hồ sơ {p.code} sau {int(window_seconds)} giây chờ", "code")
                else:
                    error = InboundError("lifecycle", f"sự kiện không phù hợp trạng thái hồ sơ ({dossier.status})",
                                         "fact")
                orphan = Orphan(p, error)
                tx.delete_pending(p.agency, p.event_id)
                seen = tx.get_received(p.agency, p.event_id)
                tx.put_received(Received(p.agency, p.event_id, seen.digest if seen else digest_of(p.body),
                                         "rejected", orphan.reply, now))
                found.append(orphan)
            after_commit(partial(_count_rejected, tuple(found)))
        out += found
    return out


def _count_rejected(orphans: tuple[Orphan, ...]) -> None:
    for o in orphans:
        metrics.INBOUND_REJECTED.labels(reason=o.error.kind).inc()
