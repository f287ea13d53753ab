"""Operator commands: ``python -m deadline.manage recompute``."""
from __future__ import annotations

import argparse
import sys
import uuid

from deadline.app import build_deps, sql_repository
from deadline.config import Settings
from deadline.handlers import recompute
from dunghan.clock import utc_now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deadline.manage")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("recompute", help="tính lại hạn các hồ sơ đang mở theo lịch hiện hành")
    parser.parse_args(argv)
    settings = Settings.from_env()
    repo = sql_repository(settings)
    deps = build_deps(settings, repo)
    run_id = uuid.uuid4().hex
    changes = recompute(repo, deps, utc_now(), run_id)
    print(f"Lượt tính lại {run_id}: {len(changes)} hồ sơ đổi hạn (lịch {deps.calendars.current().version}).")
    for c in changes:
        before = c.before.due_at.isoformat() if c.before.due_at else "-"
        after = c.after.due_at.isoformat() if c.after.due_at else "-"
        print(f"  {c.after.code}: {before} → {after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
