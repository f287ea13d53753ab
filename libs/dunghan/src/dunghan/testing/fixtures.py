"""Pytest plugin: the real RabbitMQ and PostgreSQL, from AMQP_URL / DATABASE_URL or else testcontainers.

Isolation on a shared server: every test run gets its own databases (``make_database``) and every test that asks
for ``bus_prefix`` its own exchange/queue name prefix, deleted afterwards.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

RUN_ID = uuid.uuid4().hex[:8]


HINT = ("export AMQP_URL=amqp://guest:guest@127.0.0.1:5672/%2F "
        "DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres for local servers, or run Docker "
        "(make doctor)")


def _container(kind: str) -> Any:
    try:
        if kind == "rabbitmq":
            from testcontainers.community.rabbitmq import RabbitMqContainer

            return RabbitMqContainer("rabbitmq:3.13-management")
        from testcontainers.community.postgres import PostgresContainer

        return PostgresContainer("postgres:15", driver="psycopg")
    except Exception as exc:
        pytest.fail(f"no {kind}: testcontainers[rabbitmq,postgres] is not installed ({exc}); {HINT}")


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    url = os.environ.get("AMQP_URL")
    if url:
        yield url
        return
    container = _container("rabbitmq")
    try:
        container.start()
    except Exception as exc:
        pytest.fail(f"AMQP_URL is not set and RabbitMQ could not be started with testcontainers ({exc}); {HINT}")
    host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
    yield f"amqp://guest:guest@{host}:{port}/%2F"
    container.stop()


@pytest.fixture(scope="session")
def database_admin_url() -> Iterator[str]:
    """A SQLAlchemy URL (postgresql+psycopg://) of a server where this run may create databases."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield to_sqlalchemy_url(url)
        return
    container = _container("postgres")
    try:
        container.start()
    except Exception as exc:
        pytest.fail(f"DATABASE_URL is not set and PostgreSQL could not be started with testcontainers ({exc}); "
                    f"{HINT}")
    yield to_sqlalchemy_url(container.get_connection_url())
    container.stop()


def to_sqlalchemy_url(url: str) -> str:
    for plain in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


@pytest.fixture(scope="session")
def make_database(database_admin_url: str) -> Iterator[Callable[[str], str]]:
    """Factory: ``make_database("intake")`` creates an empty database for this run and returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(database_admin_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def make(hint: str) -> str:
        name = f"t_{hint}_{RUN_ID}_{len(created)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(database_admin_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def bus_prefix(amqp_url: str) -> Iterator[str]:
    """A unique name prefix for exchanges and queues; everything under it is deleted after the test."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    yield prefix
    delete_prefixed(amqp_url, prefix)


def delete_prefixed(amqp_url: str, prefix: str) -> None:
    import pika

    from dunghan.bus.topology import TOPOLOGY

    names_q = [f"{prefix}{n}" for n in TOPOLOGY.extra_queues]
    names_x = [f"{prefix}{x}" for x in TOPOLOGY.exchanges]
    for q in TOPOLOGY.queues:
        names_q += [q.qname(prefix), q.dlq(prefix)] + [q.retry_queue(d, prefix) for d in q.retry_delays_ms]
        names_x.append(q.dlx(prefix))
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        for name in names_q:
            ch = conn.channel()
            with contextlib.suppress(Exception):
                ch.queue_delete(queue=name)
        for name in names_x:
            ch = conn.channel()
            with contextlib.suppress(Exception):
                ch.exchange_delete(exchange=name)
    finally:
        conn.close()
