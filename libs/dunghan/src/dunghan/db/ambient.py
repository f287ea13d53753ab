"""Transitional: the ambient batch of deadline and scoring until they move to ``dunghan.db.unit_of_work``.

``begin(engine)`` joins the open ``batch(engine)`` of the thread; ``batch_member``/``made_member`` keep a
repository's batch transaction; ``after_commit`` defers to the open transaction's commit; ``BatchInbox`` answers
a batch's inbox rows. ``EngineBatch`` lets the consumer run such a batch as a unit of work. Delete this module
once no service imports it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine

from dunghan.db.messaging import inbox_accept, inbox_accept_many
from dunghan.db.unit_of_work import lock_keys

__all__ = ["BatchInbox", "EngineBatch", "InboxBatch", "after_commit", "batch", "batch_member", "begin",
           "lock_keys", "made_member"]


@dataclass
class _Batch:
    engine: Engine
    conn: Connection
    callbacks: list[Callable[[], object]] = field(default_factory=list)
    flushes: list[Callable[[], object]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


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


class InboxBatch:
    """The inbox rows of a consumer batch's messages, inserted in one statement (``prefetch``) before they are
    handled; ``accept`` then answers ``inbox_accept`` for them (the same event twice in the batch: the second is
    the duplicate), and asks the database for any other."""

    def __init__(self) -> None:
        self._asked: set[tuple[str, str]] = set()
        self._new: set[tuple[str, str]] = set()

    def prefetch(self, conn: Connection, keys: Iterable[tuple[str, str]]) -> None:
        keys = set(keys) - self._asked
        self._asked |= keys
        self._new |= inbox_accept_many(conn, sorted(keys))

    def accept(self, conn: Connection, source: str, event_id: str) -> bool:
        key = (source, event_id)
        if key not in self._asked:
            return inbox_accept(conn, source, event_id)
        if key in self._new:
            self._new.discard(key)
            return True
        return False


class BatchInbox:
    """Mixin, before a repository transaction class taking its connection first: ``prefetch_inbox(keys)``
    inserts a consumer batch's inbox rows in one statement, ``inbox_accept`` then answers from them; ``flush``
    (for ``batch_member``) writes nothing unless the transaction class buffers more."""

    conn: Connection

    def __init__(self, conn: Connection, *args: Any, **kwargs: Any) -> None:
        super().__init__(conn, *args, **kwargs)  # type: ignore[call-arg]
        self._inbox = InboxBatch()

    def prefetch_inbox(self, keys: Iterable[tuple[str, str]]) -> None:
        self._inbox.prefetch(self.conn, keys)

    def inbox_accept(self, source: str, event_id: str) -> bool:
        return self._inbox.accept(self.conn, source, event_id)

    def flush(self) -> None:
        return None


class EngineBatch:
    """``batch(engine)`` as a unit of work for the consumer (``with`` only)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._open: Any = None

    def __enter__(self) -> None:
        self._open = batch(self.engine)
        self._open.__enter__()

    def __exit__(self, *exc: Any) -> None:
        opened, self._open = self._open, None
        opened.__exit__(*exc)

    def commit(self) -> None:
        return None

    def after_commit(self, fn: Callable[[], object]) -> None:
        after_commit(fn)

    def lock(self, keys: Iterable[str]) -> None:
        raise NotImplementedError
