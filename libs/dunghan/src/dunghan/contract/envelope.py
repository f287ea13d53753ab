"""CloudEvents 1.0 structured JSON envelope around an event's data."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dunghan.contract import safejson
from dunghan.contract.events import EVENT_TYPES, Event
from dunghan.contract.fastload import fast_load
from dunghan.contract.schemas import schema_instance

CONTENT_TYPE = "application/cloudevents+json"


class ContractError(ValueError):
    """A message that does not follow the contract; ``field`` names the offending field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class CloudEvent:
    id: str
    source: str
    type: str
    time: datetime
    subject: str | None
    data: dict[str, Any]
    specversion: str = "1.0"
    datacontenttype: str = "application/json"

    def event(self) -> Event:
        """The typed event; raises ContractError for an unknown type or invalid data."""
        cls = EVENT_TYPES.get(self.type)
        if cls is None:
            raise ContractError("type", f"unknown event type {self.type!r}")
        loaded = fast_load(cls, self.data)
        if loaded is not None:
            return loaded  # type: ignore[no-any-return]
        from marshmallow import ValidationError

        try:
            return schema_instance(cls).load(self.data)  # type: ignore[no-any-return]
        except ValidationError as exc:
            field = next(iter(exc.normalized_messages()), "data")
            raise ContractError(f"data.{field}", str(exc.normalized_messages()[field])) from exc

    def to_dict(self) -> dict[str, Any]:
        d = {
            "specversion": self.specversion, "id": self.id, "source": self.source, "type": self.type,
            "time": self.time.isoformat(), "datacontenttype": self.datacontenttype, "data": self.data,
        }
        if self.subject is not None:
            d["subject"] = self.subject
        return d


def envelope_for(ev: Event, *, now: datetime, event_id: str | None = None) -> CloudEvent:
    return CloudEvent(
        id=event_id or str(uuid.uuid4()), source=ev.SOURCE, type=ev.TYPE, time=now,
        subject=ev.subject, data=ev.to_data(),
    )


def encode(ce: CloudEvent) -> bytes:
    return json.dumps(ce.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


def decode(body: bytes) -> CloudEvent:
    try:
        raw = safejson.loads(body)
    except safejson.UnsafeJson as exc:
        raise ContractError(exc.field, exc.reason) from exc
    if not isinstance(raw, dict):
        raise ContractError("body", "not a JSON object")
    for key in ("specversion", "id", "source", "type", "time"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ContractError(key, "missing or not a string")
    if raw["specversion"] != "1.0":
        raise ContractError("specversion", "must be 1.0")
    try:
        time = datetime.fromisoformat(raw["time"])
    except ValueError as exc:
        raise ContractError("time", "not an ISO 8601 instant") from exc
    if time.tzinfo is None:
        time = time.replace(tzinfo=UTC)
    data = raw.get("data", {})
    if not isinstance(data, dict):
        raise ContractError("data", "not a JSON object")
    return CloudEvent(
        id=raw["id"], source=raw["source"], type=raw["type"], time=time,
        subject=raw.get("subject"), data=data,
        datacontenttype=raw.get("datacontenttype", "application/json"),
    )
