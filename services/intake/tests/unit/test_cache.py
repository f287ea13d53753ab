"""The registry cache: hits within the TTL, misses never kept; revoked keys and senders stop within the TTL."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from intake_fakes import InMemoryRepository

from dunghan.web.auth import StaticKeyStore, hash_key
from intake.cache import TtlCache
from intake.consumer import InboundHandler
from intake.context import RepoKeyStore
from intake.domain import InboundError
from intake.records import SourceSystem

from ..conftest import T0, seed  # type: ignore[import-not-found]


@dataclass
class Clock:
    t: float = 100.0

    def __call__(self) -> float:
        return self.t


def test_hit_within_ttl_reload_after_and_empty_results_are_not_kept():
    clock, loads = Clock(), []
    cache = TtlCache(30, clock)

    def load(value):
        def f():
            loads.append(value)
            return value
        return f

    assert cache.get_or_load("k", load("a")) == "a"
    assert cache.get_or_load("k", load("b")) == "a"
    clock.t += 30
    assert cache.get_or_load("k", load("b")) == "b"
    assert cache.get_or_load("none", load(None)) is None and cache.get_or_load("none", load(None)) is None
    assert cache.get_or_load("e", load(())) == () and loads.count(()) == 1
    cache.get_or_load("e", load(()))
    assert loads == ["a", "b", None, None, (), ()]
    off = TtlCache(0, clock)
    assert off.get_or_load("k", load("x")) == "x" and off.get_or_load("k", load("y")) == "y"


def test_revoked_api_key_stops_working_within_the_ttl_and_a_new_key_works_at_once():
    repo, clock = InMemoryRepository(), Clock()
    with repo.transaction() as tx:
        tx.save_source(SourceSystem("api-sct", "SCT", "system", api_key_sha256=hash_key("old")))
    store = RepoKeyStore(repo, StaticKeyStore.from_spec(""), cache_seconds=30, clock=clock)
    assert store.lookup(hash_key("old")).name == "api-sct"
    with repo.transaction() as tx:
        tx.save_source(SourceSystem("api-sct", "SCT", "system", api_key_sha256=hash_key("new")))
    assert store.lookup(hash_key("new")).name == "api-sct"
    clock.t += 29
    assert store.lookup(hash_key("old")) is not None
    clock.t += 1
    assert store.lookup(hash_key("old")) is None
    assert store.lookup(hash_key("never")) is None


def test_amqp_sender_is_cached_and_a_removed_one_is_refused_after_the_ttl():
    repo, clock = InMemoryRepository(), Clock()
    seed(repo)

    class Silent:
        def reply(self, *a):
            pass

        def quarantine(self, *a):
            pass

    handler = InboundHandler(repo, Silent(), pepper="p", clock=lambda: T0,
                             cache_seconds=30, cache_clock=clock)
    assert handler._sender("motcua-sct").agency == "SCT"
    with repo.transaction() as tx:
        tx.save_source(SourceSystem("motcua-sct", "SCT", "system", amqp_user="someone-else"))
    assert handler._sender("motcua-sct").agency == "SCT"
    clock.t += 31
    with pytest.raises(InboundError) as err:
        handler._sender("motcua-sct")
    assert err.value.kind == "unknown_sender"
