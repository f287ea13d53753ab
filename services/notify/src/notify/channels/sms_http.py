"""SMS through an HTTP JSON gateway: POST {to, from, text}; 5xx / 429 / timeouts transient, other 4xx permanent."""
from __future__ import annotations

from typing import Any

import requests

from notify import gsm7
from notify.channels.base import Outgoing, PermanentError, TransientError


class HttpSmsGateway:
    def __init__(
        self, url: str, *, sender: str, token: str | None = None, timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.sender = gsm7.validate_sender(sender)
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def payload(self, message: Outgoing) -> dict[str, Any]:
        return {"to": message.to, "from": self.sender, "text": message.text,
                "segments": gsm7.segments(message.text), "reference": str(message.notification_id)}

    def send(self, message: Outgoing) -> str:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self.session.post(self.url, json=self.payload(message), headers=headers,
                                         timeout=self.timeout)
        except requests.Timeout as exc:
            raise TransientError("sms gateway timeout") from exc
        except requests.RequestException as exc:
            raise TransientError(f"sms gateway {type(exc).__name__}") from exc
        status = response.status_code
        if status >= 500 or status == 429:
            raise TransientError(f"sms gateway HTTP {status}")
        if status >= 400:
            raise PermanentError(f"sms gateway HTTP {status}: {response.text[:200]}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        return str(body.get("id") or body.get("message_id") or "") if isinstance(body, dict) else ""
