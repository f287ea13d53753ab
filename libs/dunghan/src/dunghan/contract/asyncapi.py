"""The AsyncAPI 3.0 document of the integration contract, built from the code: the broker topology
(``dunghan.bus.topology``), the canonical events (``dunghan.contract.events``) with their meanings
(``descriptions``), and the inbound side a service passes in (facts' JSON Schemas, replies, rejection reasons).

``docs/integration/asyncapi.yaml`` is this document; a test fails when it drifts (``make asyncapi`` rewrites it).
"""
from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from dunghan.bus.topology import EVENTS_EXCHANGE, INBOUND_EXCHANGE, TOPOLOGY, Topology, queue_arguments
from dunghan.contract.descriptions import EVENTS, FIELDS, VALUES, lookup
from dunghan.contract.envelope import CONTENT_TYPE
from dunghan.contract.events import EVENT_TYPES, TYPE_PREFIX, routing_key

AMQP_BINDING = "0.3.0"
_SCALARS: dict[Any, dict[str, str]] = {
    str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"}, bool: {"type": "boolean"},
    datetime: {"type": "string", "format": "date-time"}, date: {"type": "string", "format": "date"},
}
TIME_MEANING = (
    "Thời điểm của sự kiện chuẩn. `intake.*`: bằng `occurred_at` của sự việc (thời điểm hệ thống nghiệp vụ gửi). "
    "`deadline.*` và `scoring.*`: thời điểm Đúng hạn xử lý và phát sự kiện — không phải thời điểm sự việc; dùng "
    "các trường trong `data` (`due_at`, `stopped_at`…) cho nghiệp vụ."
)

SEND_PROPERTIES = (
    "Thuộc tính AMQP của thông điệp: `user_id` = tên người dùng AMQP đang kết nối (RabbitMQ kiểm tra; intake "
    "ánh xạ sang cơ quan), `message_id` = `event_id`, `content_type` = `application/json`, `delivery_mode` = 2, "
    "`reply_to` + `correlation_id` để nhận phản hồi. Gửi với publisher confirms và `mandatory`; gửi lại khi không "
    "chắc chắn là an toàn (chống trùng theo `event_id`)."
)
EVENT_HEADERS = {
    "type": "object",
    "properties": {
        "ce-type": {"type": "string", "description": "Bằng `type` của sự kiện (lọc mà không cần đọc thân)."},
        "ce-subject": {"type": "string", "description": "Bằng `subject` (mã hồ sơ), rỗng nếu không có."},
    },
}


@dataclass(frozen=True)
class Inbound:
    """The inbound side, from the service that owns it: each fact's JSON Schema, the replies, the rejections."""

    version: str
    facts: Mapping[str, dict[str, Any]]
    replies: Mapping[str, dict[str, Any]]
    rejections: Mapping[str, str]
    description: str = ""


def _describe(schema: dict[str, Any], cls: str, name: str, nullable: bool) -> dict[str, Any]:
    text = lookup(FIELDS, cls, name)  # type: ignore[arg-type]
    values = lookup(VALUES, cls, name)  # type: ignore[arg-type]
    if isinstance(values, dict):
        target = schema["items"] if schema.get("type") == "array" else schema
        if "enum" not in target:
            target["enum"] = list(values) + ([None] if nullable and target is schema else [])
        listed = "; ".join(f"`{v}`: {meaning}" for v, meaning in values.items())
        text = f"{text} Giá trị — {listed}." if text else f"Giá trị — {listed}."
    if text:
        schema["description"] = text
    return schema


