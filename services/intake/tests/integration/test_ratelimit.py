"""The citizen lookup's rate limit: the in-memory bucket and the PostgreSQL one keep the same contract, and the
PostgreSQL one holds across processes (two engines stand for two gunicorn workers) and under concurrency."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dunghan.db import make_engine, upgrade
from intake.bootstrap import MIGRATIONS
from intake.ratelimit import SqlTokenBucket, TokenBucket

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def url(make_database):
    url = make_database("intake_rate")
    upgrade(url, MIGRATIONS)
    return url


@pytest.fixture(params=["memory", "postgres"])
def limiters(request, url):
    """Two limiters over one shared budget (burst 3, 1 token a minute), as two web processes see it."""
    if request.param == "memory":
        one = TokenBucket(1, 3, clock=lambda: 0.0)
        yield one, one
        return
    engines = [make_engine(url), make_engine(url)]
    yield tuple(SqlTokenBucket(e, 1, 3) for e in engines)
    for e in engines:
        e.dispose()


def test_burst_is_shared_across_processes_and_a_refusal_says_when_to_retry(limiters, request):
    a, b = limiters
    client = f"client-{request.node.callspec.id}"
    decisions = [a.check(client), b.check(client), a.check(client), b.check(client), a.check(client)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert all(1 <= d.retry_after <= 60 for d in decisions[3:])
    assert a.check("203.0.113.1").allowed  # another client has its own budget


def test_concurrent_requests_never_exceed_the_burst(url):
    engine = make_engine(url, pool_size=8, max_overflow=0)
    limiter = SqlTokenBucket(engine, 1, 5)
    with ThreadPoolExecutor(8) as pool:
        allowed = sum(d.allowed for d in pool.map(lambda _: limiter.check("192.0.2.9"), range(40)))
    engine.dispose()
    assert allowed == 5
