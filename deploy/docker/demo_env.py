"""`make demo`: run the demo against `make up` (credentials and ports from .env) or else against `make dev`.

Usage: demo_env.py COMMAND...; the command runs with AMQP_URL, DUNGHAN_SCORING_URL and DUNGHAN_API_KEY set for
the target. DEMO_TARGET=up|dev chooses; otherwise an AMQP_URL already set means `make dev` (or any broker given),
and a .env next to a running Compose stack means `make up`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as Compose reads them (comments and blank lines skipped, surrounding quotes removed)."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def compose_running() -> bool:
    if shutil.which("docker") is None:
        return False
    done = subprocess.run(["docker", "compose", "ps", "--status", "running", "--quiet", "rabbitmq"], cwd=ROOT,
                          capture_output=True, text=True, timeout=30, check=False)
    return done.returncode == 0 and bool(done.stdout.strip())


def target(env: Mapping[str, str], env_file: Path) -> str:
    chosen = env.get("DEMO_TARGET", "")
    if chosen in ("up", "dev"):
        return chosen
    if env.get("AMQP_URL"):
        return "dev"
    return "up" if env_file.exists() and compose_running() else "dev"


def up_environment(dotenv: Mapping[str, str]) -> dict[str, str]:
    """How a departmental system and an operator on this host reach the Compose stack."""
    host = dotenv.get("DUNGHAN_BIND_ADDRESS") or "127.0.0.1"
    host = "127.0.0.1" if host == "0.0.0.0" else host
    amqp_port = dotenv.get("DUNGHAN_AMQP_PORT") or "18672"
    scoring_port = dotenv.get("DUNGHAN_SCORING_PORT") or "18003"
    return {
        "AMQP_URL": f"amqp://dept.sct:{dotenv['DEPT_SCT_AMQP_PASSWORD']}@{host}:{amqp_port}/%2F",
        "AMQP_PREFIX": "",
        "DUNGHAN_SCORING_URL": f"http://{host}:{scoring_port}",
        "DUNGHAN_API_KEY": dotenv["DUNGHAN_OPERATOR_KEY"],
    }


def main(argv: list[str]) -> int:
    env_file = ROOT / ".env"
    env = dict(os.environ)
    if target(env, env_file) == "up":
        env |= up_environment(read_env_file(env_file))
        print(f"make demo: the Compose stack (make up), {env['DUNGHAN_SCORING_URL']}", file=sys.stderr)
    else:
        print("make demo: the local services (make dev)", file=sys.stderr)
    return subprocess.run(argv, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
