"""The unit head's board: the unit's open dossiers due today, due on the next working day, overdue (with how
long) and waiting for the applicant — the digest e-mail's selection, split and sortable (pure)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deadline.domain import Dossier

SORTS = {"han": "hạn xử lý", "ma": "mã hồ sơ", "can-bo": "cán bộ", "thu-tuc": "thủ tục"}


@dataclass(frozen=True)
class Row:
    code: str
    procedure: str
    officer: str
    due_at: datetime
    late_working_days: int = 0
    late_hours: float = 0.0


@dataclass(frozen=True)
class Board:
    today: tuple[Row, ...]
    next_day: tuple[Row, ...]
    overdue: tuple[Row, ...]
    waiting: tuple[Row, ...]

    @property
    def total(self) -> int:
        return len(self.today) + len(self.next_day) + len(self.overdue) + len(self.waiting)


def _key(sort: str) -> Any:
    if sort == "ma":
        return lambda r: r.code
    if sort == "can-bo":
        return lambda r: (r.officer, r.due_at, r.code)
    if sort == "thu-tuc":
        return lambda r: (r.procedure, r.due_at, r.code)
    return lambda r: (r.due_at, r.code)


def board(dossiers: Iterable[Dossier], now: datetime, calendar: Any, sort: str = "han") -> Board:
    """Due today / on the next working day (together: the digest's "due soon"), overdue (the digest's
    "overdue"), and waiting for the applicant (paused: no clock runs, so neither list of the digest)."""
    tz = calendar.tz
    today = now.astimezone(tz).date()
    horizon = calendar.next_working_day(today)
    groups: dict[str, list[Row]] = {"today": [], "next": [], "overdue": [], "waiting": []}
    for d in dossiers:
        if d.due_at is None or not d.is_open:
            continue
        row = Row(d.code, d.procedure.name if d.procedure else "", d.officer, d.due_at)
        if d.paused:
            groups["waiting"].append(row)
        elif d.due_at < now:
            late_days = calendar.working_days_between(d.due_at.astimezone(tz).date(), today)
            groups["overdue"].append(Row(row.code, row.procedure, row.officer, row.due_at, max(late_days, 0),
                                         (now - d.due_at).total_seconds() / 3600))
        elif d.due_at.astimezone(tz).date() == today:
            groups["today"].append(row)
        elif d.due_at.astimezone(tz).date() <= horizon:
            groups["next"].append(row)
    key = _key(sort if sort in SORTS else "han")
    return Board(*(tuple(sorted(groups[g], key=key)) for g in ("today", "next", "overdue", "waiting")))
