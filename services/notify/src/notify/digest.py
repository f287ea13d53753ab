"""The daily digest per unit head: dossiers due within 1 working day and overdue, one per (head, date)."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from notify import domain
from notify.domain import Calendar, Recipient
from notify.handlers import Context, queue
from notify.ports import Store, Tx
from notify.render import Renderer

log = logging.getLogger(__name__)


def digest_context(tx: Tx, unit: domain.Unit, now: datetime, calendar: Calendar, link_base: str,
                   tz: str = domain.DEFAULT_TZ) -> tuple[domain.Digest, dict[str, Any]]:
    """What a unit head's digest holds at ``now``: its selection and the template fields (also for the API)."""
    selection = domain.digest_selection(tx.open_dossiers(unit.unit), now, calendar, tz)
    day = domain.local(now, tz).date()
    return selection, {"date": day.strftime("%d/%m/%Y"), "unit_name": unit.name,
                       "due_soon": domain.digest_rows(selection.due_soon, link_base, tz),
                       "overdue": domain.digest_rows(selection.overdue, link_base, tz)}


class DigestJob:
    def __init__(self, repo: Store, renderer: Renderer, calendar: Calendar, *, at: str = "07:30",
                 link_base: str = "", tz: str = domain.DEFAULT_TZ, available: frozenset[str] | None = None,
                 sms_windows: domain.Windows = domain.WINDOWS) -> None:
        self.repo, self.renderer, self.calendar = repo, renderer, calendar
        self.available, self.sms_windows = available, sms_windows
        self.at, self.link_base, self.tz = at, link_base, tz

    def __call__(self, now: datetime) -> int:
        return self.run_once(now)

    def run_once(self, now: datetime) -> int:
        """Queue today's digests not yet queued (nothing before the configured time or on a day off)."""
        if not domain.digest_due(now, self.calendar, self.at, self.tz):
            return 0
        queued = 0
        with self.repo.transaction() as tx:
            heads = list(self._heads(tx))
        for unit, head in heads:
            with self.repo.transaction() as tx:
                queued += self._one(tx, unit, head, now)
        return queued

    def _heads(self, tx: Tx) -> Iterator[tuple[domain.Unit, domain.Officer]]:
        for unit in tx.units():
            head = tx.officer(unit.head_officer) if unit.head_officer else None
            if head is None or not head.active:
                continue
            prefs = tx.preferences(head.officer)
            if prefs is None or prefs.digest:
                yield unit, head

    def _one(self, tx: Tx, unit: domain.Unit, head: domain.Officer, now: datetime) -> int:
        selection, context = digest_context(tx, unit, now, self.calendar, self.link_base, self.tz)
        day = domain.local(now, self.tz).date()
        if selection.empty or not tx.claim_digest(head.officer, day, now):
            return 0
        ctx = Context(self.renderer, self.calendar, now, self.link_base, self.tz, self.sms_windows,
                      available=self.available)
        queue(tx, ctx, kind="digest", dossier=f"digest:{unit.unit}", agency=unit.agency, threshold=day.isoformat(),
              recipients=[Recipient(head, "unit_head")], context=context)
        log.info("digest for unit %s queued to officer %s", unit.unit, head.officer)
        return len(ctx.queued)
