"""Settings from the environment: ``EnvSettings.from_env`` is the one reader, driven by each field's type and
metadata; ``ServiceSettings`` holds what every service reads, each service's ``config.py`` adds its own fields."""
from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")
S = TypeVar("S", bound="EnvSettings")


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"not a yes/no value: {raw!r} (1/0, true/false, yes/no, on/off)")


def setting(default: Any = dataclasses.MISSING, *, env: str | None = None, unset: Any = dataclasses.MISSING,
            check: Callable[[Any], Any] | None = None) -> Any:
    """A field with a default, read from ``env`` (else the class's ``ENV_PREFIX`` + the field's name in capitals);
    ``unset``: its value when the variable is not set (when the class default serves tests, not production);
    ``check``: validates (and may normalise) a value read from the environment, raising ``ValueError``."""
    given = (("env", env), ("unset", unset), ("check", check))
    meta = {k: v for k, v in given if v is not None and v is not dataclasses.MISSING}
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class EnvSettings:
    """A frozen dataclass whose fields are read from the environment by ``from_env``."""

    ENV_PREFIX: ClassVar[str] = ""

    @classmethod
    def env_name(cls, name: str) -> str:
        """The variable a field is read from; a subclass that only changes a field's default keeps its name."""
        for klass in cls.__mro__:
            f = getattr(klass, "__dataclass_fields__", {}).get(name)
            if f is not None and "env" in f.metadata:
                return str(f.metadata["env"])
        return f"{cls.ENV_PREFIX}{name.upper()}"

    @classmethod
    def from_env(cls: type[S], env: Mapping[str, str] | None = None) -> S:
        """Unset variables keep the dataclass defaults; a nested ``EnvSettings`` field reads the same mapping."""
        e = os.environ if env is None else env
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            kind = hints[f.name]
            if isinstance(kind, type) and issubclass(kind, EnvSettings):
                values[f.name] = kind.from_env(e)
                continue
            var = cls.env_name(f.name)
            if var not in e:
                if "unset" in f.metadata:
                    values[f.name] = f.metadata["unset"]
                continue
            try:
                value = parse(kind, e[var])
                check = f.metadata.get("check")
                values[f.name] = check(value) if check else value
            except ValueError as exc:
                raise type(exc)(f"{var}: {exc}") from None
        return cls(**values)


def parse(kind: Any, raw: str) -> Any:
    """A variable's text as ``kind``: str, int, float, bool (``parse_bool``), or ``X | None`` (empty: None)."""
    args = typing.get_args(kind)
    if (typing.get_origin(kind) in (typing.Union, types.UnionType)) and type(None) in args:
        if not raw:
            return None
        [inner] = [a for a in args if a is not type(None)]
        return parse(inner, raw)
    if kind is bool:
        return parse_bool(raw)
    if kind in (int, float, str):
        return kind(raw)
    raise TypeError(f"no reader for settings of type {kind!r}")


@dataclass(frozen=True)
class ServiceSettings(EnvSettings):
    """What every service reads; a service's ``Settings`` sets ``ENV_PREFIX`` and its own defaults (database
    name, ports) by declaring those fields again."""

    database_url: str = setting("postgresql+psycopg://postgres@127.0.0.1:5432/dunghan", env="DATABASE_URL")
    amqp_url: str = setting("amqp://guest:guest@127.0.0.1:5672/%2F", env="AMQP_URL")
    amqp_prefix: str = setting("", env="AMQP_PREFIX")
    amqp_producers: str = setting("", env="AMQP_PRODUCERS")
    log_level: str = setting("INFO", env="LOG_LEVEL")
    port: int = setting(8000, env="PORT")
    metrics_port: int = setting(9100, env="METRICS_PORT")
    api_keys: str = setting("", env="API_KEYS")
    multiproc_dir: str | None = setting(None, env="PROMETHEUS_MULTIPROC_DIR")
    consumer_batch_size: int = setting(50, env="CONSUMER_BATCH_SIZE")
    consumer_batch_linger_ms: float = setting(30.0, env="CONSUMER_BATCH_LINGER_MS")
    messaging_retention_days: float = setting(30.0, env="MESSAGING_RETENTION_DAYS")
    migrate: bool = True  # <PREFIX>MIGRATE: Alembic to head when a web or worker process starts
