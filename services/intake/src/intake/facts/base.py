"""What every fact entry is made of: the command base and its wire fields, the derived schema, the spec."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from marshmallow import RAISE, Schema, fields, missing, post_load, validate

from dunghan.contract import events as ev
from dunghan.contract import strict
from intake.domain import Transition, hash_id_number
from intake.records import Dossier, ProcedureVersion

AGENCY_PATTERN = r"[A-Z][A-Z0-9]{1,9}"
CODE_PATTERN = r"[A-Z][A-Z0-9]{1,9}-[0-9]{6}-[0-9]{4}"
EVENT_ID_PATTERN = r"[A-Za-z0-9._:-]{1,100}"
ID_NUMBER_PATTERN = r"[0-9]{9}([0-9]{3})?"
PHONE_PATTERN = r"(0|\+84)[0-9]{9,10}"
MAX_AMOUNT_VND = 10**13
FACT_NAME = fields.String(required=True)  # the schema's first field; the command knows it as ``fact``


def wire(f: fields.Field) -> Any:
    """A command field read from the message by ``f``; optional when ``f`` is, with its default (else None)."""
    if f.required:
        return dataclasses.field(metadata={"wire": f})
    return dataclasses.field(default=None if f.load_default is missing else f.load_default, metadata={"wire": f})


def text(required: bool = True, max_len: int = 500, **kw: Any) -> fields.String:
    return fields.String(required=required, validate=validate.Length(min=1, max=max_len), **kw)


def ref(required: bool = True) -> fields.String:
    return fields.String(required=required, validate=validate.Length(min=1, max=50))


def channel(required: bool = False, **kw: Any) -> strict.Integer:
    return strict.Integer(required=required, validate=validate.OneOf([1, 2, 3]),
                          metadata={"description": "1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích"}, **kw)


def schema_of(cls: type) -> type[Schema]:
    """The strict marshmallow schema of a command (or nested) dataclass, its fields in declaration order."""
    attrs: dict[str, Any] = {"fact": FACT_NAME} if issubclass(cls, Fact) else {}
    attrs.update({f.name: f.metadata["wire"] for f in dataclasses.fields(cls)})

    def make(self: Schema, data: dict[str, Any], **_: Any) -> Any:
        data.pop("fact", None)
        return cls(**data)

    attrs["Meta"] = type("Meta", (), {"unknown": RAISE})
    attrs["make"] = post_load(make)
    return type(f"{cls.__name__}Schema", (Schema,), attrs)


@dataclass(frozen=True, kw_only=True)
class Applicant:
    name: str = wire(text(max_len=200, metadata={"description": "Họ tên người nộp / tên tổ chức"}))
    id_number: str | None = wire(fields.String(
        validate=strict.pattern(ID_NUMBER_PATTERN),
        metadata={"description": "Số CMND/CCCD (9 hoặc 12 chữ số); chỉ dùng để tra cứu"}))
    phone: str | None = wire(fields.String(validate=strict.pattern(PHONE_PATTERN)))
    email: str | None = wire(fields.Email(validate=validate.Length(max=200)))
    address: str | None = wire(text(required=False, max_len=300))


def with_applicant(d: Dossier, a: Applicant, pepper: str) -> Dossier:
    """The applicant's name and contacts; the id number only as its peppered hash."""
    id_hash = hash_id_number(pepper, a.id_number) if a.id_number else d.id_number_hash
    return replace(d, applicant_name=a.name, id_number_hash=id_hash, applicant_phone=a.phone or d.applicant_phone,
                   applicant_email=a.email or d.applicant_email)


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A lifecycle fact as a sender states it: the base of the 13 commands (``fact`` names the one)."""

    fact: ClassVar[str]
    event_id: str = wire(fields.String(required=True, validate=strict.pattern(EVENT_ID_PATTERN),
                                       metadata={"description": "Mã sự kiện của hệ thống gửi: khóa chống trùng"}))
    code: str = wire(fields.String(required=True, validate=strict.pattern(CODE_PATTERN),
                                   metadata={"description": "Mã hồ sơ <mã cơ quan>-<yymmdd>-<4 chữ số>"}))
    agency: str = wire(fields.String(required=True, validate=strict.pattern(AGENCY_PATTERN)))
    occurred_at: datetime = wire(strict.AwareDateTime(required=True,
                                                      metadata={"description": "Thời điểm sự việc xảy ra"}))
    note: str | None = wire(text(required=False, max_len=1000))

    def as_json(self) -> dict[str, Any]:
        """The fields as loaded, as JSON values (what the buffer keeps and loads again)."""
        return {"fact": self.fact, **_json(self)}


APPLICANT = schema_of(Applicant)


def applicant_field() -> fields.Nested:
    return fields.Nested(APPLICANT, required=True)


def _json(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if v is None:
            continue
        out[f.name] = _json(v) if dataclasses.is_dataclass(v) else v.isoformat() if isinstance(v, date) else v
    return out


C = TypeVar("C", bound=Fact)
Staff = tuple[str | None, str | None]


def no_staff(cmd: Fact) -> Staff:
    return None, None


@dataclass(frozen=True)
class FactSpec(Generic[C]):
    """One fact, whole: the command its message loads into (through the schema derived from it), where it takes
    the dossier, what it changes in the dossier, the canonical event it publishes; ``staff`` is the (unit,
    officer) it names, checked against the registry; ``procedure`` the (procedure code, channel) it names,
    resolved to the version in force; ``received``: counted in ``intake_dossiers_received_total``."""

    command: type[C]
    transition: Transition
    update: Callable[[Dossier, C, str], Dossier]  # (dossier at its new status, command, id-number pepper)
    event: Callable[[C, Dossier, ProcedureVersion | None], ev.Event]
    staff: Callable[[C], Staff] = no_staff
    procedure: Callable[[C], tuple[str | None, int | None]] | None = None
    received: bool = False
    schema: Schema = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schema", schema_of(self.command)())  # built once: loading mutates nothing

    @property
    def name(self) -> str:
        return self.command.fact


def common(cmd: Fact, d: Dossier) -> dict[str, Any]:
    """The fields every canonical lifecycle event starts with."""
    return {"code": d.code, "agency": d.agency, "occurred_at": cmd.occurred_at}


def unchanged(d: Dossier, cmd: Fact, pepper: str) -> Dossier:
    return d
