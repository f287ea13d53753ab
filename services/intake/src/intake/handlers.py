"""Use cases: record a lifecycle fact (registry + history + outbox in one transaction) by its entry in
``intake.facts``, buffered facts, orphans."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from dunghan.clock import LOCAL_TZ
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
    effective_version,
)
from intake.facts import Fact, FactSpec, spec_of
from intake.inbound import load_fact
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
    repo: Repository, cmd: Fact, sender: Sender, *, now: datetime, pepper: str, digest: str,
    reply_to: str | None = None, correlation_id: str | None = None, max_skew_seconds: float | None = None,
) -> Outcome:
    """Record one validated fact; raises InboundError when it must be rejected (nothing is then stored)."""
    agency, code, event_id = cmd.agency, cmd.code, cmd.event_id
    if agency != sender.agency:
        raise InboundError("forged", f"{sender.name} không được gửi sự kiện của cơ quan {agency}", "agency")
    reason = check_code(code, agency)
    if reason:
        raise InboundError("invalid", reason, "code")
    future = None if max_skew_seconds is None else check_not_future(cmd.occurred_at, now, max_skew_seconds)
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
        verdict = spec_of(cmd).transition.verdict(_state(dossier), cmd.occurred_at)
        if verdict.action == "reject":
            raise InboundError("lifecycle", verdict.reason, verdict.field)
        base: dict[str, Any] = {"event_id": event_id, "code": code}
        if verdict.action == "buffer":
            tx.add_pending(PendingFact(
                agency=agency, event_id=event_id, code=code, fact=cmd.fact, occurred_at=cmd.occurred_at,
                body=cmd.as_json(), source=sender.name, received_at=now, reply_to=reply_to,
                correlation_id=correlation_id,
            ))
            reply = {"status": "buffered", **base, "reason": verdict.reason}
            tx.put_received(Received(agency, event_id, digest, "buffered", reply, now))
            return Outcome(reply)
        assert verdict.status is not None
        _apply(tx, dossier, cmd, verdict.status, sender.name, now=now, pepper=pepper)
        reply = {"status": "accepted", **base, "dossier_status": int(verdict.status)}
        tx.put_received(Received(agency, event_id, digest, "applied", reply, now))
        if state.buffered:
            drain_pending(tx, code, now=now, pepper=pepper)
    return Outcome(reply)


def _state(d: Dossier | None) -> DossierState | None:
    return None if d is None else DossierState(Status(d.status), d.accepted_at)


def drain_pending(tx: Tx, code: str, *, now: datetime, pepper: str) -> int:
    """Apply every buffered fact of ``code`` that has become applicable, in occurrence order, until none is;
    each applied one's idempotency record turns ``applied``. The caller holds the dossier's lock."""
    applied, progressed = 0, True
    while progressed:
        progressed = False
        for p in tx.pending_for(code):
            dossier = tx.get_dossier(code)
            cmd = load_fact(p.body)
            verdict = spec_of(cmd).transition.verdict(_state(dossier), cmd.occurred_at)
            if verdict.action != "apply":
                continue
            assert verdict.status is not None
            try:
                _apply(tx, dossier, cmd, verdict.status, p.source, now=now, pepper=pepper)
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


def _check_staff(tx: Tx, agency: str, unit: str | None, officer: str | None) -> None:
    if unit is not None:
        u = tx.get_unit(unit)
        if u is None or u.agency != agency:
            raise InboundError("invalid", f"đơn vị {unit!r} không có trong danh mục của {agency}", "unit")
    if officer is not None:
        o = tx.get_officer(officer)
        if o is None or o.agency != agency:
            raise InboundError("invalid", f"cán bộ {officer!r} không có trong danh mục của {agency}", "officer")
        if unit is not None and o.unit != unit:
            raise InboundError("invalid", f"cán bộ {officer!r} thuộc đơn vị {o.unit!r}, không thuộc đơn vị "
                                          f"{unit!r} nêu trong thông điệp", "officer")


def _apply(
    tx: Tx, dossier: Dossier | None, cmd: Fact, status: Status, source: str, *, now: datetime, pepper: str,
) -> Dossier:
    """The fact's entry changes the dossier (after checking the staff and the procedure it names), publishes its
    canonical event through the outbox and appends it to the history."""
    spec, agency, at = spec_of(cmd), cmd.agency, cmd.occurred_at
    _check_staff(tx, agency, *spec.staff(cmd))
    d = dossier or Dossier(code=cmd.code, agency=agency, status=int(status))
    procedure_code, channel = spec.procedure(cmd) if spec.procedure else (None, None)
    procedure = None
    if procedure_code:
        procedure = procedure_at(tx, procedure_code, agency, at)
        if channel and channel not in procedure.channels:
            raise InboundError("invalid", "thủ tục không tiếp nhận qua kênh này", "channel")
        d = replace(d, procedure_code=procedure.code, procedure_version=procedure.version,
                    procedure_field=procedure.field)
    d = replace(spec.update(replace(d, status=int(status)), cmd, pepper), updated_at=now)
    tx.save_dossier(d)
    event = spec.event(cmd, d, procedure)
    envelope = envelope_for(event, now=at, event_id=canonical_event_id(agency, cmd.event_id))
    tx.outbox(envelope)
    tx.append_history(HistoryEntry(
        code=d.code, seq=0, fact=cmd.fact, occurred_at=at, received_at=now, source=source,
        sender_event_id=cmd.event_id, status=d.status, unit=d.unit, officer=d.officer, step=d.step,
        canonical_event_id=envelope.id, details=_details(cmd),
    ))
    after_commit(lambda: _count(agency, spec, d))  # a consumer batch that rolls back counts nothing
    return d


def _count(agency: str, spec: FactSpec[Any], d: Dossier) -> None:
    metrics.LIFECYCLE_EVENTS.labels(agency=agency, kind=spec.name).inc()
    if spec.received:
        metrics.DOSSIERS_RECEIVED.labels(agency=agency, channel=str(d.channel),
                                         procedure_field=d.procedure_field or "").inc()


def _details(cmd: Fact) -> dict[str, Any]:
    """What the history keeps of the message beyond its own columns: no personal data but the applicant's name."""
    skip = {"fact", "event_id", "code", "agency", "occurred_at", "applicant"}
    loaded = cmd.as_json()
    out = {k: v for k, v in loaded.items() if k not in skip}
    if "applicant" in loaded:
        out["applicant_name"] = loaded["applicant"]["name"]
    return out


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
