"""`make demo`: publishes a realistic year of dossiers through the inbound contract, like a department would."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import requests
from demo_data import as_history, load_plan
from tqdm import tqdm

from dunghan.bus.publisher import OutgoingMessage, Publisher
from dunghan.bus.topology import INBOUND_EXCHANGE

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
STOPS = {"result.ready", "dossier.withdrawn", "dossier.stopped"}


def summary(facts: Sequence[dict[str, Any]], dossiers: int) -> str:
    kinds = Counter(f["fact"] for f in facts)
    accepted = [f for f in facts if f["fact"] == "dossier.accepted"]
    online = sum(f["channel"] == 2 for f in accepted) / max(1, len(accepted))
    officers = {f["officer"] for f in facts if "officer" in f}
    units = {f["unit"] for f in facts if "unit" in f}
    return (f"{dossiers} hồ sơ, {len(facts)} sự kiện; tiếp nhận {len(accepted)} (trực tuyến {online:.0%}); "
            f"{len(units)} đơn vị, {len(officers)} cán bộ; yêu cầu bổ sung {kinds['supplement.requested']}, "
            f"thư xin lỗi {kinds['apology.issued']}, có kết quả {kinds['result.ready']}")


def to_message(fact: dict[str, Any], user: str) -> OutgoingMessage:
    body = json.dumps(fact, ensure_ascii=False).encode()
    return OutgoingMessage(INBOUND_EXCHANGE, f"{fact['agency']}.{fact['fact']}", body, fact["event_id"],
                           content_type="application/json", user_id=user)


def publish(facts: Sequence[dict[str, Any]], url: str, *, prefix: str, user: str, batch: int) -> None:
    """In occurrence order, persistent, with batched publisher confirms (re-running publishes the same ids)."""
    with Publisher(url, prefix=prefix, app_id="demo") as publisher, \
            tqdm(total=len(facts), unit="sự kiện", desc="Gửi") as bar:
        for i in range(0, len(facts), batch):
            chunk = facts[i:i + batch]
            publisher.publish_many([to_message(f, user) for f in chunk])
            bar.update(len(chunk))


def close_phases(scoring_url: str, api_key: str, campaign: str, expected: int, *, quiet_seconds: float = 15.0,
                 timeout: float = 1800.0) -> None:
    """Wait until scoring has counted the resolved dossiers (or stopped counting), then close each open phase."""
    headers = {"Authorization": f"Bearer {api_key}"}
    deadline = time.monotonic() + timeout
    last, stable_since = -1, time.monotonic()
    with tqdm(total=expected, unit="hồ sơ", desc="Chấm điểm") as bar:
        while time.monotonic() < deadline:
            resp = requests.get(f"{scoring_url}/api/v1/reports/06a", headers=headers, timeout=30,
                                params={"agency": "SCT", "from": "2000-01-01", "to": "2100-12-31"})
            resp.raise_for_status()
            resolved = int(resp.json()["rows"][-1]["resolved_total"])
            bar.update(resolved - bar.n)
            if resolved != last:
                last, stable_since = resolved, time.monotonic()
            elif resolved >= expected or time.monotonic() - stable_since > quiet_seconds:
                break
            time.sleep(1)
    campaigns = requests.get(f"{scoring_url}/api/v1/campaigns", headers=headers, timeout=30).json()["items"]
    for item in campaigns:
        if item["id"] != campaign:
            continue
        for phase, state in sorted(item["states"].items()):
            if state == "open":
                r = requests.post(f"{scoring_url}/api/v1/campaigns/{campaign}/phases/{phase}/close",
                                  headers=headers, timeout=60)
                print(f"{'tổng kết chiến dịch' if phase == 'tong-ket' else f'sơ kết đợt {phase}'}: "
                      f"HTTP {r.status_code}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Gửi dữ liệu mẫu một năm (Sở Công Thương) vào Đúng hạn")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--dossiers", type=int, default=3000)
    parser.add_argument("--year", type=int, default=2017)
    parser.add_argument("--amqp-url", default=os.environ.get("AMQP_URL", DEFAULT_URL))
    parser.add_argument("--prefix", default=os.environ.get("AMQP_PREFIX", ""))
    parser.add_argument("--user", default=None, help="user_id AMQP (mặc định: người dùng trong --amqp-url)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--dry-run", action="store_true", help="chỉ sinh dữ liệu, không gửi")
    parser.add_argument("--out", type=Path, help="ghi các sự kiện ra tệp JSON Lines")
    parser.add_argument("--close-phases", action="store_true",
                        help="chờ dịch vụ chấm điểm xử lý xong rồi sơ kết các đợt thi đua còn mở")
    parser.add_argument("--scoring-url", default="http://127.0.0.1:8003")
    parser.add_argument("--api-key", default=os.environ.get("DUNGHAN_API_KEY", "dev-operator-key"),
                        help="khóa API vai trò operator (mặc định: khóa của make dev)")
    parser.add_argument("--campaign", default="sct-2017-giai-quyet-nhanh-tthc")
    parser.add_argument("--live", action="store_true",
                        help="gửi như dữ liệu đang xử lý (không đánh dấu history): cán bộ sẽ nhận cảnh báo")
    args = parser.parse_args(argv)

    plan = load_plan(args.dossiers, args.seed, date(args.year, 1, 1), date(args.year, 12, 31))
    facts = plan.facts() if args.live else as_history(plan.facts())
    print(summary(facts, len(plan.dossiers)))
    if not args.live:
        print("nạp dưới dạng dữ liệu lịch sử (history: true): tính vào mọi số liệu, không gửi thông báo nào")
    if args.out:
        with args.out.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(f, ensure_ascii=False) + "\n" for f in facts)
        print(f"đã ghi {args.out}")
    if args.dry_run:
        return 0
    user = args.user or unquote(urlparse(args.amqp_url).username or "guest")
    try:
        publish(facts, args.amqp_url, prefix=args.prefix, user=user, batch=args.batch)
    except Exception as exc:
        print(f"lỗi khi gửi: {exc} (intake đã chạy chưa, người dùng {user!r} đã được đăng ký là hệ thống nguồn "
              f"của {plan.agency} chưa?)", file=sys.stderr)
        return 2
    print(f"đã gửi {len(facts)} sự kiện vào {args.prefix}{INBOUND_EXCHANGE} với user_id {user!r}")
    if args.close_phases:
        resolved = len({f["code"] for f in facts if f["fact"] in STOPS})
        close_phases(args.scoring_url, args.api_key, args.campaign, resolved)
    return 0


if __name__ == "__main__":
    sys.exit(main())
