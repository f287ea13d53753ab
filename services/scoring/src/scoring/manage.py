"""Administration commands: ``python -m scoring.manage migrate | load-campaign FILE``."""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from scoring import campaign_file, errors
from scoring.bootstrap import bootstrap
from scoring.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scoring.manage")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="Alembic to head, then the sample campaign if absent (setting)")
    load = sub.add_parser("load-campaign", help="load a campaign YAML file")
    load.add_argument("file")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    deps = bootstrap(replace(settings, migrate=True) if args.command == "migrate" else settings, process="manage")
    path = settings.sample_campaign if args.command == "migrate" else args.file
    if args.command == "migrate" and not settings.load_sample_campaign:
        return 0
    try:
        campaign = campaign_file.load_campaign_file(deps.repo, path, if_absent=args.command == "migrate")
    except errors.Conflict as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"đã nạp chiến dịch {campaign.id}" if campaign else "chiến dịch đã có, bỏ qua")
    return 0


if __name__ == "__main__":
    sys.exit(main())
