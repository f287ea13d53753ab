"""Real peers for tests: an SMTP server (aiosmtpd) and an HTTP SMS gateway stub, both on loopback."""
from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class SmtpSink:
    """An aiosmtpd server recording every message it accepts."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Message] = field(default_factory=list)

    def by_message_id(self) -> dict[str, list[Message]]:
        """Messages grouped by Message-ID: a resend of the same notification lands in one group."""
        groups: dict[str, list[Message]] = {}
        for m in list(self.messages):
            groups.setdefault(str(m.get("Message-ID", "")), []).append(m)
        return groups

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        from dunghan.testing.stack import free_port

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                               policy=email.policy.default)
                msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
                sink.messages.append(msg)
                return "250 OK"

        self.port = self.port or free_port()
        self._controller = Controller(Handler(), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@dataclass
class SmsGatewayStub:
    """An HTTP JSON gateway: records each POSTed message; ``respond`` decides the status for each call.

    Like the brandname gateways' APIs it treats ``reference`` as an idempotency key: a request repeating an
    accepted reference is answered with the first message id and not delivered again (``replays``)."""

    respond: Callable[[int, dict[str, Any]], int] = lambda n, body: 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)
    replays: int = 0
    port: int = 0

    def start(self) -> SmsGatewayStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                body["_headers"] = dict(self.headers)
                stub.requests.append(body)
                status = stub.respond(len(stub.requests), body)
                reference = str(body.get("reference") or f"anonymous-{len(stub.requests)}")
                message_id = f"sms-{len(stub.requests)}"
                if status < 300 and reference in stub.delivered:
                    stub.replays += 1
                    message_id = stub.delivered[reference]["_message_id"]
                elif status < 300:
                    stub.delivered[reference] = {**body, "_message_id": message_id}
                payload = json.dumps({"message_id": message_id, "status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
