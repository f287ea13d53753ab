from __future__ import annotations

import threading
from datetime import date

import pytest
from deadline_factories import accepted, at, cloud, result_ready, supplement_received, supplement_requested
from sqlalchemy import func, select

from deadline import handlers, tables
from deadline.handlers import CalendarSource, Deps
from dunghan.calendar import Notice
from dunghan.contract import decode

pytestmark = pytest.mark.integration


def outbox_types(repo):
    with repo.engine.connect() as c:
        rows = c.execute(select(tables.metadata.tables["outbox"].c.body)
                         .order_by(tables.metadata.tables["outbox"].c.id)).scalars()
        return [decode(bytes(b)) for b in rows]


def of_type(repo, name):
    return [ce for ce in outbox_types(repo) if ce.type.endswith(f".{name}.v1")]


def apply(repo, deps, *events, now=None):
    for e in events:
        handlers.handle_event(cloud(e), repo, deps, now or e.occurred_at)


def test_events_in_give_due_date_set_and_one_classification_in_the_outbox(repo, deps):
    ce = cloud(accepted("A", at(2024, 4, 26)))
    assert handlers.handle_event(ce, repo, deps, at(2024, 4, 26, 10)) == "ok"
    assert handlers.handle_event(ce, repo, deps, at(2024, 4, 26, 10)) == "duplicate"
    apply(repo, deps, result_ready("A", at(2024, 5, 3, 10)), result_ready("A", at(2024, 5, 3, 11)))
    [due] = of_type(repo, "due_date_set")
    assert due.data["due_at"].startswith("2024-05-04T17:00:00") and due.data["reason"] == "accepted"
    [c] = of_type(repo, "dossier_classified")
    assert (c.data["outcome"], c.data["working_days_diff"]) == ("early", -1)
    assert c.data["calendar_version"] == deps.calendars.current().version


def test_out_of_order_history_is_replayed_in_occurrence_order(repo, deps):
    apply(repo, deps, supplement_received("A", at(2024, 5, 9, 7, 30)), accepted("A", at(2024, 5, 6)),
          supplement_requested("A", at(2024, 5, 7, 7, 30)), now=at(2024, 5, 9, 8))
    with repo.uow as tx:
        d = tx.dossier("A", lock=False)
    assert d is not None and d.due_at == at(2024, 5, 13, 17) and not d.paused


def test_the_snapshot_in_the_acceptance_wins_after_the_procedure_changed(repo, deps):
    apply(repo, deps, accepted("A", at(2024, 5, 6), days=3, version=1),
          accepted("B", at(2024, 5, 6), days=5, version=2), supplement_requested("A", at(2024, 5, 7, 7, 30)),
          supplement_received("A", at(2024, 5, 8, 7, 30)))
    with repo.uow as tx:
        a, b = tx.dossier("A", lock=False), tx.dossier("B", lock=False)
    assert a is not None and a.procedure is not None and a.procedure.version == 1
    assert a.due_at == at(2024, 5, 10, 17)
    assert b is not None and b.due_at == at(2024, 5, 13, 17)


def test_two_scheduler_replicas_racing_emit_each_threshold_once(repo, deps):
    codes = [f"SCT-240506-{i:04d}" for i in range(30)]
    apply(repo, deps, *[accepted(c, at(2024, 5, 6)) for c in codes])
    replicas = [Deps(CalendarSource(deps.calendars.base, repo.notices)) for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(d):
        barrier.wait()
        handlers.scan_thresholds(repo, d, at(2024, 5, 8, 17), batch=5)

    threads = [threading.Thread(target=run, args=(d,)) for d in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    warnings = of_type(repo, "deadline_approaching")
    assert sorted(w.subject for w in warnings) == sorted(codes)
    assert {w.data["threshold"] for w in warnings} == {"d-1"}


def test_restart_catch_up_emits_the_latest_overdue_once_and_never_for_stopped(repo, deps):
    apply(repo, deps, accepted("A", at(2024, 5, 6)), accepted("B", at(2024, 5, 6)),
          result_ready("B", at(2024, 5, 7)))
    assert handlers.scan_thresholds(repo, deps, at(2024, 5, 16, 9)) == 1
    assert handlers.scan_thresholds(repo, deps, at(2024, 5, 16, 9, 30)) == 0
    [breach] = of_type(repo, "deadline_breached")
    assert breach.subject == "A" and breach.data["days_overdue"] == 5
    assert of_type(repo, "deadline_approaching") == []
    with repo.engine.connect() as c:
        t = tables.thresholds.c
        emitted = c.execute(select(func.count()).where(t.code == "A", t.emitted.is_(True))).scalar_one()
    assert emitted == 1


def test_calendar_change_recompute_records_before_and_after(repo, deps):
    apply(repo, deps, accepted("A", at(2024, 5, 6)), accepted("B", at(2024, 5, 6)),
          result_ready("B", at(2024, 5, 7)))
    handlers.add_notice(repo, deps, Notice(date(2024, 5, 8), "off", "Nghỉ đột xuất", "TB 1/2024",
                                           date(2024, 5, 7)), at(2024, 5, 7, 10))
    changes = handlers.recompute(repo, deps, at(2024, 5, 7, 10), "run1")
    assert [c.after.code for c in changes] == ["A"]
    [row] = repo.recompute_runs("run1")
    assert (row["before_due_at"], row["after_due_at"]) == (at(2024, 5, 9, 17), at(2024, 5, 10, 17))
    assert row["before_calendar_version"] != row["after_calendar_version"]
    due = of_type(repo, "due_date_set")[-1]
    assert (due.subject, due.data["reason"]) == ("A", "recomputed")
    assert handlers.recompute(repo, deps, at(2024, 5, 7, 11), "run2") == []


def test_history_is_stored_and_never_scanned_on_postgres(repo, deps):
    import dataclasses

    flagged = dataclasses.replace(accepted("H", at(2024, 5, 6)), history=True)
    apply(repo, deps, flagged, accepted("OLD", at(2017, 9, 1)), accepted("LIVE", at(2024, 5, 6)),
          now=at(2024, 5, 6, 9))
    with repo.uow as tx:
        stored = {c: tx.dossier(c, lock=False) for c in ("H", "OLD", "LIVE")}
    assert {c: (d.history, d.next_threshold_at is None) for c, d in stored.items()} == {
        "H": (True, True), "OLD": (True, True), "LIVE": (False, False)}
    assert {ce.data["code"]: ce.data["history"] for ce in of_type(repo, "due_date_set")} == {
        "H": True, "OLD": True, "LIVE": False}
    handlers.scan_thresholds(repo, deps, at(2024, 5, 20))
    warned = of_type(repo, "deadline_approaching") + of_type(repo, "deadline_breached")
    assert {ce.data["code"] for ce in warned} == {"LIVE"}
