"""The open-dossier list the digests read, kept from due-date events."""
from datetime import UTC, datetime, timedelta

import pytest

from notify.domain import OpenDossier

pytestmark = pytest.mark.integration


def test_a_later_due_date_without_names_keeps_the_names_known_and_moves_the_due_date(repo):
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    first = OpenDossier("SCT-261126-0001", "SCT", "QLTM", "cb1", now + timedelta(days=5),
                        "Cấp Giấy phép kinh doanh", "Công ty TNHH Hòa Bình")
    with repo.transaction() as tx:
        tx.track_dossier(first, now)
    later = OpenDossier("SCT-261126-0001", "SCT", "QLTM", "cb2", now + timedelta(days=7), "", "")
    with repo.transaction() as tx:
        tx.track_dossier(later, now + timedelta(hours=1))
        [kept] = tx.open_dossiers("QLTM")
    assert (kept.officer, kept.due_at) == ("cb2", now + timedelta(days=7))
    assert (kept.procedure_name, kept.applicant_name) == ("Cấp Giấy phép kinh doanh", "Công ty TNHH Hòa Bình")
