"""deploy/docker/env.sh (`make env`, run by `make up`) and tools/doctor.sh (`make doctor`)."""
from __future__ import annotations

import hashlib
import stat
import subprocess
from pathlib import Path

from .compose_local import read_env_file


def run_env(root: Path, target: Path) -> str:
    done = subprocess.run(["bash", str(root / "deploy/docker/env.sh"), str(root / ".env.example"), str(target)],
                          capture_output=True, text=True, timeout=30, check=True)
    return done.stdout + done.stderr


def test_first_run_writes_every_key_with_new_secrets_for_the_owner_only(root: Path, tmp_path: Path) -> None:
    target = tmp_path / ".env"
    assert "wrote" in run_env(root, target)
    env, example = read_env_file(target), read_env_file(root / ".env.example")
    assert set(env) == set(example)
    assert "change-me" not in env.values()
    secrets = [k for k, v in example.items() if v == "change-me"]
    assert len({env[k] for k in secrets}) == len(secrets) and all(len(env[k]) >= 32 for k in secrets)
    assert env["DUNGHAN_OPERATOR_KEY_SHA256"] == hashlib.sha256(env["DUNGHAN_OPERATOR_KEY"].encode()).hexdigest()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert all(env[k] == v for k, v in example.items() if v != "change-me" and k != "DUNGHAN_OPERATOR_KEY_SHA256")


def test_an_existing_env_is_kept_and_only_missing_keys_are_added(root: Path, tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("# mine\nINTAKE_DB_PASSWORD=kept-as-it-is\nDUNGHAN_OPERATOR_KEY=my-key\n", encoding="utf-8")
    output = run_env(root, target)
    env = read_env_file(target)
    assert env["INTAKE_DB_PASSWORD"] == "kept-as-it-is" and env["DUNGHAN_OPERATOR_KEY"] == "my-key"
    assert env["DUNGHAN_OPERATOR_KEY_SHA256"] == hashlib.sha256(b"my-key").hexdigest()
    assert "kept" in output and "POSTGRES_PASSWORD" in output
    assert target.read_text(encoding="utf-8").startswith("# mine\n")
    before = target.read_text(encoding="utf-8")
    run_env(root, target)
    assert target.read_text(encoding="utf-8") == before, "a second run changes nothing"


def test_a_copied_example_is_kept_with_a_warning(root: Path, tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text((root / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    assert "still has change-me" in run_env(root, target)
    assert read_env_file(target)["POSTGRES_PASSWORD"] == "change-me"


def test_doctor_reports_each_command_and_how_to_install_what_is_missing(root: Path) -> None:
    done = subprocess.run(["bash", str(root / "tools/doctor.sh")], cwd=root, capture_output=True, text=True,
                          timeout=60, check=False, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode in (0, 1)
    for heading in ("make up", "make test", "skip otherwise"):
        assert heading in done.stdout
    for line in done.stdout.splitlines():
        if line.strip().startswith("MISSING"):
            assert "apt-get install" in line or "docs.docker.com" in line or "systemctl" in line, line
