"""Write RabbitMQ definitions with each user's password hash taken from <USER>_AMQP_PASSWORD (stdlib only).

The variable is the user name in capitals with every other character than a letter or digit as ``_``:
user ``dept.sct`` → ``DEPT_SCT_AMQP_PASSWORD``.

Usage: python render_definitions.py IN.json OUT.json. The committed definitions.json carries no secret; this
runs at deploy time (a one-shot container in compose, an init container in Kubernetes).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys


def password_hash(password: str, salt: bytes) -> str:
    """rabbit_password_hashing_sha256: base64(salt + sha256(salt + utf8 password)), with a 4-byte salt."""
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def password_variable(user: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", user.upper()) + "_AMQP_PASSWORD"


def render(definitions: dict, env: dict[str, str]) -> dict:
    missing = [u["name"] for u in definitions["users"] if not env.get(password_variable(u["name"]))]
    if missing:
        raise SystemExit("missing passwords: " + ", ".join(password_variable(n) for n in missing))
    for user in definitions["users"]:
        user["password_hash"] = password_hash(env[password_variable(user["name"])], os.urandom(4))
        user["hashing_algorithm"] = "rabbit_password_hashing_sha256"
        user["tags"] = user.get("tags") or []
    return definitions


def main(argv: list[str]) -> int:
    source, target = argv[1], argv[2]
    with open(source, encoding="utf-8") as f:
        definitions = json.load(f)
    rendered = render(definitions, dict(os.environ))
    with open(target, "w", encoding="utf-8") as f:
        json.dump(rendered, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
