"""The wire contract: CloudEvents envelope, every canonical event type and its routing key."""
from dunghan.contract.envelope import CloudEvent, decode, encode, envelope_for
from dunghan.contract.events import EVENT_TYPES, Event, event_type, routing_key, schema_for

__all__ = [
    "EVENT_TYPES",
    "CloudEvent",
    "Event",
    "decode",
    "encode",
    "envelope_for",
    "event_type",
    "routing_key",
    "schema_for",
]
