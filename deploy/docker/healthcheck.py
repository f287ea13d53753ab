"""Container healthcheck: GET the URL given, else the web's /healthz on PORT, else the worker's /metrics."""
from __future__ import annotations

import os
import sys
import urllib.request


def candidates(argv: list[str], env: dict[str, str]) -> list[str]:
    if argv:
        return argv
    urls = []
    if env.get("PORT"):
        urls.append(f"http://127.0.0.1:{env['PORT']}/healthz")
    if env.get("METRICS_PORT"):
        urls.append(f"http://127.0.0.1:{env['METRICS_PORT']}/metrics")
    return urls


def healthy(url: str, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(200 <= response.status < 300)
    except OSError:
        return False


def main() -> int:
    return 0 if any(healthy(u) for u in candidates(sys.argv[1:], dict(os.environ))) else 1


if __name__ == "__main__":
    raise SystemExit(main())
