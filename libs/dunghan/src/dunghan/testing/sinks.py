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
    """An HTTP JSON gateway: records each POSTed message; ``respond`` decides the status for each call."""

    respond: Callable[[int, dict[str, Any]], int] = lambda n, body: 200
    requests: list[dict[str, Any]] = field(default_factory=list)
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
                payload = json.dumps({"message_id": f"sms-{len(stub.requests)}", "status": status}).encode()
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
