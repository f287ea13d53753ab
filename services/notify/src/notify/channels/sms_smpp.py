"""SMS over SMPP (smpplib): submit_sm in GSM-7 (data_coding 0), concatenated with a UDH when over 160 septets."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notify import gsm7
from notify.channels.base import Outgoing, PermanentError, TransientError

DATA_CODING_DEFAULT = 0x00
ESM_CLASS_UDHI = 0x40
TON_ALPHANUMERIC, NPI_UNKNOWN = 0x05, 0x00
TON_INTERNATIONAL, NPI_ISDN = 0x01, 0x01


@dataclass(frozen=True)
class Part:
    short_message: bytes
    esm_class: int
    data_coding: int = DATA_CODING_DEFAULT


def parts(text: str, reference: int) -> list[Part]:
    """GSM-7 parts of ``text``: one plain part, or several with the 8-bit-reference concatenation UDH."""
    chunks = gsm7.split(gsm7.to_gsm7(text))
    if len(chunks) == 1:
        return [Part(gsm7.encode(chunks[0]), 0)]
    if len(chunks) > 255:
        raise PermanentError("message too long for SMS")
    total = len(chunks)
    return [
        Part(bytes((0x05, 0x00, 0x03, reference & 0xFF, total, seq)) + gsm7.encode(chunk), ESM_CLASS_UDHI)
        for seq, chunk in enumerate(chunks, start=1)
    ]


def msisdn(phone: str) -> str:
    """Vietnamese numbers to international form without '+': 0912… → 84912…."""
    digits = "".join(c for c in phone if c.isdigit())
    return "84" + digits[1:] if digits.startswith("0") else digits


def submit_pdus(message: Outgoing, sender: str, reference: int, sequence: Callable[[], int]) -> list[Any]:
    from smpplib import smpp

    pdus = [
        smpp.make_pdu(
            "submit_sm", source_addr_ton=TON_ALPHANUMERIC, source_addr_npi=NPI_UNKNOWN, source_addr=sender,
            dest_addr_ton=TON_INTERNATIONAL, dest_addr_npi=NPI_ISDN, destination_addr=msisdn(message.to),
            short_message=p.short_message, data_coding=p.data_coding, esm_class=p.esm_class,
            registered_delivery=0, sequence=0,
        )
        for p in parts(message.text, reference)
    ]
    for pdu in pdus:
        pdu.sequence = sequence()
    return pdus


class SmppGateway:
    """One bound transmitter connection, opened on first use and re-opened after a failure."""

    def __init__(
        self, host: str, port: int, *, system_id: str, password: str, sender: str, timeout: float = 10.0,
        reference: Callable[[int], int] = lambda notification: notification % 255 + 1,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.system_id, self.password = system_id, password
        self.sender = gsm7.validate_sender(sender)
        self.reference = reference
        self._client: Any = None
        self._lock = threading.Lock()

    def _connect(self) -> Any:
        import smpplib.client

        client = smpplib.client.Client(self.host, self.port, timeout=self.timeout)
        client.connect()
        client.bind_transmitter(system_id=self.system_id, password=self.password)
        return client

    def send(self, message: Outgoing) -> str:
        import smpplib.exceptions

        with self._lock:
            try:
                if self._client is None:
                    self._client = self._connect()
                ids = []
                for pdu in submit_pdus(message, self.sender, self.reference(message.notification_id),
                                       self._client.next_sequence):
                    self._client.send_pdu(pdu)
                    resp = self._client.read_pdu()
                    if getattr(resp, "status", 0):
                        raise PermanentError(f"smpp status {resp.status}")
                    ids.append(_text(getattr(resp, "message_id", b"")))
                return ",".join(ids)
            except (smpplib.exceptions.ConnectionError, OSError, TimeoutError) as exc:
                self._client = None
                raise TransientError(f"smpp {type(exc).__name__}") from exc


def _text(value: Any) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")
