"""The lifecycle state machine, dossier codes and effective-dated procedure versions."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from intake.domain import (
    DossierState,
    Status,
    VersionSpan,
    canonical_event_id,
    check_code,
    effective_version,
    hash_id_number,
    is_overdue,
)
from intake.facts import decide

from ..conftest import make_code  # type: ignore[import-not-found]

T = datetime(2017, 3, 6, 8, 0)
ACCEPTED = DossierState(Status.ACCEPTED, accepted_at=T)


def test_acceptance_of_unknown_or_submitted_dossier_starts_it_at_status_2():
    assert decide(None, "dossier.accepted", T).status == Status.ACCEPTED
    assert decide(DossierState(Status.SUBMITTED), "dossier.accepted", T).status == Status.ACCEPTED


def test_second_acceptance_is_rejected():
    v = decide(ACCEPTED, "dossier.accepted", T)
    assert v.action == "reject"


def test_event_before_acceptance_is_buffered():
    assert decide(None, "result.ready", T).action == "buffer"
    assert decide(DossierState(Status.SUBMITTED), "dossier.transferred", T).action == "buffer"


def test_result_dated_before_acceptance_is_rejected_on_occurred_at():
    v = decide(ACCEPTED, "result.ready", T - timedelta(hours=1))
    assert (v.action, v.field) == ("reject", "occurred_at")


@pytest.mark.parametrize(("start", "fact", "end"), [
    (Status.ACCEPTED, "dossier.transferred", Status.PROCESSING),
    (Status.PROCESSING, "supplement.requested", Status.SUPPLEMENT),
    (Status.SUPPLEMENT, "supplement.received", Status.PROCESSING),
    (Status.PROCESSING, "fee.requested", Status.FEE),
    (Status.FEE, "fee.paid", Status.PROCESSING),
    (Status.SUPPLEMENT, "dossier.transferred", Status.SUPPLEMENT),
    (Status.PROCESSING, "apology.issued", Status.PROCESSING),
    (Status.PROCESSING, "result.ready", Status.RESOLVED),
    (Status.RESOLVED, "result.returned", Status.RETURNED),
    (Status.PROCESSING, "dossier.withdrawn", Status.WITHDRAWN),
    (Status.SUBMITTED, "dossier.withdrawn", Status.WITHDRAWN),
    (Status.PROCESSING, "dossier.stopped", Status.STOPPED),
])
def test_transitions_follow_the_national_status_codes(start, fact, end):
    v = decide(DossierState(start, accepted_at=T), fact, T)
    assert (v.action, v.status) == ("apply", end)


def test_withdrawal_after_a_result_is_rejected():
    assert decide(DossierState(Status.RESOLVED, accepted_at=T), "dossier.withdrawn", T).action == "reject"


@pytest.mark.parametrize("terminal", [Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED])
def test_nothing_follows_a_terminal_status(terminal):
    assert decide(DossierState(terminal, accepted_at=T), "dossier.transferred", T).action == "reject"


def test_supplement_receipt_without_a_request_waits_for_the_request():
    assert decide(ACCEPTED, "supplement.received", T).action == "buffer"


def test_dossier_code_format_and_agency_prefix():
    assert check_code("SCT-170306-0001", "SCT") is None
    assert check_code("SCT-170306-001", "SCT") is not None
    assert check_code("STP-170306-0001", "SCT") is not None
    assert check_code("SCT-171306-0001", "SCT") is not None
    assert make_code("SCT", date(2017, 3, 6), 12) == "SCT-170306-0012"
    assert check_code(make_code("SCT", date(2017, 3, 6), 12), "SCT") is None


def test_canonical_event_id_is_deterministic_per_agency_and_sender_id():
    assert canonical_event_id("SCT", "a1") == canonical_event_id("SCT", "a1")
    assert canonical_event_id("SCT", "a1") != canonical_event_id("STP", "a1")


def test_id_numbers_are_hashed_with_the_pepper():
    h = hash_id_number("p", "079123456789")
    assert "079123456789" not in h and h != hash_id_number("q", "079123456789")


def test_effective_version_picks_the_version_in_force_and_none_when_abolished():
    spans = [VersionSpan(1, date(2016, 1, 1), date(2017, 2, 17)), VersionSpan(2, date(2017, 2, 17)),
             VersionSpan(3, date(2018, 1, 1), abolished=True)]
    assert effective_version(spans, date(2017, 2, 16)).version == 1  # type: ignore[union-attr]
    assert effective_version(spans, date(2017, 2, 17)).version == 2  # type: ignore[union-attr]
    assert effective_version(spans, date(2018, 6, 1)) is None
    assert effective_version(spans, date(2015, 1, 1)) is None


def test_overdue_means_open_with_the_clock_running_and_past_the_appointment():
    due = T + timedelta(days=1)
    late = [st for st in Status if is_overdue(st, due, due + timedelta(seconds=1))]
    assert late == [Status.ACCEPTED, Status.PROCESSING, Status.FEE]  # a supplement request stops the clock
    assert not is_overdue(Status.PROCESSING, due, due)
    assert not is_overdue(Status.PROCESSING, None, due)
