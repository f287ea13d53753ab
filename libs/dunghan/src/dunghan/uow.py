"""The unit of work: one transaction that handlers are handed, committed on a clean exit, rolled back on error.

Pure (no SQLAlchemy, no pika): handlers and domain modules may import it. ``dunghan.db.unit_of_work`` has the
SQL implementation; each service's tests have a fake built on ``AbstractUnitOfWork``.

``with uow as tx:`` opens the transaction and gives the service's ports bound to it (``tx.facts``, say); a
``with uow`` inside another in the same thread joins it (a consumer batch shares one among its messages), and
only the outermost commits. ``after_commit(fn)`` runs ``fn`` once the effect is durable, never after a
rollback; ``lock(keys)`` serializes the units of work that touch the same keys (a dossier, say) until they end.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class UnitOfWork(Protocol[T_co]):
    def __enter__(self) -> T_co: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None:
        """Commit now (the outermost ``with`` only; inside another it is the outer one's to commit)."""

    def after_commit(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` after the commit; dropped if the unit of work rolls back; at once when none is open."""

    def lock(self, keys: Iterable[str]) -> None:
        """Hold ``keys`` until the unit of work ends: whoever locks second waits, then reads what the first
        committed."""


class _Open(Generic[T]):
    def __init__(self, ports: T) -> None:
        self.ports = ports
        self.depth = 1
        self.callbacks: list[Callable[[], object]] = []
        self.locked: set[str] = set()


class AbstractUnitOfWork(Generic[T]):
    """Nesting, ``after_commit`` and ``lock`` bookkeeping, per thread; a subclass opens, commits and rolls back.

    ``_begin()`` opens a transaction and returns the ports bound to it; ``_commit``/``_rollback`` end it;
    ``_lock(keys)`` takes the keys it does not hold yet (sorted). One object may serve many threads."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _begin(self) -> T:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def _lock(self, keys: list[str]) -> None:
        raise NotImplementedError

    def _open(self) -> _Open[T] | None:
        return getattr(self._local, "open", None)

    def __enter__(self) -> T:
        current = self._open()
        if current is not None:
            current.depth += 1
            return current.ports
        self._local.open = _Open(self._begin())
        return self._local.open.ports  # type: ignore[no-any-return]

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        current = self._open()
        assert current is not None, "__exit__ without __enter__"
        current.depth -= 1
        if current.depth:
            return
        self._local.open = None
        if exc_type is not None:
            self._rollback()
            return
        try:
            self._commit()
        except BaseException:
            self._rollback()
            raise
        for fn in current.callbacks:
            fn()

    @property
    def ports(self) -> T:
        """The open unit of work's ports (inside ``with``)."""
        current = self._open()
        assert current is not None, "no unit of work open in this thread"
        return current.ports

    def commit(self) -> None:
        current = self._open()
        if current is None or current.depth > 1:
            return
        self._commit()
        callbacks, current.callbacks, current.locked = current.callbacks, [], set()
        for fn in callbacks:
            fn()

    def after_commit(self, fn: Callable[[], object]) -> None:
        current = self._open()
        if current is None:
            fn()
        else:
            current.callbacks.append(fn)

    def lock(self, keys: Iterable[str]) -> None:
        current = self._open()
        assert current is not None, "lock outside a unit of work"
        new = sorted(set(keys) - current.locked)
        if new:
            self._lock(new)
            current.locked.update(new)
