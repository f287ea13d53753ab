"""The environment variables every service reads; each service's config module adds its own."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

COMMON_ENV = {
    "database_url": "DATABASE_URL",
    "amqp_url": "AMQP_URL",
    "amqp_prefix": "AMQP_PREFIX",
    "amqp_producers": "AMQP_PRODUCERS",
    "log_level": "LOG_LEVEL",
    "port": "PORT",
    "metrics_port": "METRICS_PORT",
    "api_keys": "API_KEYS",
    "multiproc_dir": "PROMETHEUS_MULTIPROC_DIR",
    "consumer_batch_size": "CONSUMER_BATCH_SIZE",
    "consumer_batch_linger_ms": "CONSUMER_BATCH_LINGER_MS",
    "messaging_retention_days": "MESSAGING_RETENTION_DAYS",
}
_FLOATS = {"messaging_retention_days", "consumer_batch_linger_ms"}
_INTS = {"port", "metrics_port", "consumer_batch_size"}


def common_from_env(cls: type, env: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments for the settings dataclass ``cls`` from the common variables that are set; unset ones
    keep the dataclass defaults (each service's own database name and ports)."""
    names = {f.name for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for field, var in COMMON_ENV.items():
        if field not in names or var not in env:
            continue
        raw = env[var]
        if field in _INTS:
            out[field] = int(raw)
        elif field in _FLOATS:
            out[field] = float(raw)
        elif field == "multiproc_dir":
            out[field] = raw or None
        else:
            out[field] = raw
    return out
