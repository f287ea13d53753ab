"""`deadline what-if`: the same question as the API, over the deadline database (DATABASE_URL)."""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from deadline.whatif.inputs import ProposalError, parse_cli_change, period_from, proposal_from


def _change(text: str) -> tuple[str, Any]:
    try:
        return parse_cli_change(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _window(text: str) -> list[str]:
    start, sep, end = text.partition("-")
    if not sep:
        raise argparse.ArgumentTypeError("a working window is HH:MM-HH:MM")
    return [start.strip(), end.strip()]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("what-if", help="replay a period's dossiers under proposed committed durations")
    p.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    p.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    p.add_argument("--procedure", type=_change, action="append", default=[],
                   help="CODE=DURATION (7d, 4h, 10cd), repeatable")
    p.add_argument("--agency", help="only this agency's dossiers")
    p.add_argument("--target", type=float, default=None, help="on-time rate to keep (default 0.95)")
    p.add_argument("--cutoff", help="HH:MM: a cut-off time for every procedure")
    p.add_argument("--window", type=_window, action="append", help="HH:MM-HH:MM working window, repeatable")
    p.add_argument("--xlsx", type=Path, help="also write the workbook (one sheet per view, chart) here")
    p.add_argument("--curve", action="store_true", help="print each procedure's on-time rate per duration too")
    p.set_defaults(run=cmd_whatif)
    return p


def cmd_whatif(args: argparse.Namespace) -> dict[str, Any]:
    from deadline.bootstrap import bootstrap
    from deadline.config import Settings
    from deadline.whatif.report import run_whatif
    from deadline.whatif.source import period_facts
    from deadline.whatif.xlsx import workbook

    try:
        period = period_from(args.date_from, args.date_to)
        proposal = proposal_from(
            {code: {"committed_value": c.committed_value, "committed_unit": c.committed_unit}
             for code, c in args.procedure},
            cutoff=args.cutoff, windows=args.window, target=args.target)
    except ProposalError as exc:
        raise ValueError(f"{exc.field}: {exc}") from None
    wired = bootstrap(Settings.from_env(), process="manage")
    engine = wired.engine
    assert engine is not None
    try:
        calendar = wired.deps.calendars.current()
        if period.first < calendar.first or period.last >= calendar.last:
            raise ValueError(f"the period must lie within the calendar {calendar.first}–{calendar.last}")
        rules = wired.deps.rules
        facts = period_facts(engine, period, calendar.tz, agency=args.agency, rules_for=rules.for_dossier)
    finally:
        engine.dispose()
    result = run_whatif(facts, calendar, period, proposal)
    result["agency"] = args.agency
    if args.xlsx:
        args.xlsx.write_bytes(workbook(result, calendar.tz, args.agency))
        result["xlsx"] = str(args.xlsx)
    if not args.curve:
        for p in result["procedures"]:
            p.pop("curve", None)
    return result
