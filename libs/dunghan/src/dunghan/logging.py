"""JSON logs on stdout with event id / dossier code context; personal data is redacted from every record."""
from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})  # noqa: B039

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w-])(\+?84|0)(\s?[0-9]){8,10}(?![0-9])")
_ID_NUMBER = re.compile(r"(?<![\w-])[0-9]{9}([0-9]{3})?(?![\w-])")
_HASH = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")  # identity hashes (sha256 of an ID number)
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\\n|\n| *\(Background|\"|\Z)", re.DOTALL)
_DETAIL = re.compile(r"(Key \([^)]*\)=)\(.*?\)(?= already exists| is not present| conflicts|\\n|\n|\Z)", re.DOTALL)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """Mask e-mail addresses, phone numbers, citizen ID numbers (9 or 12 digits), identity hashes, and the
    values a database error quotes (SQL parameters, a key's value): they may carry an applicant's name."""
    text = _SQL_PARAMETERS.sub("[parameters hidden]", text)
    text = _DETAIL.sub(r"\1([hidden])", text)
    text = _HASH.sub("[hash]", text)
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return _ID_NUMBER.sub("[id]", text)


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            **_context.get(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


def configure(service: str, level: str = "INFO") -> None:
    """Send every log record of the process to stdout as one JSON line."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("pika").setLevel(logging.WARNING)
