"""The unit of work's rules, on a recording implementation: nesting joins, callbacks after the commit only,
each key locked once per transaction, one transaction per thread."""
from __future__ import annotations

import threading

import pytest

from dunghan.uow import AbstractUnitOfWork


class Recording(AbstractUnitOfWork[list[str]]):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[str] = []

    def _begin(self) -> list[str]:
        self.log.append("begin")
        return self.log

    def _commit(self, ports: list[str]) -> None:
        self.log.append("commit")

    def _rollback(self) -> None:
        self.log.append("rollback")

    def _lock(self, keys: list[str]) -> None:
        self.log.append("lock " + ",".join(keys))


def test_a_unit_of_work_inside_another_joins_it_and_only_the_outermost_commits():
    uow = Recording()
    with uow as outer:
        with uow as inner:
            assert inner is outer
            uow.after_commit(lambda: uow.log.append("after"))
            uow.commit()  # the outer one's to commit
        assert uow.log == ["begin"]
    assert uow.log == ["begin", "commit", "after"]


def test_an_error_rolls_back_and_drops_the_callbacks():
    uow = Recording()
    with pytest.raises(ValueError), uow:
        uow.after_commit(lambda: uow.log.append("after"))
        raise ValueError
    assert uow.log == ["begin", "rollback"]


def test_a_callback_with_no_unit_of_work_open_runs_at_once():
    uow = Recording()
    uow.after_commit(lambda: uow.log.append("now"))
    assert uow.log == ["now"]


def test_each_key_is_locked_once_per_transaction_in_sorted_order():
    uow = Recording()
    with uow:
        uow.lock(["b", "a", "b"])
        uow.lock(["a", "c"])
    with uow:
        uow.lock(["a"])
    assert [e for e in uow.log if e.startswith("lock")] == ["lock a,b", "lock c", "lock a"]


def test_each_thread_has_a_unit_of_work_of_its_own():
    uow = Recording()
    inside = threading.Event()
    with uow:
        thread = threading.Thread(target=lambda: (uow.__enter__(), inside.set(), uow.__exit__(None, None, None)))
        thread.start()
        thread.join()
    assert inside.is_set() and uow.log == ["begin", "begin", "commit", "commit"]
