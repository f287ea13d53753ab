"""The `deadline` command: check a due date, count working days, keep the official notices file, and replay a
period under proposed durations (`what-if`)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from dunghan.calendar import Notice, append_notice, load_calendar, load_notices
from dunghan.contract.events import ProcedureSnapshot
from dunghan.deadline import ClockEvent, Rules, compute_clock, parse_clock_time, parse_duration

NOTICES_ENV = "CALENDAR_NOTICES_FILE"


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text}: give a UTC offset, e.g. 2017-01-25T10:00+07:00")
    return value


def _pause(text: str) -> tuple[datetime, datetime]:
    start, sep, end = text.partition("/")
    if not sep:
        raise argparse.ArgumentTypeError("a pause is START/END")
    return _instant(start), _instant(end)


def _notices_file(args: argparse.Namespace) -> str | None:
    return args.file or os.environ.get(NOTICES_ENV) or None


def cmd_due(args: argparse.Namespace) -> dict[str, Any]:
    duration = parse_duration(args.duration)
    calendar = load_calendar(_notices_file(args))
    procedure = ProcedureSnapshot(
        code="cli", version=1, name="", field="", committed_value=duration.value,
        committed_unit=duration.unit,  # type: ignore[arg-type]
        statutory_value=duration.value, statutory_unit=duration.unit,  # type: ignore[arg-type]
        cutoff=args.cutoff or "17:00",
    )
    events = [ClockEvent("accepted", args.accepted, event_id="0")]
    for i, (start, end) in enumerate(args.pause):
        events.append(ClockEvent("supplement_requested", start, event_id=f"{i}a"))
        events.append(ClockEvent("supplement_received", end, event_id=f"{i}b"))
    now = max(e.at for e in events)
    rules = Rules(cutoff=parse_clock_time(args.cutoff) if args.cutoff else None)
    clock = compute_clock(events, procedure, calendar, now, rules)
    assert clock.due_at is not None and clock.due_date is not None
    return {
        "due": clock.due_at.isoformat(), "due_date": clock.due_date.isoformat(),
        "start": clock.start_at.isoformat() if clock.start_at else None,
        "paused_working_hours": clock.paused_working_hours,
        "calendar_version": clock.calendar_version, "explanation": list(clock.explanation),
    }


def cmd_workdays(args: argparse.Namespace) -> dict[str, Any]:
    calendar = load_calendar(_notices_file(args))
    start, end = args.date_from, args.date_to
    return {
        "from": start.isoformat(), "to": end.isoformat(),
        "working_days": calendar.working_days_in(start, end),
        "days_off": [{"date": d.date.isoformat(), "name": d.name, "kind": d.kind, "reference": d.reference}
                     for d in calendar.days_off(start, end)],
        "makeup_days": [{"date": d.date.isoformat(), "name": d.name, "reference": d.reference}
                        for d in calendar.makeup_days(start, end)],
        "calendar_version": calendar.version,
    }


def _notice_dict(n: Notice) -> dict[str, str]:
    return {"date": n.date.isoformat(), "kind": n.kind, "name": n.name, "reference": n.reference,
            "effective_from": n.effective_from.isoformat()}


def cmd_notices_add(args: argparse.Namespace) -> dict[str, Any]:
    path = _notices_file(args)
    if not path:
        raise SystemExit(f"deadline notices add: give --file or set {NOTICES_ENV}")
    notice = Notice(args.date, args.kind, args.name, args.reference, args.effective_from or args.date)
    append_notice(path, notice)
    return {"added": _notice_dict(notice), "file": path, "calendar_version": load_calendar(path).version}


def cmd_notices_list(args: argparse.Namespace) -> list[dict[str, str]]:
    return [_notice_dict(n) for n in load_notices(_notices_file(args))]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="deadline", description="Hạn giải quyết theo ngày làm việc (JSON).")
    sub = root.add_subparsers(dest="command", required=True)
    due = sub.add_parser("due", help="due instant of one dossier")
    due.add_argument("--accepted", type=_instant, required=True)
    due.add_argument("--duration", required=True, help="3d, 0.5d, 4h or 10cd")
    due.add_argument("--cutoff", help="HH:MM (default 17:00)")
    due.add_argument("--pause", type=_pause, action="append", default=[], help="START/END, repeatable")
    due.set_defaults(run=cmd_due)
    days = sub.add_parser("workdays", help="working days in [from, to] and the days off")
    days.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    days.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    days.set_defaults(run=cmd_workdays)
    notices = sub.add_parser("notices", help="official days off and make-up days").add_subparsers(
        dest="action", required=True)
    add = notices.add_parser("add")
    add.add_argument("--date", type=date.fromisoformat, required=True)
    add.add_argument("--kind", choices=("off", "makeup"), required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--reference", required=True)
    add.add_argument("--effective-from", type=date.fromisoformat)
    add.set_defaults(run=cmd_notices_add)
    listing = notices.add_parser("list")
    listing.set_defaults(run=cmd_notices_list)
    from deadline.whatif.cli import add_parser as add_whatif

    add_whatif(sub)
    for command in (due, days, add, listing):
        command.add_argument("--file", help=f"notices file (default ${NOTICES_ENV}, else the packaged one)")
    return root


def _plain(value: Any) -> str:
    """Dates and instants in the JSON output (the what-if report carries them)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        result = args.run(args)
    except ValueError as exc:
        print(f"deadline: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2, default=_plain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
