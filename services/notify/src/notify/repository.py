"""SQL adapter of notify's storage: staff directory, open dossiers, notifications (unique dedupe key), digests.

The unit of work's ``SqlTx`` writes the tracking of open dossiers (one per due date set, most of a consumer
batch) together, in one pipelined ``executemany``, before its next statement or the commit."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert

from dunghan.db.messaging import inbox_accept, inbox_accept_many
from dunghan.db.unit_of_work import SqlUnitOfWork
from notify import tables as t
from notify.domain import Claimed, NewNotification, Officer, OpenDossier, Pending, Preferences, Unit


def _track_statement() -> Any:
    stmt = insert(t.open_dossiers)
    kept = {c: func.coalesce(func.nullif(stmt.excluded[c], ""), t.open_dossiers.c[c])
            for c in ("procedure_name", "applicant_name")}
    plain = {c: stmt.excluded[c] for c in ("agency", "unit", "officer", "due_at", "updated_at")}
    return stmt.on_conflict_do_update(index_elements=["code"], set_={**plain, **kept})


_TRACK = _track_statement()  # built once: it runs for every due date set


def _track_row(d: OpenDossier, now: datetime) -> dict[str, Any]:
    return {"code": d.code, "agency": d.agency, "unit": d.unit, "officer": d.officer, "due_at": d.due_at,
            "updated_at": now, "procedure_name": d.procedure_name or "", "applicant_name": d.applicant_name or ""}


class SqlTx:
    """The ``Tx`` port on ``conn``."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._tracks: list[dict[str, Any]] = []

    def flush(self) -> None:
        if self._tracks:
            self.conn.execute(_TRACK, self._tracks)
            self._tracks = []

    def inbox_accept(self, source: str, event_id: str) -> bool:
        self.flush()
        return inbox_accept(self.conn, source, event_id)

    def inbox_accept_many(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        self.flush()
        return inbox_accept_many(self.conn, keys)

    def upsert_officer(self, officer: Officer, now: datetime) -> None:
        self.flush()
        values = {"officer": officer.officer, "agency": officer.agency, "unit": officer.unit,
                  "full_name": officer.full_name, "email": officer.email, "phone": officer.phone,
                  "active": officer.active, "channels": list(officer.channels), "updated_at": now}
        stmt = insert(t.officers).values(**values)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["officer"], set_=values))

    def upsert_unit(self, unit: Unit, now: datetime) -> None:
        self.flush()
        values = {"unit": unit.unit, "agency": unit.agency, "name": unit.name, "head_officer": unit.head_officer,
                  "union_contact": unit.union_contact, "updated_at": now}
        stmt = insert(t.units).values(**values)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["unit"], set_=values))

    def officer(self, officer: str) -> Officer | None:
        self.flush()
        row = self.conn.execute(select(t.officers).where(t.officers.c.officer == officer)).first()
        if row is None:
            return None
        return Officer(row.officer, row.agency, row.unit, row.full_name, row.email, row.phone, row.active,
                       tuple(row.channels))

    def unit(self, unit: str) -> Unit | None:
        self.flush()
        row = self.conn.execute(select(t.units).where(t.units.c.unit == unit)).first()
        return _unit(row) if row else None

    def units(self) -> list[Unit]:
        self.flush()
        return [_unit(r) for r in self.conn.execute(select(t.units).order_by(t.units.c.unit))]

    def preferences(self, officer: str) -> Preferences | None:
        self.flush()
        row = self.conn.execute(select(t.preferences).where(t.preferences.c.officer == officer)).first()
        return Preferences(tuple(row.channels), row.digest) if row else None

    def set_preferences(self, officer: str, prefs: Preferences, now: datetime) -> None:
        self.flush()
        values = {"officer": officer, "channels": list(prefs.channels), "digest": prefs.digest, "updated_at": now}
        stmt = insert(t.preferences).values(**values)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["officer"], set_=values))

    def enqueue(self, n: NewNotification, now: datetime) -> bool:
        self.flush()
        stmt = insert(t.notifications).values(
            dedupe_key=n.dedupe_key, dossier=n.dossier, agency=n.agency, kind=n.kind, threshold=n.threshold,
            recipient=n.recipient, role=n.role, channel=n.channel, address=n.address, subject=n.subject,
            body_text=n.text, body_html=n.html, segments=n.segments, status="queued",
            next_attempt_at=n.next_attempt_at, created_at=now, updated_at=now,
        ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(t.notifications.c.id)
        return self.conn.execute(stmt).first() is not None

    def track_dossier(self, d: OpenDossier, now: datetime) -> None:
        """An empty procedure or applicant name keeps the one already known (written with the next statement)."""
        self._tracks.append(_track_row(d, now))

    def close_dossier(self, code: str, now: datetime) -> None:
        self.flush()
        stmt = insert(t.open_dossiers).values(code=code, agency="", unit="", officer="", closed=True,
                                              updated_at=now)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["code"],
                                                     set_={"closed": True, "updated_at": now}))

    def open_dossiers(self, unit: str) -> list[OpenDossier]:
        self.flush()
        d = t.open_dossiers
        rows = self.conn.execute(select(d).where(d.c.unit == unit, d.c.closed.is_(False)).order_by(d.c.due_at))
        return [OpenDossier(r.code, r.agency, r.unit, r.officer, r.due_at, r.procedure_name, r.applicant_name)
                for r in rows]

    def claim_digest(self, officer: str, day: date, now: datetime) -> bool:
        self.flush()
        stmt = (insert(t.digests).values(officer=officer, digest_date=day, created_at=now)
                .on_conflict_do_nothing().returning(t.digests.c.officer))
        return self.conn.execute(stmt).first() is not None


