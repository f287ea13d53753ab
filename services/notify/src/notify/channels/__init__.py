"""Delivery channels: the Channel port, its recording fake, SMTP e-mail, HTTP and SMPP SMS gateways."""
from notify.channels.base import Channel, FakeChannel, Outgoing, PermanentError, TransientError

__all__ = ["Channel", "FakeChannel", "Outgoing", "PermanentError", "TransientError"]
