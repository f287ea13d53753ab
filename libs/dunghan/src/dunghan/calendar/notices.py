"""Official notices (days off, make-up working days): the effective-dated overlay file and its reader/writer."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

KINDS = ("off", "makeup")
PACKAGED = "notices.yaml"


@dataclass(frozen=True)
class Notice:
    date: dt.date
    kind: str
    name: str
    reference: str
    effective_from: dt.date

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not self.name.strip():
            raise ValueError("a notice needs a name")


@dataclass(frozen=True)
class NoticeFile:
    version: str
    notices: tuple[Notice, ...]


def _as_date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{field}: not a date: {value!r}") from exc


def _notice(raw: dict[str, Any]) -> Notice:
    day = _as_date(raw["date"], "date")
    return Notice(
        date=day,
        kind=str(raw["kind"]),
        name=str(raw["name"]),
        reference=str(raw.get("reference", "")),
        effective_from=_as_date(raw.get("effective_from", day), "effective_from"),
    )


def parse_notice_file(text: str) -> NoticeFile:
    raw = yaml.safe_load(text) or {}
    return NoticeFile(str(raw.get("version", "0")), tuple(_notice(n) for n in raw.get("notices") or ()))


def packaged_text() -> str:
    return resources.files("dunghan.calendar").joinpath("data", PACKAGED).read_text(encoding="utf-8")


def read_notice_file(path: str | Path | None = None) -> NoticeFile:
    """A file that does not exist yet reads as the packaged notices (which it starts as)."""
    exists = path is not None and Path(path).exists()
    text = Path(path).read_text(encoding="utf-8") if path is not None and exists else packaged_text()
    return parse_notice_file(text)


def load_notices(path: str | Path | None = None) -> list[Notice]:
    return list(read_notice_file(path).notices)


def _dump(notice: Notice) -> dict[str, Any]:
    return {
        "date": notice.date,
        "kind": notice.kind,
        "name": notice.name,
        "effective_from": notice.effective_from,
        "reference": notice.reference,
    }


def write_notice_file(path: str | Path, file: NoticeFile) -> None:
    body = {"version": file.version, "notices": [_dump(n) for n in file.notices]}
    Path(path).write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")


def append_notice(path: str | Path, notice: Notice) -> None:
    """Append to ``path``; a missing file starts as a copy of the packaged notices."""
    target = Path(path)
    current = read_notice_file(target) if target.exists() else read_notice_file(None)
    write_notice_file(target, NoticeFile(current.version, (*current.notices, notice)))


def notices_digest(notices: Iterable[Notice]) -> str:
    rows = sorted(
        (n.date.isoformat(), n.kind, n.name, n.reference, n.effective_from.isoformat()) for n in notices
    )
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:8]


def effective(notices: Sequence[Notice], as_of: date | None) -> list[Notice]:
    """Notices in force on ``as_of`` (all when None), later ``effective_from`` winning on the same date."""
    chosen = [n for n in notices if as_of is None or n.effective_from <= as_of]
    return sorted(chosen, key=lambda n: n.effective_from)