def _type_schema(tp: Any, found: dict[str, type]) -> tuple[dict[str, Any], bool]:
    """(schema, nullable) of a type hint; dataclasses become ``$ref``s collected in ``found``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        schema, _ = _type_schema(inner, found)
        if "$ref" in schema:
            return {"oneOf": [schema, {"type": "null"}]}, True
        return {**schema, "type": [schema["type"], "null"]}, True
    if origin is tuple:
        item, _ = _type_schema(args[0], found)
        return {"type": "array", "items": item}, False
    if origin is typing.Literal:
        return {"type": "string", "enum": list(args)}, False
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        found[tp.__name__] = tp
        return {"$ref": f"#/components/schemas/{tp.__name__}"}, False
    return dict(_SCALARS[tp]), False


def dataclass_schema(cls: type, found: dict[str, type]) -> dict[str, Any]:
    """JSON Schema (AsyncAPI schema) of an event or nested dataclass, each field described."""
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        schema, nullable = _type_schema(hints[f.name], found)
        if f.default is not dataclasses.MISSING:
            schema["default"] = list(f.default) if isinstance(f.default, tuple) else f.default
        elif f.default_factory is not dataclasses.MISSING:
            schema["default"] = list(f.default_factory())  # type: ignore[call-overload]
        else:
            required.append(f.name)
        props[f.name] = _describe(schema, cls.__name__, f.name, nullable)
    out: dict[str, Any] = {"type": "object", "properties": props, "required": required}
    doc = EVENTS.get(cls.__name__) or (cls.__doc__ or "").strip()
    if doc:
        out["description"] = doc
    return out


def _envelope(event_type: str, source: str, data_ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "datacontenttype", "data"],
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {"type": "string", "description": "Mã duy nhất của sự kiện chuẩn: khóa chống trùng phía nhận. "
                   "`intake.*`: suy ra từ (cơ quan, `event_id` của người gửi), gửi lại không tạo mã mới."},
            "source": {"type": "string", "const": source},
            "type": {"type": "string", "const": event_type,
                     "description": f"Kiểu sự kiện: tiền tố `{TYPE_PREFIX}` + routing key."},
            "time": {"type": "string", "format": "date-time", "description": TIME_MEANING},
            "subject": {"type": "string", "description": "Mã hồ sơ (nếu sự kiện thuộc một hồ sơ)."},
            "datacontenttype": {"type": "string", "const": "application/json"},
            "data": {"$ref": data_ref},
        },
    }


def _amqp_exchange(name: str) -> dict[str, Any]:
    return {"amqp": {"is": "routingKey", "exchange": {"name": name, "type": "topic", "durable": True,
                                                       "autoDelete": False, "vhost": "/"},
                     "bindingVersion": AMQP_BINDING}}


def _key(fact: str) -> str:
    return fact.replace(".", "_")


def _inbound_parts(inbound: Inbound, doc: dict[str, Any]) -> None:
    comps, channels, operations = doc["components"], doc["channels"], doc["operations"]
    for name, schema in inbound.replies.items():
        comps["schemas"][f"reply_{name}"] = copy.deepcopy(schema)
        comps["messages"][f"reply_{name}"] = {
            "name": f"reply_{name}", "title": f"Phản hồi `{name}`", "contentType": "application/json",
            "correlationId": {"$ref": "#/components/correlationIds/sender"},
            "payload": {"$ref": f"#/components/schemas/reply_{name}"},
        }
    channels["replies"] = {
        "address": None,
        "title": "Phản hồi của intake",
        "description": "Hàng đợi của người gửi nêu trong thuộc tính AMQP `reply_to` (exchange mặc định). Phản hồi "
                       "thứ nhất sau khi ghi vào cơ sở dữ liệu; một sự kiện `buffered` có thể nhận phản hồi "
                       "thứ hai "
                       "`rejected` khi hết thời gian chờ. Giữ hàng đợi đến lúc đó.",
        "messages": {n: {"$ref": f"#/components/messages/reply_{n}"} for n in inbound.replies},
    }
    for fact, schema in inbound.facts.items():
        body = {k: v for k, v in copy.deepcopy(schema).items() if k not in ("$schema", "$id")}
        comps["schemas"][f"fact_{_key(fact)}"] = body
        comps["messages"][f"fact_{_key(fact)}"] = {
            "name": fact, "title": fact, "contentType": "application/json",
            "summary": body.get("title", fact),
            "correlationId": {"$ref": "#/components/correlationIds/sender"},
            "payload": {"$ref": f"#/components/schemas/fact_{_key(fact)}"},
            "bindings": {"amqp": {"messageType": fact, "contentEncoding": "utf-8",
                                  "bindingVersion": AMQP_BINDING}},
        }
        channels[f"inbound_{_key(fact)}"] = {
            "address": f"{{agency}}.{fact}",
            "title": f"{INBOUND_EXCHANGE}: {fact}",
            "parameters": {"agency": {"$ref": "#/components/parameters/agency"}},
            "messages": {"fact": {"$ref": f"#/components/messages/fact_{_key(fact)}"}},
            "bindings": _amqp_exchange(INBOUND_EXCHANGE),
        }
        operations[f"send_{_key(fact)}"] = {
            "action": "send", "title": f"Gửi {fact}", "description": SEND_PROPERTIES,
            "channel": {"$ref": f"#/channels/inbound_{_key(fact)}"},
            "messages": [{"$ref": f"#/channels/inbound_{_key(fact)}/messages/fact"}],
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": AMQP_BINDING}},
            "reply": {"address": {"location": "$message.header#/reply_to",
                                  "description": "Thuộc tính AMQP `reply_to` của thông điệp gửi."},
                      "channel": {"$ref": "#/channels/replies"},
                      "messages": [{"$ref": f"#/channels/replies/messages/{n}"} for n in inbound.replies]},
        }


def _event_parts(doc: dict[str, Any]) -> None:
    comps, channels, operations = doc["components"], doc["channels"], doc["operations"]
    found: dict[str, type] = {}
    for event_type, cls in EVENT_TYPES.items():
        key = routing_key(event_type)
        ident = key.replace(".", "_")
        comps["schemas"][cls.__name__] = dataclass_schema(cls, found)
        comps["messages"][ident] = {
            "name": event_type, "title": key, "summary": EVENTS.get(cls.__name__, ""),
            "contentType": CONTENT_TYPE,
            "headers": EVENT_HEADERS,
            "payload": _envelope(event_type, cls.SOURCE, f"#/components/schemas/{cls.__name__}"),
            "bindings": {"amqp": {"messageType": event_type, "contentEncoding": "utf-8",
                                  "bindingVersion": AMQP_BINDING}},
        }
        channels[f"events_{ident}"] = {
            "address": f"{key}.{{agency}}", "title": f"{EVENTS_EXCHANGE}: {key}.<cơ quan>",
            "description": "Routing key: loại sự kiện và mã cơ quan của hồ sơ (`_` khi sự kiện không thuộc "
                           "cơ quan nào). Hệ thống nghiệp vụ chỉ được bind khóa kết thúc bằng cơ quan của mình.",
            "parameters": {"agency": {"$ref": "#/components/parameters/agency"}},
            "messages": {"event": {"$ref": f"#/components/messages/{ident}"}},
            "bindings": _amqp_exchange(EVENTS_EXCHANGE),
        }
        operations[f"receive_{ident}"] = {
            "action": "receive", "title": f"Nhận {key}",
            "channel": {"$ref": f"#/channels/events_{ident}"},
            "messages": [{"$ref": f"#/channels/events_{ident}/messages/event"}],
        }
    while found:
        name, cls = found.popitem()
        if name not in comps["schemas"]:
            comps["schemas"][name] = dataclass_schema(cls, found)


def topology_extension(topology: Topology) -> dict[str, Any]:
    """Exchanges, the services' queues (arguments and binding keys) and every AMQP user with its permissions
    and topic permissions (which routing keys it may publish and bind)."""
    from dunghan.bus import permissions

    topics = permissions.topic_permissions()
    return {
        "exchanges": [{"name": ex, "type": "topic", "durable": True} for ex in topology.exchanges],
        "queues": [
            {"name": q.qname(), "exchange": q.exchange, "bindingKeys": list(q.bindings),
             "arguments": queue_arguments(q), "deadLetterQueue": q.dlq()}
            for q in topology.queues
        ] + [{"name": n, "arguments": {"x-queue-type": "quorum"}} for n in topology.extra_queues],
        "users": [{"name": name, "vhost": "/", **perms, "topicPermissions": topics.get(name, [])}
                  for name, perms in sorted(permissions.users().items())],
    }


def document(inbound: Inbound, topology: Topology = TOPOLOGY) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "id": "urn:vn:dunghan:integration",
        "info": {
            "title": "Đúng hạn — hợp đồng tích hợp qua RabbitMQ",
            "version": inbound.version,
            "description": inbound.description,
        },
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": {
            "host": "{host}:5672", "protocol": "amqp", "protocolVersion": "0.9.1",
            "description": "RabbitMQ của Đúng hạn (vhost `/`). Mỗi hệ thống nghiệp vụ có người dùng AMQP riêng.",
            "variables": {"host": {"default": "127.0.0.1", "description": "máy chủ RabbitMQ do quản trị cấp"}},
            "security": [{"$ref": "#/components/securitySchemes/amqpUser"}],
            "x-amqp-topology": topology_extension(topology),
        }},
        "channels": {}, "operations": {},
        "components": {
            "schemas": {}, "messages": {},
            "parameters": {"agency": {"description": "Mã cơ quan của hệ thống gửi (ví dụ `SCT`); phải trùng "
                                                     "`agency` trong thông điệp và cơ quan của người dùng AMQP.",
                                      "examples": ["SCT"]}},
            "correlationIds": {"sender": {"location": "$message.header#/correlation_id",
                                          "description": "Thuộc tính AMQP `correlation_id`: intake chép sang "
                                                         "phản hồi."}},
            "securitySchemes": {"amqpUser": {
                "type": "userPassword",
                "description": "Người dùng AMQP của hệ thống; thuộc tính `user_id` của mỗi thông điệp phải là tên "
                               "người dùng này (RabbitMQ kiểm tra). Quyền (configure / write / read, biểu thức "
                               "chính quy trên tên tài nguyên) ở `servers.rabbitmq.x-amqp-topology.users`.",
            }},
            "x-rejection-reasons": dict(inbound.rejections),
        },
    }
    _inbound_parts(inbound, doc)
    _event_parts(doc)
    return doc


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=120)
