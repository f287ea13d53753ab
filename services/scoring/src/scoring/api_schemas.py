"""What scoring's HTTP API answers, as marshmallow schemas: flask-smorest serialises each view's return value
with them and documents them in ``/openapi.json`` (schemathesis checks the answers against them).

Rows read from the database (corrections, proposals, their log) are ``Open``: their declared fields are typed and
documented, and any further column a row carries is passed through as JSON rather than dropped."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import INCLUDE, Schema, fields, post_dump, pre_dump

from scoring.domain import Standing

BINARY = {"schema": {"type": "string", "format": "binary"}}


def files(*mimetypes: str, description: str) -> dict[str, Any]:
    """``@blp.doc`` of a 200 that is a file download when ``format`` asks for one (beside the JSON)."""
    return {"responses": {200: {"description": description, "content": {m: BINARY for m in mimetypes}}}}


def _json(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


class _Iso:
    """A date or timestamp as ISO 8601; a value already written as text passes unchanged."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value if value is None or isinstance(value, str) else value.isoformat()


class IsoDate(_Iso, fields.Date):  # type: ignore[misc]
    pass


class IsoDateTime(_Iso, fields.DateTime):  # type: ignore[misc]
    pass


class Open(Schema):
    """Declared fields typed; the other keys of a mapping pass through (dates as ISO 8601)."""

    class Meta:
        unknown = INCLUDE  # documented as ``additionalProperties: true``

    @post_dump(pass_original=True)
    def _rest(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        if isinstance(original, Mapping):
            return {**{k: _json(v) for k, v in original.items() if k not in data}, **data}
        return data


# ---- campaigns ----
class PhaseOut(Open):
    key = fields.String(required=True)
    name = fields.String(required=True)
    starts_on = IsoDate(required=True)
    ends_on = IsoDate(required=True)
    review_date = IsoDate(required=True)


class CampaignOut(Open):
    id = fields.String(required=True)
    name = fields.String(required=True)
    agency = fields.String(required=True)
    plan = fields.String(required=True)
    phases = fields.List(fields.Nested(PhaseOut), required=True)
    scoring = fields.Dict(required=True, metadata={"description": "tiêu chí, điều kiện, khen thưởng, vai trò"})
    final_review_date = IsoDate(required=True)
    agency_name = fields.String(allow_none=True)
    union = fields.String(allow_none=True)


class CampaignItemOut(CampaignOut):
    states = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "trạng thái từng đợt: open hoặc closed"})


class CampaignListOut(Schema):
    items = fields.List(fields.Nested(CampaignItemOut), required=True)


# ---- standings, steps, closing, corrections ----
class LateOfficerOut(Schema):
    officer = fields.String(required=True)
    name = fields.String(required=True)
    late = fields.Integer(required=True)


class StepOut(Schema):
    step = fields.String(required=True)
    handled = fields.Integer(required=True)
    early = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    late_share = fields.Float(required=True)
    top_late_officers = fields.List(fields.Nested(LateOfficerOut), required=True)


class CorrectionFlagOut(Open):
    code = fields.String(required=True)
    outcome = fields.String(required=True)
    previous_outcome = fields.String(allow_none=True)
    recorded_at = IsoDateTime(required=True)


class EntryOut(Schema):
    rank = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    score = fields.Float(required=True)
    role = fields.String(required=True, metadata={"description": "nhóm vai trò của cán bộ (xếp hạng trong nhóm)"})
    criteria = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    gates = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    eligible = fields.Boolean(required=True)
    complaints = fields.Integer(required=True)
    disciplined = fields.Boolean(required=True)
    corrected = fields.Boolean(required=True)
    corrections = fields.List(fields.Nested(CorrectionFlagOut), required=True)


class ProposalDraftOut(Open):
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    amount_vnd = fields.Integer(required=True)
    criteria = fields.List(fields.String(), required=True)
    unit = fields.String()
    role = fields.String()
    corrections = fields.List(fields.Nested(CorrectionFlagOut))


def entry(s: Standing, flags: Mapping[tuple[str, str], list[dict[str, Any]]]) -> dict[str, Any]:
    t = s.tally
    corrections = flags.get((t.kind, t.subject), [])
    return {"rank": s.rank, "kind": t.kind, "subject": t.subject, "name": t.name, "unit": t.unit, "score": s.score,
            "role": t.role, "criteria": s.values, "gates": s.gates, "eligible": s.eligible,
            "complaints": t.complaints, "disciplined": t.disciplined,
            "corrected": bool(corrections), "corrections": corrections}


