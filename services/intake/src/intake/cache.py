"""A small thread-safe in-process cache with a time to live, for stable registry reads (keys, units, …)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

MAX_ENTRIES = 10_000


class TtlCache:
    """``get_or_load(key, load)``: a hit younger than ``ttl`` seconds, else ``load()``; empty results are not kept.

    Misses are not cached, so a newly created key, unit or procedure works at once; a changed or removed entry
    is seen at the latest ``ttl`` seconds later (``ttl <= 0`` turns the cache off).
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: Hashable, load: Callable[[], Any]) -> Any:
        if self.ttl <= 0:
            return load()
        now = self.clock()
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        if value:
            with self._lock:
                if len(self._items) >= MAX_ENTRIES:
                    self._items.clear()
                self._items[key] = (now + self.ttl, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
