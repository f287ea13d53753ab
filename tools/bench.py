"""`make bench`: one JSON line per figure on stdout, each a ratio against a baseline measured in the same run."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_engine
import bench_history
import bench_http
import bench_pages
import bench_pipeline
import bench_scoring
import bench_whatif
from bench_cpu import process_tree
from bench_report import log, stamp
from bench_rss import peak_rss_mib, rss_figures

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
WEB_WORKERS = 2


@dataclass(frozen=True)
class Sizes:
    engine_cases: int
    scoring_dossiers: int
    pipeline_dossiers: int
    pipeline_max_seconds: float
    latency_seconds: float
    http_requests: int
    http_seconds: float
    settle_seconds: float
    http_threads: int = 8
    latency_rate: float = 50.0
    history_dossiers: int = 100_000
    history_max_seconds: float = 7200.0
    whatif_dossiers: int = 100_000
    page_dossiers: int = 60_000


FULL = Sizes(1_000_000, 1_000_000, 1000, 900, 20, 40_000, 60, 180)
QUICK = Sizes(100_000, 100_000, 150, 150, 10, 4000, 15, 30, history_dossiers=600, history_max_seconds=300,
              whatif_dossiers=10_000, page_dossiers=10_000)


def emit(figure: dict[str, Any]) -> None:
    keys = ("name", "value", "unit", "baseline", "ratio", "goal", "met")
    print(json.dumps({k: figure.get(k) for k in keys}, ensure_ascii=False), flush=True)


def engine_figures(n: int) -> list[dict[str, Any]]:
    out = []
    for f in bench_engine.run(n):
        goal = float(f["goal"])  # type: ignore[arg-type]
        out.append({**f, "unit": "due/s", "goal": f"ratio >= {goal:g}", "met": float(f["ratio"]) >= goal})  # type: ignore[arg-type]
    return out


def scoring_figures(database_url: str, n: int) -> list[dict[str, Any]]:
    return [{**f, "unit": "s", "goal": None, "met": None} for f in bench_scoring.run(database_url, n)]


def system_figures(amqp_url: str, database_url: str, sizes: Sizes, log_dir: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with bench_pipeline.running_system(amqp_url, database_url, log_dir) as system:
        bench_pipeline.settle(system, sizes.settle_seconds)
        out += guarded(lambda: bench_pipeline.throughput(system, sizes.pipeline_dossiers,
                                                         sizes.pipeline_max_seconds), emit_each=True)
        bench_pipeline.settle(system, sizes.settle_seconds)
        out += guarded(lambda: bench_pipeline.latency(system, sizes.latency_rate, sizes.latency_seconds),
                       emit_each=True)
        bare_rss: list[float] = []

        def http() -> list[dict[str, Any]]:
            figures, rss = bench_http.http_figures(
                system.stack.url("intake"), bench_pipeline.SYSTEM_KEY, log_dir, count=sizes.http_requests,
                threads=sizes.http_threads, max_seconds=sizes.http_seconds, workers=WEB_WORKERS,
                services=system.stack.services, rss_of=lambda pid: peak_rss_mib(process_tree(pid)),
                settle=lambda: bench_pipeline.settle(system, sizes.settle_seconds))
            bare_rss.append(rss)
            return figures

        bench_pipeline.settle(system, sizes.settle_seconds)
        out += guarded(http, emit_each=True)
        out += guarded(lambda: rss_figures(system, bare_rss[0] if bare_rss else None),
                       emit_each=True)
        bench_pipeline.settle(system, sizes.settle_seconds)
        log(f"history: a year of {sizes.history_dossiers} dossiers imported as history")
        out += guarded(lambda: bench_history.history_import(system, sizes.history_dossiers,
                                                            sizes.history_max_seconds), emit_each=True)
    return out


FAILURES: list[str] = []


def guarded(step: Callable[[], list[dict[str, Any]]], *, emit_each: bool) -> list[dict[str, Any]]:
    try:
        figures = step()
    except Exception:
        FAILURES.append(traceback.format_exc())
        log("step failed:\n" + FAILURES[-1])
        return []
    if emit_each:
        for f in figures:
            emit(f)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: the whole run in under 3 minutes")
    parser.add_argument("--only", choices=("engine", "whatif", "scoring", "pages", "system"), action="append",
                        help="run only these parts (repeatable)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    amqp_url = os.environ.get("AMQP_URL", DEFAULT_AMQP)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    parts = set(args.only or ("engine", "whatif", "scoring", "pages", "system"))
    log_dir = Path(tempfile.mkdtemp(prefix=f"dunghan-bench-{stamp()}-"))
    log(f"{'quick' if args.quick else 'full'} run; service logs in {log_dir}")
    if "engine" in parts:
        log(f"engine: {sizes.engine_cases} cases")
        guarded(lambda: engine_figures(sizes.engine_cases), emit_each=True)
    if "whatif" in parts:
        log(f"what-if: a year of {sizes.whatif_dossiers} dossiers under a proposal, and the full sweep")
        guarded(lambda: bench_whatif.bench_whatif(sizes.whatif_dossiers), emit_each=True)
    if "scoring" in parts:
        log(f"scoring: {sizes.scoring_dossiers} classified dossiers")
        guarded(lambda: scoring_figures(database_url, sizes.scoring_dossiers), emit_each=True)
    if "pages" in parts:
        log(f"pages: a year of an agency's dossiers ({sizes.page_dossiers})")
        guarded(lambda: bench_pages.bench_pages(database_url, sizes.page_dossiers), emit_each=True)
    if "system" in parts:
        guarded(lambda: system_figures(amqp_url, database_url, sizes, log_dir), emit_each=False)
    log("done" if not FAILURES else f"{len(FAILURES)} step(s) failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