class StandingsOut(Schema):
    """Dumped from ``readers.Standings``."""

    campaign = fields.String(required=True)
    phase = fields.String(required=True)
    phase_name = fields.String(required=True)
    state = fields.String(required=True)
    kind = fields.String(required=True)
    closed_at = IsoDateTime(required=True, allow_none=True)
    config = fields.Dict(required=True)
    entries = fields.List(fields.Nested(EntryOut), required=True)
    proposals = fields.List(fields.Nested(ProposalDraftOut), required=True)
    steps = fields.List(fields.Nested(StepOut), required=True)

    @pre_dump
    def _from(self, st: Any, **_: Any) -> dict[str, Any]:
        return {"campaign": st.campaign.id, "phase": st.phase.key, "phase_name": st.phase.name, "state": st.state,
                "kind": st.kind, "closed_at": st.closed_at, "config": st.config,
                "entries": [entry(s, st.flags) for s in st.entries], "proposals": st.proposals, "steps": st.steps}


class StepsOut(Schema):
    campaign = fields.String(required=True)
    phase = fields.String(required=True)
    state = fields.String(required=True)
    unit = fields.String(required=True, allow_none=True)
    officer = fields.String(required=True, allow_none=True)
    steps = fields.List(fields.Nested(StepOut), required=True)


class ClosedEntryOut(Schema):
    rank = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    name = fields.String(required=True)
    score = fields.Float(required=True)
    handled = fields.Integer(required=True)
    late = fields.Integer(required=True)
    eligible = fields.Boolean(required=True)
    role = fields.String(required=True)


class RewardOut(Schema):
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    amount_vnd = fields.Integer(required=True)
    criteria = fields.List(fields.String(), required=True)


class ClosedOut(Schema):
    """The frozen result of a phase (the ``phase_closed`` event) and its per-step figures."""

    campaign = fields.String(required=True)
    phase = fields.String(required=True)
    standings = fields.List(fields.Nested(ClosedEntryOut), required=True)
    proposals = fields.List(fields.Nested(RewardOut), required=True)
    steps = fields.List(fields.Nested(StepOut), required=True)


class CorrectionOut(Open):
    code = fields.String(required=True)
    unit = fields.String(required=True)
    officer = fields.String(required=True)
    outcome = fields.String(required=True)
    previous_outcome = fields.String(allow_none=True)
    stopped_at = IsoDateTime()
    recorded_at = IsoDateTime(required=True)
    steps = fields.Raw(allow_none=True, metadata={"description": "các bước của hồ sơ (đơn vị, cán bộ)"})


class CorrectionsOut(Schema):
    items = fields.List(fields.Nested(CorrectionOut), required=True)


class CreatedOut(Schema):
    id = fields.Integer(required=True)


# ---- rules and reward proposals ----
class RulesOut(Schema):
    campaign = fields.String(required=True)
    rules = fields.List(fields.String(), required=True)
    roles = fields.List(fields.Dict(), required=True)
    leadership = fields.Dict(required=True)


class ProposalOut(Open):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    amount_vnd = fields.Integer(required=True)
    criteria = fields.List(fields.String(), required=True)
    status = fields.String(required=True, metadata={"description": "proposed hoặc removed"})
    reason = fields.String()
    updated_at = IsoDateTime()
    corrections = fields.List(fields.Nested(CorrectionFlagOut), required=True)


class ProposalLogOut(Open):
    action = fields.String(required=True)
    by = fields.String(required=True)
    role = fields.String(required=True)
    at = IsoDateTime(required=True)
    proposal_id = fields.Integer(allow_none=True)
    reason = fields.String()
    details = fields.Raw()


class ReviewOut(Schema):
    """Dumped from ``awards.ProposalReview``."""

    campaign = fields.String(required=True)
    phase = fields.String(required=True)
    phase_name = fields.String(required=True)
    final = fields.Boolean(required=True)
    state = fields.String(required=True, metadata={"description": "drafted, compiled hoặc decided"})
    decision_number = fields.String(required=True, allow_none=True)
    decision_date = IsoDate(required=True, allow_none=True)
    items = fields.List(fields.Nested(ProposalOut), required=True)
    log = fields.List(fields.Nested(ProposalLogOut), required=True)

    @pre_dump
    def _from(self, r: Any, **_: Any) -> dict[str, Any]:
        p = r.phase
        return {"campaign": r.campaign.id, "phase": p.key, "phase_name": p.name, "final": p.final,
                "state": r.state, "decision_number": r.decision_number, "decision_date": r.decision_date,
                "items": r.items, "log": r.log}


class RemovedOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


class ReviewStateOut(Schema):
    state = fields.String(required=True)
