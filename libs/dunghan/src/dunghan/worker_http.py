"""The worker's own HTTP endpoint: ``/metrics``, ``/healthz`` (alive) and ``/readyz`` (every component running)."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from dunghan.metrics import run_scrape_hooks


def component_states(components: Sequence[Any], running: Callable[[str], bool]) -> dict[str, str]:
    """``running`` unless the supervisor is restarting it, or its ``ready`` event (if it has one) is clear."""
    states = {}
    for c in components:
        ready = getattr(c, "ready", None)
        if not running(c.name):
            states[c.name] = "restarting"
        elif isinstance(ready, threading.Event) and not ready.is_set():
            states[c.name] = "connecting"
        else:
            states[c.name] = "running"
    return states


def serve(port: int, service: str, states: Callable[[], dict[str, str]]) -> ThreadingHTTPServer:
    """``states()`` answers /readyz; it is also called before each /metrics scrape (it refreshes gauges)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                states()  # refreshes dunghan_component_up
                run_scrape_hooks()
                self._send(200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                self._json(200, {"status": "ok", "service": service})
            elif path == "/readyz":
                current = states()
                ok = all(s == "running" for s in current.values())
                self._json(200 if ok else 503, {"status": "ready" if ok else "unavailable", "components": current})
            else:
                self._json(404, {"error": {"code": "not_found", "message": path, "field": None}})

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="worker-http", daemon=True).start()
    return server
