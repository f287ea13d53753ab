"""The fakes' unit of work: a transaction is a deep copy of the fake repository's state, put back on rollback."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from dunghan.uow import AbstractUnitOfWork

T = TypeVar("T")


class HasState(Protocol):
    state: Any


class SnapshotUnitOfWork(AbstractUnitOfWork[T], Generic[T]):
    """``bind(state)`` makes the ports over the repository's state; ``commits`` counts the commits."""

    def __init__(self, repo: HasState, bind: Callable[[Any], T]) -> None:
        super().__init__()
        self.repo, self.bind = repo, bind
        self.commits = 0
        self._saved: Any = None

    def _begin(self) -> T:
        self._saved = copy.deepcopy(self.repo.state)
        return self.bind(self.repo.state)

    def _commit(self, ports: T) -> None:
        self.commits += 1

    def _rollback(self) -> None:
        self.repo.state = self._saved

    def _lock(self, keys: list[str]) -> None:
        return None
