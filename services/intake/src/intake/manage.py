"""Operator CLI: ``python -m intake.manage migrate | load-catalogue FILE | announce-catalogue | load-org FILE |
create-key ...``."""
from __future__ import annotations

import argparse
import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from dunghan.web.auth import ROLES, hash_key
from intake.bootstrap import bootstrap
from intake.config import Settings
from intake.domain import InboundError
from intake.records import SourceSystem
from intake.registry import (
    announce_catalogue,
    import_catalogue,
    load_org,
    parse_catalogue_csv,
    parse_catalogue_yaml,
    save_source,
)

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m intake.manage", description="Quản trị dịch vụ intake")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="chạy Alembic tới phiên bản mới nhất")
    cat = sub.add_parser("load-catalogue", help="nạp danh mục thủ tục (YAML hoặc CSV)")
    cat.add_argument("file", type=Path)
    sub.add_parser("announce-catalogue", help="công bố lại mọi phiên bản thủ tục (procedure_updated) cho deadline")
    org = sub.add_parser("load-org", help="nạp cơ quan, đơn vị, cán bộ (YAML)")
    org.add_argument("file", type=Path)
    key = sub.add_parser("create-key", help="tạo khóa API cho một hệ thống (in ra một lần)")
    key.add_argument("--name", required=True)
    key.add_argument("--agency", required=True)
    key.add_argument("--role", choices=ROLES, default="system",
                     help="system, operator (của cơ quan mình) hoặc admin (mọi cơ quan)")
    key.add_argument("--amqp-user", default=None, help="tên người dùng RabbitMQ của hệ thống (user_id)")
    args = parser.parse_args(argv)
    settings = settings or Settings.from_env()
    deps = bootstrap(replace(settings, migrate=True) if args.command == "migrate" else settings, process="manage")
    if args.command == "migrate":
        print("migrated")
        return 0
    repo, now = deps.repo, deps.clock()
    try:
        if args.command == "load-catalogue":
            text = args.file.read_text(encoding="utf-8")
            parse = parse_catalogue_csv if args.file.suffix.lower() == ".csv" else parse_catalogue_yaml
            print(import_catalogue(repo, parse(text), now=now))
        elif args.command == "announce-catalogue":
            print(announce_catalogue(repo, now=now))
        elif args.command == "load-org":
            print(load_org(repo, args.file.read_text(encoding="utf-8"), now=now))
        elif args.command == "create-key":
            for field, value in (("name", args.name), ("amqp-user", args.amqp_user or "x")):
                if not NAME.fullmatch(value):
                    raise InboundError("invalid", "1–100 ký tự A–Z, a–z, 0–9, '.', '_', '-', '@'", field)
            with repo.transaction() as tx:
                if tx.get_agency(args.agency) is None:
                    raise InboundError("invalid", f"không có cơ quan {args.agency!r} (nạp load-org trước)",
                                       "agency")
            secret = secrets.token_urlsafe(32)
            save_source(repo, SourceSystem(args.name, args.agency, args.role,
                                           amqp_user=args.amqp_user, api_key_sha256=hash_key(secret)))
            print(secret)
    except InboundError as exc:
        print(f"lỗi: {exc.field}: {exc.reason}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
