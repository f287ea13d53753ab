"""One database transaction for several queue messages (the consumer's batches), joined by the repositories.

A repository opens its transactions with ``begin(engine)``. Outside a batch that is ``engine.begin()``. Inside
``batch(engine)`` (same thread, same engine) it hands out the batch's connection instead, so every message of
the batch commits, or rolls back, together: one commit and one pool checkout for many messages. An error in any
message propagates out of ``batch`` and rolls the whole batch back; the consumer then handles the messages one
by one, each in its own transaction, so a bad message costs its batch-mates a second pass and nothing more.

``after_commit(fn)`` runs ``fn`` once the effect is durable: after the commit of the innermost transaction
``begin`` opened (or of the batch), never if it rolls back; at once only where no transaction is open.
``batch_member(engine, key, make)`` keeps, for as long as the open batch, an object made with the batch's
connection whose ``flush()`` runs just before the batch commits: a repository's batch transaction, which reads
for all the batch's messages at once and buffers their writes; ``made_member(engine, key)`` finds it again.
``lock_keys(conn, keys)`` serializes the transactions that touch the same keys (a dossier, say).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, text


@dataclass
class _Batch:
    engine: Engine
    conn: Connection
    callbacks: list[Callable[[], object]] = field(default_factory=list)
    flushes: list[Callable[[], object]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


_LOCK_KEYS = text("SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
                  "FROM (SELECT unnest(CAST(:keys AS text[])) AS k ORDER BY 1) AS ordered")
_current: ContextVar[_Batch | None] = ContextVar("dunghan_batch", default=None)
_deferred: ContextVar[list[Callable[[], object]] | None] = ContextVar("dunghan_after_commit", default=None)


@contextmanager
def begin(engine: Engine) -> Iterator[Connection]:
    """A transaction of its own, or the open batch's when there is one on ``engine``. ``after_commit`` callbacks
    registered inside run once this transaction has committed, and are dropped if it rolls back."""
    open_batch = _current.get()
    if open_batch is not None and open_batch.engine is engine:
        yield open_batch.conn
        return
    callbacks: list[Callable[[], object]] = []
    token = _deferred.set(callbacks)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        _deferred.reset(token)
    for fn in callbacks:
        fn()


@contextmanager
def batch(engine: Engine) -> Iterator[None]:
    """Everything ``begin(engine)`` opens inside commits once, at the end; then the ``after_commit`` callbacks."""
    if _current.get() is not None:
        raise RuntimeError("batches do not nest")
    state: _Batch | None = None
    with engine.begin() as conn:
        state = _Batch(engine, conn)
        token, outer = _current.set(state), _deferred.set(None)
        try:
            yield
            for flush in state.flushes:
                flush()
        finally:
            _current.reset(token)
            _deferred.reset(outer)
    for fn in state.callbacks:
        fn()


def lock_keys(conn: Connection, keys: Iterable[str]) -> None:
    """Transaction-level advisory locks on ``keys``, taken in sorted order (two transactions locking
    overlapping sets cannot deadlock): whoever locks second waits, then reads what the first committed."""
    ordered = sorted(set(keys))
    if ordered:
        conn.execute(_LOCK_KEYS, {"keys": ordered})


def made_member(engine: Engine, key: str) -> Any | None:
    """The open batch's ``key`` object if ``batch_member`` made one; else None (no batch on ``engine``, or none
    made). A repository's ``transaction()`` hands it out, when there is one, instead of a transaction."""
    open_batch = _current.get()
    if open_batch is None or open_batch.engine is not engine:
        return None
    return open_batch.state.get(key)


class Flushable(Protocol):
    def flush(self) -> object: ...


F = TypeVar("F", bound=Flushable)


def batch_member(engine: Engine, key: str, make: Callable[[Connection], F]) -> F | None:
    """The open batch's ``key`` object, made with the batch's connection on first use, whose ``flush()`` runs
    before the batch commits (a repository's batch transaction, say); None outside a batch on ``engine``."""
    open_batch = _current.get()
    if open_batch is None or open_batch.engine is not engine:
        return None
    member = open_batch.state.get(key)
    if member is None:
        member = open_batch.state[key] = make(open_batch.conn)
        open_batch.flushes.append(member.flush)
    return member  # type: ignore[no-any-return]


def after_commit(fn: Callable[[], object]) -> None:
    """Run ``fn`` after the open transaction (``begin``) or batch commits; at once when none is open."""
    pending = _deferred.get()
    if pending is not None:
        pending.append(fn)
        return
    open_batch = _current.get()
    if open_batch is None:
        fn()
    else:
        open_batch.callbacks.append(fn)
