"""In-memory fakes of the storage port and its unit of work, for tests: same behaviour, recorded state."""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dunghan.uow import AbstractUnitOfWork
from notify.domain import Claimed, NewNotification, Officer, OpenDossier, Pending, Preferences, Unit


class FakeTx:
    def __init__(self, repo: FakeRepository) -> None:
        self.repo = repo

    def inbox_accept(self, source: str, event_id: str) -> bool:
        if (source, event_id) in self.repo.inbox:
            return False
        self.repo.inbox.add((source, event_id))
        return True

    def inbox_accept_many(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        return {k for k in dict.fromkeys(keys) if self.inbox_accept(*k)}

    def upsert_officer(self, officer: Officer, now: datetime) -> None:
        self.repo.officers[officer.officer] = officer

    def upsert_unit(self, unit: Unit, now: datetime) -> None:
        self.repo.units_[unit.unit] = unit

    def officer(self, officer: str) -> Officer | None:
        return self.repo.officers.get(officer)

    def unit(self, unit: str) -> Unit | None:
        return self.repo.units_.get(unit)

    def units(self) -> list[Unit]:
        return [self.repo.units_[k] for k in sorted(self.repo.units_)]

    def preferences(self, officer: str) -> Preferences | None:
        return self.repo.prefs.get(officer)

    def set_preferences(self, officer: str, prefs: Preferences, now: datetime) -> None:
        self.repo.prefs[officer] = prefs

    def enqueue(self, n: NewNotification, now: datetime) -> bool:
        if any(r["dedupe_key"] == n.dedupe_key for r in self.repo.notifications):
            return False
        row = {**dataclasses.asdict(n), "id": len(self.repo.notifications) + 1, "status": "queued",
               "attempts": 0, "provider_id": None, "last_error": None, "created_at": now, "sent_at": None,
               "dead_lettered_at": None}
        self.repo.notifications.append(row)
        return True

    def track_dossier(self, d: OpenDossier, now: datetime) -> None:
        old = self.repo.dossiers.get(d.code)
        if old is not None:
            d = dataclasses.replace(d, procedure_name=d.procedure_name or old.procedure_name,
                                    applicant_name=d.applicant_name or old.applicant_name)
        if d.code not in self.repo.closed:
            self.repo.dossiers[d.code] = d

    def close_dossier(self, code: str, now: datetime) -> None:
        self.repo.closed.add(code)
        self.repo.dossiers.pop(code, None)

    def open_dossiers(self, unit: str) -> list[OpenDossier]:
        found = [d for d in self.repo.dossiers.values() if d.unit == unit]
        return sorted(found, key=lambda d: (d.due_at is None, d.due_at or datetime.min.replace(tzinfo=UTC)))

    def claim_digest(self, officer: str, day: date, now: datetime) -> bool:
        if (officer, day) in self.repo.digests:
            return False
        self.repo.digests.add((officer, day))
        return True


class FakeUnitOfWork(AbstractUnitOfWork[FakeTx]):
    """One unit of work at a time (the repository's lock held from begin to end); commits are counted, nothing
    is undone."""

    def __init__(self, repo: FakeRepository) -> None:
        super().__init__()
        self.repo = repo
        self.commits = 0

    def _begin(self) -> FakeTx:
        self.repo._lock.acquire()
        return FakeTx(self.repo)

    def _commit(self, ports: FakeTx) -> None:
        self.commits += 1
        self.repo._lock.release()

    def _rollback(self) -> None:
        self.repo._lock.release()

    def _lock(self, keys: list[str]) -> None:
        return None


class FakeRepository:
    def __init__(self) -> None:
        self.inbox: set[tuple[str, str]] = set()
        self.officers: dict[str, Officer] = {}
        self.units_: dict[str, Unit] = {}
        self.prefs: dict[str, Preferences] = {}
        self.dossiers: dict[str, OpenDossier] = {}
        self.closed: set[str] = set()
        self.digests: set[tuple[str, date]] = set()
        self.notifications: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        self.uow = FakeUnitOfWork(self)

    def transaction(self) -> FakeUnitOfWork:
        return self.uow

    def claim_due(self, now: datetime, limit: int, lease_seconds: float) -> list[Claimed]:
        out: list[Claimed] = []
        with self._lock:
            for r in sorted(self.notifications, key=lambda r: (r["next_attempt_at"], r["id"])):
                due = (r["status"] == "queued" and r["next_attempt_at"] <= now) or (
                    r["status"] == "sending" and r["claimed_until"] < now)
                if due and len(out) < limit:
                    r.update(status="sending", attempts=r["attempts"] + 1,
                             claimed_until=now + timedelta(seconds=lease_seconds))
                    out.append(Claimed(r["id"], r["channel"], r["recipient"], r["address"], r["subject"],
                                       r["text"], r["html"], r["attempts"]))
        return sorted(out, key=lambda c: c.id)

    def renew_claims(self, ids: list[int], now: datetime, lease_seconds: float) -> set[int]:
        with self._lock:
            held = [r for r in self.notifications if r["id"] in ids and r["status"] == "sending"]
            for r in held:
                r.update(claimed_until=now + timedelta(seconds=lease_seconds))
            return {r["id"] for r in held}

    def release_claims(self, ids: list[int], now: datetime) -> set[int]:
        with self._lock:
            held = [r for r in self.notifications if r["id"] in ids and r["status"] == "sending"]
            for r in held:
                r.update(status="queued", claimed_until=None, attempts=r["attempts"] - 1)
            return {r["id"] for r in held}

    def _row(self, notification_id: int) -> dict[str, Any]:
        """The row being sent (an outcome for any other is ignored, as the SQL's ``status = 'sending'``)."""
        return next((r for r in self.notifications if r["id"] == notification_id and r["status"] == "sending"),
                    {})

    def mark_sent(self, notification_id: int, provider_id: str, now: datetime) -> None:
        self._row(notification_id).update(status="sent", provider_id=provider_id or None, sent_at=now,
                                          last_error=None)

    def mark_retry(self, notification_id: int, error: str, next_at: datetime, now: datetime) -> None:
        self._row(notification_id).update(status="queued", last_error=error, next_attempt_at=next_at)

    def mark_failed(self, notification_id: int, error: str, now: datetime) -> None:
        self._row(notification_id).update(status="failed", last_error=error, dead_lettered_at=now)

    def pending(self, now: datetime) -> dict[str, Pending]:
        out: dict[str, Pending] = {}
        for r in self.notifications:
            if r["status"] not in ("queued", "sending"):
                continue
            p = out.get(r["channel"], Pending())
            since = r["next_attempt_at"] if r["status"] == "queued" else r["claimed_until"]
            due = since is not None and (since <= now if r["status"] == "queued" else since < now)
            out[r["channel"]] = Pending(
                p.count + 1, max(p.oldest_age, (now - r["created_at"]).total_seconds()),
                p.due + due, max(p.oldest_due_age, (now - since).total_seconds()) if due else p.oldest_due_age)
        return out

    def delivery_log(self, dossier: str) -> list[dict[str, Any]]:
        keep = ("id", "dossier", "agency", "kind", "threshold", "recipient", "role", "channel", "status",
                "attempts", "provider_id", "last_error", "segments", "next_attempt_at", "created_at", "sent_at",
                "dead_lettered_at")
        return [{k: r[k] for k in keep} for r in self.notifications if r["dossier"] == dossier]

    def ping(self) -> None:
        return None
