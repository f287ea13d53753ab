"""SQLAlchemy engine factory: psycopg 3 driver, pre-ping, a small bounded pool."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine

_PLAIN_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg2://")


def sqlalchemy_url(url: str) -> str:
    """``postgresql://...`` (as libpq and most tools write it) → ``postgresql+psycopg://...``."""
    for plain in _PLAIN_SCHEMES:
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5, pre_ping: bool = True,
                **kwargs: Any) -> Engine:
    """``pre_ping=False`` for workers: their consumers retry a lost connection in place (``is_transient``) and
    their loops retry on the next pass, so the extra round trip per checkout buys nothing there."""
    options: dict[str, Any] = {
        "pool_pre_ping": pre_ping, "pool_size": pool_size, "max_overflow": max_overflow,
        "pool_recycle": 1800, "pool_timeout": 10,
    }
    options.update(kwargs)
    return create_engine(sqlalchemy_url(url), **options)