def _unit(row: Any) -> Unit:
    return Unit(row.unit, row.agency, row.name, row.head_officer, row.union_contact)


class SqlNotifyUnitOfWork(SqlUnitOfWork[SqlTx]):
    def bind(self, conn: Connection) -> SqlTx:
        return SqlTx(conn)

    def before_commit(self, ports: SqlTx) -> None:
        ports.flush()


class SqlRepository:
    """The unit of work of the handlers (``uow``, also ``transaction()``) and the sender's statements, each a
    transaction of its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.uow = SqlNotifyUnitOfWork(engine)

    def transaction(self) -> SqlNotifyUnitOfWork:
        return self.uow

    def claim_due(self, now: datetime, limit: int, lease_seconds: float) -> list[Claimed]:
        """Lock due rows (SKIP LOCKED: concurrent senders take disjoint rows), mark them sending, count an attempt.
        A row whose sender died is claimable again once its lease has run out."""
        n = t.notifications
        due = (
            select(n.c.id).where(or_(
                and_(n.c.status == "queued", n.c.next_attempt_at <= now),
                and_(n.c.status == "sending", n.c.claimed_until < now),
            )).order_by(n.c.next_attempt_at, n.c.id).limit(limit).with_for_update(skip_locked=True)
        ).cte("due")
        stmt = (
            update(n).where(n.c.id == due.c.id)
            .values(status="sending", attempts=n.c.attempts + 1, updated_at=now,
                    claimed_until=now + timedelta(seconds=lease_seconds))
            .returning(n.c.id, n.c.channel, n.c.recipient, n.c.address, n.c.subject, n.c.body_text,
                       n.c.body_html, n.c.attempts)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(stmt).all()
        return [Claimed(r.id, r.channel, r.recipient, r.address, r.subject, r.body_text, r.body_html, r.attempts)
                for r in sorted(rows, key=lambda r: r.id)]

    def renew_claims(self, ids: list[int], now: datetime, lease_seconds: float) -> set[int]:
        """The claims still held (status sending) extended by the lease; the ids returned are those held."""
        n = t.notifications
        stmt = (update(n).where(n.c.id.in_(ids), n.c.status == "sending")
                .values(claimed_until=now + timedelta(seconds=lease_seconds), updated_at=now).returning(n.c.id))
        with self.engine.begin() as conn:
            return set(conn.execute(stmt).scalars())

    def release_claims(self, ids: list[int], now: datetime) -> set[int]:
        """Claimed rows not sent given back (queued, due now, the attempt not counted); the ids released."""
        n = t.notifications
        stmt = (update(n).where(n.c.id.in_(ids), n.c.status == "sending")
                .values(status="queued", claimed_until=None, attempts=n.c.attempts - 1, updated_at=now)
                .returning(n.c.id))
        with self.engine.begin() as conn:
            return set(conn.execute(stmt).scalars())

    def _finish(self, notification_id: int, **values: Any) -> None:
        n = t.notifications
        with self.engine.begin() as conn:
            conn.execute(update(n).where(n.c.id == notification_id, n.c.status == "sending")
                         .values(claimed_until=None, **values))

    def mark_sent(self, notification_id: int, provider_id: str, now: datetime) -> None:
        self._finish(notification_id, status="sent", provider_id=provider_id or None, sent_at=now,
                     updated_at=now, last_error=None)

    def mark_retry(self, notification_id: int, error: str, next_at: datetime, now: datetime) -> None:
        self._finish(notification_id, status="queued", last_error=error[:1000], next_attempt_at=next_at,
                     updated_at=now)

    def mark_failed(self, notification_id: int, error: str, now: datetime) -> None:
        self._finish(notification_id, status="failed", last_error=error[:1000], dead_lettered_at=now,
                     updated_at=now)

    def pending(self, now: datetime) -> dict[str, Pending]:
        """Per channel: queued or sending, and of those, due now (queued and its next attempt has come, or a
        sending lease that ran out), with the oldest's age of each."""
        n = t.notifications
        queued_due = and_(n.c.status == "queued", n.c.next_attempt_at <= now)
        lease_over = and_(n.c.status == "sending", n.c.claimed_until < now)
        due_since = case((n.c.status == "queued", n.c.next_attempt_at), else_=n.c.claimed_until)
        is_due = or_(queued_due, lease_over)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(n.c.channel, func.count(), func.min(n.c.created_at),
                       func.count().filter(is_due), func.min(due_since).filter(is_due))
                .where(n.c.status.in_(("queued", "sending"))).group_by(n.c.channel)
            ).all()
        return {r[0]: Pending(int(r[1]), _age(now, r[2]), int(r[3]), _age(now, r[4])) for r in rows}

    def delivery_log(self, dossier: str) -> list[dict[str, Any]]:
        n = t.notifications
        cols = [n.c.id, n.c.dossier, n.c.agency, n.c.kind, n.c.threshold, n.c.recipient, n.c.role, n.c.channel,
                n.c.status, n.c.attempts, n.c.provider_id, n.c.last_error, n.c.segments, n.c.next_attempt_at,
                n.c.created_at, n.c.sent_at, n.c.dead_lettered_at]
        with self.engine.connect() as conn:
            rows = conn.execute(select(*cols).where(n.c.dossier == dossier).order_by(n.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0
