"""`make dev`'s broker: the production users, permissions, topology and policies, from the generated definitions,
in a vhost of their own on the local RabbitMQ (rabbitmqctl), each user with a fixed development password."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from dunghan.bus.definitions import ADMIN, definitions
from dunghan.testing.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
DEV_VHOST = "dunghan-dev"
RABBITMQCTL = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"


def dev_password(user: str) -> str:
    return f"dev-{user}"


def _renderer() -> Any:
    return load_script(ROOT / "deploy/rabbitmq/render_definitions.py", "render_definitions")


def dev_definitions(vhost: str = DEV_VHOST) -> dict[str, Any]:
    """The production definitions in ``vhost``, without the administrator, each password ``dev-<user>``."""
    defs = definitions(vhost=vhost)
    defs["users"] = [u for u in defs["users"] if u["name"] != ADMIN]
    defs["permissions"] = [p for p in defs["permissions"] if p["user"] != ADMIN]
    render = _renderer()
    passwords = {render.password_variable(u["name"]): dev_password(u["name"]) for u in defs["users"]}
    return render.render(defs, passwords)  # type: ignore[no-any-return]


def url_for(user: str, host: str, port: int, vhost: str = DEV_VHOST) -> str:
    q = urllib.parse.quote
    return f"amqp://{q(user, safe='')}:{q(dev_password(user), safe='')}@{host}:{port}/{q(vhost, safe='')}"


def provision(host: str, port: int, vhost: str = DEV_VHOST) -> dict[str, str]:
    """Import the definitions (idempotent) and return each user's AMQP URL."""
    defs = dev_definitions(vhost)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(defs, f)
    os.chmod(f.name, 0o644)  # rabbitmqctl reads it as the broker's OS user
    try:
        subprocess.run([RABBITMQCTL, "-q", "import_definitions", f.name], check=True, capture_output=True,
                       timeout=120)
        _wait_for_queues(vhost, len(defs["queues"]))
    finally:
        os.unlink(f.name)
    return {u["name"]: url_for(u["name"], host, port, vhost) for u in defs["users"]}


def _wait_for_queues(vhost: str, count: int, timeout: float = 60.0) -> None:
    """The import is asynchronous: wait until every queue exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run([RABBITMQCTL, "-q", "list_queues", "-p", vhost, "name", "--formatter", "json"],
                             capture_output=True, text=True).stdout
        try:
            if len(json.loads(out or "[]")) >= count:
                return
        except ValueError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the definitions were not imported into vhost {vhost} within {timeout:.0f}s")
