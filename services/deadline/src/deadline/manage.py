"""Operator commands: ``python -m deadline.manage recompute``."""
from __future__ import annotations

import argparse
import sys
import uuid

from deadline.bootstrap import bootstrap
from deadline.config import Settings
from deadline.handlers import recompute


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deadline.manage")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("recompute", help="tính lại hạn các hồ sơ đang mở theo lịch hiện hành")
    parser.parse_args(argv)
    wired = bootstrap(Settings.from_env(), process="manage")
    run_id = uuid.uuid4().hex
    changes = recompute(wired.repo, wired.deps, wired.clock(), run_id)
    version = wired.deps.calendars.current().version
    print(f"Lượt tính lại {run_id}: {len(changes)} hồ sơ đổi hạn (lịch {version}).")
    for c in changes:
        before = c.before.due_at.isoformat() if c.before.due_at else "-"
        after = c.after.due_at.isoformat() if c.after.due_at else "-"
        print(f"  {c.after.code}: {before} → {after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
