"""The Vietnamese explanation lists every fact behind a due instant."""
from __future__ import annotations

from datetime import date, datetime

from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import ProcedureSnapshot
from dunghan.deadline import ClockEvent, compute_clock

CAL = load_calendar()
FAR = datetime(2030, 1, 1, tzinfo=LOCAL_TZ)


def proc(value: float, statutory: float | None = None, cutoff: str = "17:00") -> ProcedureSnapshot:
    return ProcedureSnapshot("P", 1, "Thủ tục", "f", value, "working_days", statutory or value, "working_days",
                             cutoff=cutoff)


def explain(events: list[ClockEvent], procedure: ProcedureSnapshot) -> str:
    return "\n".join(compute_clock(events, procedure, CAL, FAR).explanation)


def test_explanation_names_version_acceptance_start_each_skipped_day_and_due() -> None:
    text = explain([ClockEvent("accepted", datetime(2017, 1, 25, 10, tzinfo=LOCAL_TZ))], proc(3, statutory=5))
    assert "Lịch làm việc năm 2017, phiên bản 2017." in text
    assert CAL.version not in text and "2024" not in text
    assert "Tiếp nhận lúc 10:00 thứ Tư 25/01/2017." in text
    assert "Thời hạn giải quyết cam kết: 3 ngày làm việc (thời hạn theo quy định: 5 ngày làm việc)." in text
    assert "Bắt đầu tính thời hạn từ 07:30 thứ Năm 02/02/2017." in text
    for day in ("26/01/2017", "27/01/2017", "28/01/2017", "29/01/2017", "30/01/2017", "31/01/2017",
                "01/02/2017", "04/02/2017", "05/02/2017"):
        assert f"Không tính {day}" not in text
        assert day in text
    assert "9794/VPCP-KGVX" in text
    assert "Không tính thứ Bảy 04/02/2017: Thứ Bảy (nghỉ hằng tuần)." in text
    assert text.endswith("Trạng thái: đã quá hạn.")
    assert "Hạn giải quyết: 17:00 thứ Hai 06/02/2017." in text


def test_explanation_lists_the_make_up_saturday_with_its_reference() -> None:
    text = explain([ClockEvent("accepted", datetime(2024, 4, 26, 10, tzinfo=LOCAL_TZ))], proc(3))
    assert "Tính thứ Bảy 04/05/2024 là ngày làm việc bù" in text
    assert "2450/VPCP-KGVX" in text
    assert "Không tính thứ Hai 29/04/2024" in text
    assert "Hạn giải quyết: 17:00 thứ Bảy 04/05/2024." in text


def test_explanation_mentions_cutoff_pauses_apology_and_verdict() -> None:
    events = [
        ClockEvent("accepted", datetime(2017, 3, 1, 15, 30, tzinfo=LOCAL_TZ)),
        ClockEvent("apology_issued", datetime(2017, 3, 3, 8, tzinfo=LOCAL_TZ), new_due_date=date(2017, 3, 14)),
        ClockEvent("supplement_requested", datetime(2017, 3, 3, 9, tzinfo=LOCAL_TZ)),
        ClockEvent("supplement_received", datetime(2017, 3, 3, 14, tzinfo=LOCAL_TZ)),
        ClockEvent("result_ready", datetime(2017, 3, 10, 9, tzinfo=LOCAL_TZ)),
    ]
    text = explain(events, proc(3, cutoff="15:00"))
    assert "Tiếp nhận sau giờ chốt 15:00" in text
    assert "ngày tiếp nhận tính là thứ Năm 02/03/2017" in text
    assert "Tạm dừng chờ bổ sung hồ sơ từ 09:00 thứ Sáu 03/03/2017 đến 14:00 thứ Sáu 03/03/2017: " \
           "3,5 giờ làm việc không tính" in text
    assert "Văn bản xin lỗi ngày thứ Sáu 03/03/2017, hẹn lại thứ Ba 14/03/2017" in text
    assert "Phân loại đúng/trễ hạn vẫn theo hạn ban đầu." in text
    assert "(đã có kết quả): trễ hạn 2 ngày làm việc." in text


def test_explanation_flags_a_second_supplement_request_and_a_late_apology() -> None:
    at = lambda d, h: datetime(2017, 3, d, h, tzinfo=LOCAL_TZ)  # noqa: E731
    events = [
        ClockEvent("accepted", at(1, 10)),
        ClockEvent("supplement_requested", at(2, 9)), ClockEvent("supplement_received", at(2, 10)),
        ClockEvent("supplement_requested", at(3, 9)), ClockEvent("supplement_received", at(3, 10)),
        ClockEvent("apology_issued", at(7, 8), new_due_date=date(2017, 3, 10)),
    ]
    text = explain(events, proc(3))
    assert "Hạn giải quyết: 09:30 thứ Ba 07/03/2017." in text
    assert "Yêu cầu bổ sung hồ sơ lần thứ hai" in text
    assert "ban hành muộn: phải trước hạn ít nhất 1 ngày làm việc" in text


