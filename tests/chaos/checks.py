"""What the chaos run measures afterwards: lost and duplicated effects in the services, the sinks, the broker."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from .conftest import ChaosSystem

CLOSING_FACTS = {"result.ready", "dossier.withdrawn", "dossier.stopped"}
WORK_QUEUES = ("intake.inbound", "deadline.events", "scoring.events", "notify.events")


def rows(system: ChaosSystem, service: str, sql: str) -> list[Any]:
    engine = system.engine(service)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    finally:
        engine.dispose()


def backlog(system: ChaosSystem) -> dict[str, int]:
    """Everything in flight: messages in work and retry queues, unpublished outbox rows, unsent notifications."""
    out: dict[str, int] = {}
    for name, (ready, unacked) in system.rabbit.queues().items():
        short = name.removeprefix(system.prefix)
        if short.endswith((".dlq", ".rejected")):
            continue
        if ready or unacked:
            out[f"queue {short}"] = ready + unacked
    for service in ("intake", "deadline", "scoring", "notify"):
        n = rows(system, service, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]
        if n:
            out[f"outbox {service}"] = n
    n = rows(system, "notify", "SELECT count(*) FROM notifications WHERE status IN ('queued', 'sending')")[0][0]
    if n:
        out["notifications pending"] = n
    return out


@dataclass
class Figures:
    lost: dict[str, list[str]] = field(default_factory=dict)
    duplicated: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)

    def add(self, bucket: dict[str, list[str]], what: str, items: Iterable[str]) -> None:
        items = sorted(items)
        if items:
            bucket[what] = items

    def summary(self) -> dict[str, Any]:
        return {"lost": {k: len(v) for k, v in self.lost.items()},
                "duplicated": {k: len(v) for k, v in self.duplicated.items()}, **self.counts}


def pipeline(system: ChaosSystem, facts: list[dict[str, Any]], fig: Figures) -> None:
    """Facts → intake → deadline classification → scoring, each dossier exactly once."""
    planned_ids = {f["event_id"] for f in facts}
    accepted_plan = {f["code"] for f in facts if f["fact"] == "dossier.accepted"}
    closed_plan = {f["code"] for f in facts if f["fact"] in CLOSING_FACTS} & accepted_plan
    received = {r[0] for r in rows(system, "intake", "SELECT event_id FROM received_facts")}
    states = Counter(r[0] for r in rows(system, "intake", "SELECT state FROM received_facts"))
    intake_accepted = {r[0] for r in rows(system, "intake",
                                          "SELECT code FROM dossiers WHERE accepted_at IS NOT NULL")}
    deadline = {r[0]: r[1] for r in rows(system, "deadline",
                                         "SELECT code, classification->>'outcome' FROM dossiers")}
    classified = {c for c, outcome in deadline.items() if outcome}
    events = rows(system, "deadline", "SELECT convert_from(body, 'UTF8')::jsonb->>'subject', count(*) FROM outbox "
                                      "WHERE routing_key LIKE 'deadline.dossier_classified.%' GROUP BY 1")
    classified_events = {code: n for code, n in events}
    scoring = {r[0]: r[1] for r in rows(system, "scoring", "SELECT code, outcome FROM dossiers")}
    fig.add(fig.lost, "facts not received by intake", planned_ids - received)
    fig.add(fig.lost, "accepted dossiers missing in intake", accepted_plan - intake_accepted)
    fig.add(fig.lost, "accepted dossiers missing in deadline", intake_accepted - set(deadline))
    fig.add(fig.lost, "closed dossiers not classified", closed_plan - classified)
    fig.add(fig.lost, "classified dossiers without a classification event", classified - set(classified_events))
    fig.add(fig.lost, "classified dossiers not counted in scoring",
            {c for c in classified if scoring.get(c) != deadline[c]})
    fig.add(fig.lost, "accepted dossiers missing in scoring", intake_accepted - set(scoring))
    fig.add(fig.duplicated, "classification events per dossier > 1",
            {c for c, n in classified_events.items() if n > 1})
    fig.add(fig.duplicated, "classified without being closed", classified - closed_plan)
    corrections = rows(system, "deadline", "SELECT count(*) FROM classification_corrections")[0][0]
    fig.counts.update({
        "dossiers": len({f["code"] for f in facts}), "events": len(facts), "accepted": len(intake_accepted),
        "classified": len(classified), "scored": sum(1 for c in classified if scoring.get(c)),
        "intake_fact_states": dict(states), "classification_corrections": corrections,
    })


def _squash(subject: str) -> str:
    """Without whitespace: the parser may drop a space where a long encoded subject was folded."""
    return "".join(subject.split())


def notifications(system: ChaosSystem, fig: Figures) -> None:
    """Each (dossier, kind, threshold, recipient, channel) notified once; each sent one received exactly once."""
    total, distinct = rows(system, "notify", "SELECT count(*), count(DISTINCT dedupe_key) FROM notifications")[0]
    same = rows(system, "notify", "SELECT dossier, kind, threshold, recipient, channel, count(*) "
                                  "FROM notifications GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1")
    fig.add(fig.duplicated, "notification rows per dedupe key",
            [f"{total - distinct}"] if total != distinct else [])
    fig.add(fig.duplicated, "notifications per (dossier, kind, threshold, recipient, channel)",
            [f"{r[0]} {r[1]} {r[2]} {r[3]} {r[4]} x{r[5]}" for r in same])
    sent = rows(system, "notify", "SELECT id, channel, address, subject FROM notifications WHERE status = 'sent'")
    status = Counter(r[0] for r in rows(system, "notify", "SELECT status FROM notifications"))
    want_mail = Counter((r[2], _squash(r[3])) for r in sent if r[1] == "email")
    # What reaches people: the gateway dedupes by `reference`, mailboxes by Message-ID (one per notification).
    # Resends in the crash window between a provider's acceptance and notify's commit are counted apart.
    mail_groups = system.smtp.by_message_id()
    got_mail = Counter((str(g[0]["To"]), _squash(str(g[0]["Subject"]))) for g in mail_groups.values())
    want_sms = {str(r[0]) for r in sent if r[1] == "sms"}
    got_sms = Counter(str(ref) for ref in list(system.sms.delivered))
    fig.add(fig.duplicated, "e-mails received more often than sent",
            [f"{k[1]} x{n - want_mail[k]}" for k, n in got_mail.items() if n > want_mail[k]])
    fig.add(fig.lost, "e-mails sent but not received",
            [f"{k[1]} x{n - got_mail[k]}" for k, n in want_mail.items() if n > got_mail[k]])
    fig.add(fig.duplicated, "SMS received more than once", [f"{k} x{n}" for k, n in got_sms.items() if n > 1])
    fig.add(fig.lost, "SMS sent but not received", want_sms - set(got_sms))
    fig.add(fig.duplicated, "SMS received but never sent", set(got_sms) - want_sms)
    unmatched = [k for k in got_mail if k not in want_mail][:2] + [k for k in want_mail if k not in got_mail][:2]
    if unmatched:
        fig.counts["unmatched_mail_sample"] = [list(k) for k in unmatched]
    fig.counts.update({"notifications": dict(status), "emails_received": sum(got_mail.values()),
                       "sms_received": sum(got_sms.values()),
                       "provider_resends_deduplicated": {
                           "email": len(system.smtp.messages) - len(mail_groups), "sms": system.sms.replays}})


def broker(system: ChaosSystem, expected_dlq: dict[str, int], fig: Figures) -> None:
    """No message left ready or unacked; dead-letter queues hold exactly the deliberately bad messages."""
    queues = {n.removeprefix(system.prefix): v for n, v in system.rabbit.queues().items()
              if n.startswith(system.prefix)}
    dlq = {n: ready for n, (ready, _) in queues.items() if n.endswith(".dlq")}
    left = {n: v for n, v in queues.items() if not n.endswith((".dlq", ".rejected")) and any(v)}
    fig.add(fig.lost, "messages left in queues (ready, unacked)", [f"{n} {v}" for n, v in left.items()])
    fig.add(fig.lost, "dead-letter queues unlike the bad messages sent",
            [f"{n}: {dlq.get(n, 0)} (expected {want})" for n, want in expected_dlq.items()
             if dlq.get(n, 0) != want])
    rejected = {n: v[0] for n, v in queues.items() if n.endswith(".rejected")}
    fig.counts.update({"dlq": dlq, "rejected_queue": rejected, "queues_seen": len(queues)})
    if any(n.endswith(".dlq") for n in left):
        fig.counts["dlq_unacked"] = {n: v for n, v in left.items() if n.endswith(".dlq")}


def to_json(fig: Figures, extra: dict[str, Any]) -> str:
    return json.dumps({**fig.summary(), **extra}, ensure_ascii=False, sort_keys=True)
