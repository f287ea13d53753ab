"""Registry use cases: effective-dated catalogue, problem reports, agencies/units/officers, source systems."""
from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any

import yaml

from dunghan.contract import events as ev
from dunghan.contract import strict
from dunghan.contract.envelope import envelope_for
from dunghan.contract.events import StepBudget
from intake.domain import InboundError
from intake.ports import Repository, Tx
from intake.records import Agency, Officer, ProblemReport, ProcedureVersion, SourceSystem, Unit

AGENCY_CODE = re.compile(r"[A-Z][A-Z0-9]{1,9}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
UNITS = ("working_days", "working_hours", "calendar_days")
PROCEDURE_CODE = re.compile(r"[A-Z0-9][A-Za-z0-9._-]{0,49}")
CUTOFF = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
MAX_DURATION = 3650.0  # ten years of days (or hours): beyond that a duration is a typing error


def procedure_problem(p: ProcedureVersion) -> tuple[str, str] | None:
    """(field, reason) of the first thing wrong with a procedure version, or None (pure)."""
    checks: list[tuple[bool, str, str]] = [
        (bool(PROCEDURE_CODE.fullmatch(p.code)), "code", "mã thủ tục: 1–50 ký tự A–Z, 0–9, '.', '_', '-'"),
        (bool(AGENCY_CODE.fullmatch(p.agency)), "agency", "mã cơ quan: 2–10 chữ in hoa và chữ số"),
        (0 < len(p.name.strip()) <= 500, "name", "tên thủ tục: 1–500 ký tự"),
        (len(p.field) <= 200, "field", "lĩnh vực: tối đa 200 ký tự"),
        (0 < p.statutory_value <= MAX_DURATION and p.statutory_unit in UNITS, "statutory", "thời hạn luật định"),
        (0 < p.committed_value <= MAX_DURATION and p.committed_unit in UNITS, "committed", "thời hạn cam kết"),
        (strict.in_calendar(p.effective_from), "effective_from",
         f"ngày hiệu lực phải trong khoảng {strict.FIRST_DAY}–{strict.LAST_DAY}"),
        (p.effective_to is None or (strict.in_calendar(p.effective_to) and p.effective_to > p.effective_from),
         "effective_to", "ngày hết hiệu lực phải sau ngày hiệu lực và trong phạm vi lịch"),
        (bool(p.channels) and set(p.channels) <= {1, 2, 3}, "channels", "kênh: 1, 2, 3"),
        (all(s.name.strip() and 0 < s.hours <= MAX_DURATION for s in p.steps), "steps", "bước: tên và số giờ > 0"),
        (bool(CUTOFF.fullmatch(p.cutoff)), "cutoff", "giờ chốt HH:MM"),
        (len(p.legal_basis) <= 2000, "legal_basis", "căn cứ pháp lý: tối đa 2000 ký tự"),
    ]
    return next(((field, reason) for ok, field, reason in checks if not ok), None)


def check_procedure(tx: Tx, p: ProcedureVersion) -> None:
    """Raise ``InboundError`` unless ``p`` may be stored: well formed, of an agency the registry knows."""
    problem = procedure_problem(p)
    if problem is not None:
        raise InboundError("invalid", f"{p.code[:50]!r}: {problem[1]}", problem[0])
    if tx.get_agency(p.agency) is None:
        raise InboundError("invalid", f"không có cơ quan {p.agency!r}", "agency")


def add_procedure_version(tx: Tx, proposed: ProcedureVersion, *, now: datetime) -> tuple[ProcedureVersion, bool]:
    """Store ``proposed`` as the next version (closing the open one it supersedes) and announce every version it
    changed (``procedure_updated``, what the due-date preview computes from); (version, created)."""
    check_procedure(tx, proposed)
    versions = tx.procedure_versions(proposed.code)
    for v in versions:
        if replace(v, version=0, effective_to=None) == replace(proposed, version=0, effective_to=None):
            return v, False
    for v in versions:
        if v.effective_to is None and v.effective_from < proposed.effective_from:
            closed = replace(v, effective_to=proposed.effective_from)
            tx.save_procedure_version(closed)
            _publish(tx, procedure_updated(closed), now)
    stored = replace(proposed, version=max((v.version for v in versions), default=0) + 1)
    tx.save_procedure_version(stored)
    _publish(tx, procedure_updated(stored), now)
    return stored, True


def snapshot(p: ProcedureVersion) -> ev.ProcedureSnapshot:
    """What an event carries of a procedure version: what a deadline is computed from."""
    return ev.ProcedureSnapshot(
        code=p.code, version=p.version, name=p.name, field=p.field, committed_value=p.committed_value,
        committed_unit=p.committed_unit,  # type: ignore[arg-type]
        statutory_value=p.statutory_value, statutory_unit=p.statutory_unit,  # type: ignore[arg-type]
        cutoff=p.cutoff, pause_on_fee=p.pause_on_fee, steps=p.steps,
    )


def procedure_updated(p: ProcedureVersion) -> ev.ProcedureUpdated:
    return ev.ProcedureUpdated(procedure=snapshot(p), agency=p.agency, effective_from=p.effective_from,
                               effective_to=p.effective_to, abolished=p.abolished, channels=tuple(p.channels))


def import_catalogue(repo: Repository, procedures: list[ProcedureVersion], *, now: datetime) -> dict[str, int]:
    if not procedures:
        raise InboundError("invalid", "tệp danh mục không có thủ tục nào", "body")
    created = 0
    with repo.transaction() as tx:
        for p in procedures:
            created += add_procedure_version(tx, p, now=now)[1]
    return {"read": len(procedures), "created": created}


def announce_catalogue(repo: Repository, *, now: datetime) -> int:
    """Announce every stored procedure version again (a deadline database built after the catalogue was)."""
    count = 0
    with repo.transaction() as tx:
        for code in tx.list_procedure_codes(None):
            for v in tx.procedure_versions(code):
                _publish(tx, procedure_updated(v), now)
                count += 1
    return count


def _duration(d: Any, what: str) -> tuple[float, str]:
    if isinstance(d, dict):
        value, unit = d.get("value"), d.get("unit", "working_days")
    else:
        value, unit = d, "working_days"
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= MAX_DURATION \
            or unit not in UNITS:
        raise InboundError("invalid", f"thời hạn {what} không hợp lệ", what)
    return float(value), unit


def _date(v: Any, what: str) -> date:
    if isinstance(v, date) and not isinstance(v, datetime):
        return v
    if isinstance(v, str) and DATE.fullmatch(v):
        try:
            return date.fromisoformat(v)
        except ValueError:
            pass
    raise InboundError("invalid", "ngày không hợp lệ (YYYY-MM-DD)", what)


def _flag(v: Any, what: str) -> bool:
    if not isinstance(v, bool):
        raise InboundError("invalid", "phải là true hoặc false", what)
    return v


def _str(v: Any, what: str) -> str:
    if not isinstance(v, str):
        raise InboundError("invalid", "phải là chuỗi ký tự", what)
    return v


def _channel(v: Any) -> int:
    if type(v) is not int:
        raise InboundError("invalid", "kênh phải là số nguyên 1, 2 hoặc 3", "channels")
    return v


def procedure_from_mapping(m: dict[str, Any], default_agency: str | None = None) -> ProcedureVersion:
    if not isinstance(m, dict):
        raise InboundError("invalid", "mỗi thủ tục phải là một bảng khóa–giá trị", "procedures")
    try:
        stat = _duration(m.get("statutory"), "statutory")
        comm = _duration(m.get("committed", m.get("statutory")), "committed")
        steps = tuple(StepBudget(str(s["name"]), float(s["hours"])) for s in m.get("steps") or ())
        return ProcedureVersion(
            code=_str(m["code"], "code"), version=0, agency=_str(m.get("agency") or default_agency, "agency"),
            name=_str(m["name"], "name"), field=_str(m["field"], "field"), statutory_value=stat[0],
            statutory_unit=stat[1], committed_value=comm[0], committed_unit=comm[1],
            effective_from=_date(m["effective_from"], "effective_from"),
            effective_to=_date(m["effective_to"], "effective_to") if m.get("effective_to") else None,
            abolished=_flag(m.get("abolished", False), "abolished"),
            channels=tuple(_channel(c) for c in m.get("channels", (1, 2, 3))),
            steps=steps, cutoff=_str(m.get("cutoff", "17:00"), "cutoff"),
            pause_on_fee=_flag(m.get("pause_on_fee", False), "pause_on_fee"),
            legal_basis=_str(m.get("legal_basis", ""), "legal_basis"),
        )
    except KeyError as exc:
        raise InboundError("invalid", "thiếu trường bắt buộc", str(exc.args[0])) from exc
    except (TypeError, ValueError) as exc:
        raise InboundError("invalid", f"giá trị không hợp lệ: {type(exc).__name__}", "body") from exc


def parse_catalogue_yaml(text: str) -> list[ProcedureVersion]:
    doc = yaml.safe_load(text) or {}
    if not isinstance(doc, dict) or not isinstance(doc.get("procedures", []), list):
        raise InboundError("invalid", "tệp YAML phải có dạng {agency: ..., procedures: [...]}", "body")
    return [procedure_from_mapping(p, doc.get("agency")) for p in doc.get("procedures", [])]


def parse_catalogue_csv(text: str) -> list[ProcedureVersion]:
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        steps = [s.split(":") for s in (row.get("steps") or "").split(";") if s.strip()]
        out.append(procedure_from_mapping({
            **row,
            "statutory": {"value": float(row["statutory_value"]), "unit": row.get("statutory_unit") or UNITS[0]},
            "committed": {"value": float(row["committed_value"]), "unit": row.get("committed_unit") or UNITS[0]},
            "channels": [int(c) for c in (row.get("channels") or "1;2;3").split(";")],
            "steps": [{"name": n.strip(), "hours": float(h)} for n, h in steps],
            "abolished": (row.get("abolished") or "").lower() in ("1", "true", "x", "có"),
            "pause_on_fee": (row.get("pause_on_fee") or "").lower() in ("1", "true", "x", "có"),
        }))
    return out


def procedure_to_dict(p: ProcedureVersion) -> dict[str, Any]:
    d = asdict(p)
    d["channels"] = list(p.channels)
    return d


def record_problem(repo: Repository, procedure_code: str, agency: str, reported_by: str, summary: str,
                   details: str, *, now: datetime) -> ProblemReport:
    with repo.transaction() as tx:
        if not tx.procedure_versions(procedure_code):
            raise InboundError("unknown_procedure", f"không có thủ tục {procedure_code!r}", "procedure_code")
        return tx.add_problem(ProblemReport(0, procedure_code, agency, reported_by, summary, details, now))


def _publish(tx: Tx, event: ev.Event, now: datetime) -> None:
    tx.outbox(envelope_for(event, now=now, event_id=str(uuid.uuid4())))


def save_unit(tx: Tx, unit: Unit, *, now: datetime) -> None:
    if tx.get_agency(unit.agency) is None:
        raise InboundError("invalid", f"không có cơ quan {unit.agency!r}", "agency")
    if tx.get_unit(unit.code) == unit:
        return
    tx.save_unit(unit)
    _publish(tx, ev.UnitUpdated(unit=unit.code, agency=unit.agency, name=unit.name,
                                head_officer=unit.head_officer, union_contact=unit.union_contact), now)


def check_unit_refs(tx: Tx, unit: Unit) -> None:
    """The head and the union contact a unit names must be officers of its agency (``load_org`` sets them once
    the officers exist, so only the API checks)."""
    for field in ("head_officer", "union_contact"):
        code = getattr(unit, field)
        found = tx.get_officer(code) if code else None
        if code and (found is None or found.agency != unit.agency):
            raise InboundError("invalid", f"không có cán bộ {code!r} của {unit.agency}", field)


def save_officer(tx: Tx, officer: Officer, *, now: datetime) -> None:
    unit = tx.get_unit(officer.unit)
    if unit is None or unit.agency != officer.agency:
        raise InboundError("invalid", f"không có đơn vị {officer.unit!r} của {officer.agency}", "unit")
    if tx.get_officer(officer.code) == officer:
        return
    tx.save_officer(officer)
    _publish(tx, ev.OfficerUpdated(officer=officer.code, agency=officer.agency, unit=officer.unit,
                                   full_name=officer.full_name, email=officer.email, phone=officer.phone,
                                   active=officer.active), now)


def load_org(repo: Repository, text: str, *, now: datetime) -> dict[str, int]:
    """Load ``org_*.yaml``: the agency, its units with their heads, and their officers (idempotent)."""
    doc = yaml.safe_load(text) or {}
    agency = Agency(str(doc["agency"]["code"]), str(doc["agency"]["name"]))
    counts = {"units": 0, "officers": 0}
    with repo.transaction() as tx:
        tx.save_agency(agency)
        heads: list[Unit] = []
        for u in doc.get("units", []):
            unit = Unit(str(u["code"]), agency.code, str(u["name"]), None, u.get("union_contact"))
            save_unit(tx, tx.get_unit(unit.code) or unit, now=now)
            heads.append(replace(unit, head_officer=u.get("head")))
            for o in u.get("officers", []):
                save_officer(tx, Officer(
                    code=str(o["code"]), agency=agency.code, unit=unit.code, full_name=str(o["full_name"]),
                    title=str(o.get("title", "")), email=o.get("email"), phone=str(o["phone"]) if o.get("phone")
                    else None, active=bool(o.get("active", True)),
                ), now=now)
                counts["officers"] += 1
            counts["units"] += 1
        for unit in heads:
            save_unit(tx, unit, now=now)
    return counts


def save_source(repo: Repository, source: SourceSystem) -> None:
    with repo.transaction() as tx:
        tx.save_source(source)