def test_explanation_of_an_early_result_says_how_early() -> None:
    events = [ClockEvent("accepted", datetime(2017, 3, 1, 10, tzinfo=LOCAL_TZ)),
              ClockEvent("result_ready", datetime(2017, 3, 2, 10, tzinfo=LOCAL_TZ))]
    assert explain(events, proc(3)).endswith("(đã có kết quả): trước hạn 2 ngày làm việc.")


def test_a_result_refusing_the_dossier_is_a_return_counted_on_time() -> None:
    """Accepted 01/09/2017, returned as ineligible 05/09/2017, due 11/09: on time (Mẫu 06a), not early."""
    events = [ClockEvent("accepted", datetime(2017, 9, 1, 9, tzinfo=LOCAL_TZ)),
              ClockEvent("result_ready", datetime(2017, 9, 5, 9, tzinfo=LOCAL_TZ), decision="refused")]
    clock = compute_clock(events, proc(5), CAL, FAR)
    assert (clock.outcome, clock.working_days_diff, clock.stop_reason) == ("on_time", 0, "returned")
    text = "\n".join(clock.explanation)
    assert "trả lại hồ sơ do không đủ điều kiện giải quyết" in text and "tính là đúng hạn" in text
    assert "trước hạn" not in text.splitlines()[-1]


def test_explanation_names_the_calendar_of_the_dossier_years() -> None:
    text = explain([ClockEvent("accepted", datetime(2017, 12, 28, 10, tzinfo=LOCAL_TZ))], proc(5))
    assert "Lịch làm việc năm 2017–2018, phiên bản 2017." in text and "2024" not in text


def test_explanation_says_why_a_withdrawal_counts_as_on_time() -> None:
    events = [ClockEvent("accepted", datetime(2017, 3, 1, 10, tzinfo=LOCAL_TZ)),
              ClockEvent("withdrawn", datetime(2017, 3, 2, 10, tzinfo=LOCAL_TZ))]
    clock = compute_clock(events, proc(3), CAL, FAR)
    assert clock.outcome == "on_time"
    last = clock.explanation[-1]
    assert last.startswith("Kết thúc lúc 10:00 thứ Năm 02/03/2017 (công dân xin rút hồ sơ): đúng hạn: ")
    assert "hồ sơ công dân xin rút được tính là đúng hạn theo Mẫu 06a/VPCP/KSTT" in last
    assert "trước hạn" not in last


def test_explanation_says_why_a_second_supplement_request_makes_an_early_result_late() -> None:
    at = lambda d, h: datetime(2017, 3, d, h, tzinfo=LOCAL_TZ)  # noqa: E731
    events = [
        ClockEvent("accepted", at(1, 10)),
        ClockEvent("supplement_requested", at(2, 9)), ClockEvent("supplement_received", at(2, 10)),
        ClockEvent("supplement_requested", at(3, 9)), ClockEvent("supplement_received", at(3, 10)),
        ClockEvent("result_ready", at(3, 15)),
    ]
    clock = compute_clock(events, proc(3), CAL, FAR)
    assert (clock.outcome, clock.working_days_diff) == ("late", 1)
    assert "kết quả có trước hạn nhưng hồ sơ đã bị yêu cầu bổ sung lần thứ hai" in clock.explanation[-1]
    assert "+1 ngày làm việc" in clock.explanation[-1]


def test_the_clock_builds_its_explanation_only_when_it_is_read(monkeypatch) -> None:
    built: list[object] = []

    def recording(facts: object) -> tuple[str, ...]:
        built.append(facts)
        return ("dòng",)

    monkeypatch.setattr("dunghan.deadline.clock.explain", recording)
    clock = compute_clock([ClockEvent("accepted", datetime(2024, 4, 26, 10, tzinfo=LOCAL_TZ))], proc(3), CAL, FAR)
    assert built == []
    assert clock.explanation == ("dòng",) and len(built) == 1


def test_a_clock_without_acceptance_explains_why_it_has_no_due_instant() -> None:
    refused = ClockEvent("refused", datetime(2024, 4, 26, 10, tzinfo=LOCAL_TZ))
    assert explain([refused], proc(3)).endswith("Hồ sơ không được tiếp nhận: không tính thời hạn.")
    assert explain([], proc(3)).endswith("Hồ sơ chưa được tiếp nhận.")
