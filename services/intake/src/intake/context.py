"""What the HTTP views share: the bootstrapped dependencies (``ctx()``), the key store, the error map."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NoReturn

from flask import current_app
from flask_smorest import abort

from dunghan.web.auth import Principal
from intake.bootstrap import IntakeDeps
from intake.cache import TtlCache
from intake.domain import InboundError
from intake.ports import Repository

HTTP_STATUS = {
    "invalid": 422, "not_json": 400, "unknown_sender": 401, "forged": 403, "unknown_procedure": 422,
    "lifecycle": 409, "unknown_dossier": 404, "conflict": 409, "too_large": 413,
}


class RepoKeyStore:
    """API keys of source systems (sha256 in the registry), then the static keys from configuration.

    A found key is remembered ``cache_seconds`` (a revoked or changed key stops working within that time); an
    unknown key is looked up every time, so a new key works at once.
    """

    def __init__(self, repo: Repository, fallback: Any, cache_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.repo = repo
        self.fallback = fallback
        self.cache = TtlCache(cache_seconds, clock)

    def lookup(self, key_sha256: str) -> Principal | None:
        return self.cache.get_or_load(key_sha256, lambda: self._load(key_sha256))  # type: ignore[no-any-return]

    def _load(self, key_sha256: str) -> Principal | None:
        with self.repo.transaction() as tx:
            source = tx.source_by_key(key_sha256)
        if source is not None:
            return Principal(source.name, source.agency, source.role)
        return self.fallback.lookup(key_sha256)  # type: ignore[no-any-return]


def ctx() -> IntakeDeps:
    return current_app.extensions["intake"]  # type: ignore[no-any-return]


def fail(exc: InboundError) -> NoReturn:
    abort(HTTP_STATUS[exc.kind], message=exc.reason, field=exc.field, error_code=exc.kind)
    raise AssertionError  # abort raises
