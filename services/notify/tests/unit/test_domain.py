"""Pure rules: recipients, channels, dedupe keys, quiet hours, backoff, digest selection."""
from datetime import UTC, date, datetime, timedelta

import pytest

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev
from notify import domain
from notify.domain import Officer, OpenDossier, Preferences, Unit

CAL = load_calendar()


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


class Dir:
    def __init__(self, officers, units, prefs=None):
        self.o = {o.officer: o for o in officers}
        self.u = {u.unit: u for u in units}
        self.p = prefs or {}

    def officer(self, officer):
        return self.o.get(officer)

    def unit(self, unit):
        return self.u.get(unit)

    def units(self):
        return list(self.u.values())

    def preferences(self, officer):
        return self.p.get(officer)


OFFICER = Officer("cb1", "SCT", "QLTM", "Trần Thị Bình", "binh@example.vn", "0912345678")
HEAD = Officer("cb2", "SCT", "QLTM", "Lê Văn Hùng", "hung@example.vn", None)
UNION = Officer("cb3", "SCT", "VP", "Phạm Thu", "thu@example.vn", "0987654321")
GONE = Officer("cb4", "SCT", "VP", "Nghỉ việc", "x@example.vn", active=False)
DIRECTORY = Dir([OFFICER, HEAD, UNION, GONE], [Unit("QLTM", "SCT", "Phòng QLTM", "cb2", None),
                                               Unit("VP", "SCT", "Văn phòng", "cb4", "cb3")])


def approaching(threshold: str) -> ev.DeadlineApproaching:
    return ev.DeadlineApproaching(code="SCT-170301-0001", agency="SCT", unit="QLTM", officer="cb1",
                                  threshold=threshold, due_at=vn(2017, 3, 3, 17), procedure_code="P1",
                                  procedure_name="Cấp phép", applicant_name="Nguyễn Văn Đức")


def test_d1_warning_goes_to_officer_and_unit_head():
    rs = domain.resolve(DIRECTORY, domain.audience(approaching("d-1")))
    assert [(r.officer.officer, r.role) for r in rs] == [("cb1", "officer"), ("cb2", "unit_head")]


def test_due_day_warning_goes_to_officer_only():
    rs = domain.resolve(DIRECTORY, domain.audience(approaching("due_day")))
    assert [r.officer.officer for r in rs] == ["cb1"]


def test_phase_closed_reaches_active_heads_and_union_contact():
    e = ev.PhaseClosed(campaign="2017", phase="1", phase_name="Đợt 1", review_date=date(2017, 6, 30))
    rs = domain.resolve(DIRECTORY, domain.audience(e))
    assert [(r.officer.officer, r.role) for r in rs] == [("cb2", "unit_head"), ("cb3", "union_contact")]


def test_channels_follow_directory_preferences_and_addresses():
    assert domain.channels_for(OFFICER, None) == ["email", "sms"]
    assert domain.channels_for(OFFICER, Preferences(("email",))) == ["email"]
    assert domain.channels_for(HEAD, None) == ["email"]


def test_dedupe_key_names_dossier_threshold_recipient_channel():
    dossier, threshold = domain.subject_and_threshold(approaching("d-1"))
    assert domain.dedupe_key(dossier, threshold, "cb1", "sms") == "SCT-170301-0001|d-1@2017-03-03|cb1|sms"


def test_due_date_is_formatted_in_vietnam_time():
    assert domain.format_due(datetime(2017, 3, 3, 10, 0, tzinfo=UTC)) == "03/03/2017 17:00"


