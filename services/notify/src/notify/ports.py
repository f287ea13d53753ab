"""Notify's storage port: what a handler may do in one unit of work (``with uow as tx``; the inbox row commits
with the effect)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from dunghan.uow import UnitOfWork
from notify.domain import NewNotification, Officer, OpenDossier, Preferences, Unit


class Tx(Protocol):
    def inbox_accept(self, source: str, event_id: str) -> bool:
        """Record ``(source, event_id)``; False if it was there already (a redelivery: skip the effect)."""
    def inbox_accept_many(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """``inbox_accept`` of several keys at once: the keys that were new."""
    def upsert_officer(self, officer: Officer, now: datetime) -> None: ...
    def upsert_unit(self, unit: Unit, now: datetime) -> None: ...
    def officer(self, officer: str) -> Officer | None: ...
    def unit(self, unit: str) -> Unit | None: ...
    def units(self) -> list[Unit]: ...
    def preferences(self, officer: str) -> Preferences | None: ...
    def set_preferences(self, officer: str, prefs: Preferences, now: datetime) -> None: ...
    def enqueue(self, n: NewNotification, now: datetime) -> bool:
        """Queue ``n`` unless one with its dedupe key exists; True if it was queued."""
    def track_dossier(self, d: OpenDossier, now: datetime) -> None:
        """An empty procedure or applicant name keeps the one already known; a closed dossier stays closed."""
    def close_dossier(self, code: str, now: datetime) -> None: ...
    def open_dossiers(self, unit: str) -> list[OpenDossier]: ...
    def claim_digest(self, officer: str, day: date, now: datetime) -> bool: ...


NotifyUnitOfWork = UnitOfWork[Tx]


class Store(Protocol):
    @property
    def uow(self) -> NotifyUnitOfWork: ...
    def transaction(self) -> NotifyUnitOfWork:
        """``uow``, for ``with repo.transaction() as tx``."""