@pytest.mark.parametrize(("now", "expected"), [
    (vn(2017, 3, 2, 9, 0), vn(2017, 3, 2, 9, 0)),          # inside the morning window
    (vn(2017, 3, 2, 12, 0), vn(2017, 3, 2, 13, 0)),        # lunch break
    (vn(2017, 3, 2, 6, 0), vn(2017, 3, 2, 7, 30)),         # early morning
    (vn(2017, 3, 2, 17, 0), vn(2017, 3, 3, 7, 30)),        # after hours
    (vn(2017, 3, 3, 20, 0), vn(2017, 3, 6, 7, 30)),        # Friday night → Monday
    (vn(2017, 1, 25, 18, 0), vn(2017, 2, 2, 7, 30)),       # Tết 2017: off 26/1–1/2
    (vn(2024, 5, 3, 18, 0), vn(2024, 5, 4, 7, 30)),        # make-up Saturday 4/5/2024
])
def test_sms_waits_for_the_next_working_window(now, expected):
    assert domain.sms_send_at(now, CAL) == expected


def test_backoff_is_exponential_capped_and_jittered():
    assert domain.backoff_seconds(1, 10, 100, lambda: 0.0) == 5
    assert domain.backoff_seconds(1, 10, 100, lambda: 0.999) == pytest.approx(9.995)
    assert domain.backoff_seconds(3, 10, 100, lambda: 1.0) == 40
    assert domain.backoff_seconds(10, 10, 100, lambda: 1.0) == 100


def test_sms_retry_respects_quiet_hours():
    at = domain.next_attempt(vn(2017, 3, 2, 16, 59), 1, "sms", CAL, base=120, cap=120, jitter=lambda: 1.0)
    assert at == vn(2017, 3, 3, 7, 30)
    email = domain.next_attempt(vn(2017, 3, 2, 16, 59), 1, "email", CAL, base=120, cap=120, jitter=lambda: 1.0)
    assert email == vn(2017, 3, 2, 17, 1)


def test_gives_up_on_permanent_or_after_max_attempts():
    assert domain.gives_up(1, 5, transient=False)
    assert not domain.gives_up(4, 5, transient=True)
    assert domain.gives_up(5, 5, transient=True)


def test_digest_lists_overdue_and_due_by_next_working_day():
    now = vn(2017, 3, 3, 7, 30)  # Friday; next working day Monday 6/3
    ds = [OpenDossier("late", "SCT", "QLTM", "cb1", vn(2017, 3, 2, 17)),
          OpenDossier("today", "SCT", "QLTM", "cb1", vn(2017, 3, 3, 17)),
          OpenDossier("monday", "SCT", "QLTM", "cb1", vn(2017, 3, 6, 17)),
          OpenDossier("tuesday", "SCT", "QLTM", "cb1", vn(2017, 3, 7, 17)),
          OpenDossier("nodue", "SCT", "QLTM", "cb1", None)]
    digest = domain.digest_selection(ds, now, CAL)
    assert [d.code for d in digest.overdue] == ["late"]
    assert [d.code for d in digest.due_soon] == ["today", "monday"]


def test_digest_is_due_after_the_configured_time_on_working_days():
    assert domain.digest_due(vn(2017, 3, 3, 7, 30), CAL, "07:30")
    assert not domain.digest_due(vn(2017, 3, 3, 7, 29), CAL, "07:30")
    assert not domain.digest_due(vn(2017, 3, 4, 9, 0), CAL, "07:30")
    assert domain.digest_due(vn(2017, 3, 3, 7, 30) + timedelta(hours=10), CAL, "07:30")


def test_sms_windows_parse_and_always_means_no_quiet_hours():
    from datetime import UTC, datetime, time

    from notify import domain as d

    assert d.parse_windows("07:30-11:30,13:00-17:00") == d.WINDOWS
    night = datetime(2017, 3, 4, 20, 0, tzinfo=UTC)  # Sunday 03:00 in Vietnam
    assert d.parse_windows("always") == ()
    assert d.in_window(night, _NeverWorking(), windows=()) is True
    assert d.sms_send_at(night, _NeverWorking(), windows=()) == night
    assert d.parse_windows("08:00-09:00") == ((time(8), time(9)),)


class _NeverWorking:
    def is_working_day(self, day):
        return False
