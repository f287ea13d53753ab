"""Staff-facing wording as the department writes it (issue 16, point 10)."""
from __future__ import annotations

from scoring.domain import CRITERIA_LABELS, GATE_LABELS
from scoring.domain.scores import gate_label
from scoring.export import to_csv
from scoring.form06a import COLUMNS_06A
from scoring.reports import COLUMNS_INDEX


def test_rates_that_include_early_say_so_and_no_sớm_hạn() -> None:
    assert CRITERIA_LABELS["on_time_share"] == "Tỷ lệ trước hạn và đúng hạn (%)"
    assert CRITERIA_LABELS["repeat_supplements"] == "Số lần yêu cầu bổ sung hồ sơ quá một lần"
    labels = [*CRITERIA_LABELS.values(), *dict(COLUMNS_06A).values(), *dict(COLUMNS_INDEX).values()]
    assert not any("sớm hạn" in x or "lần hai" in x or x.startswith("Tỷ lệ đúng hạn") for x in labels)
    assert "Trong kỳ: Trực tiếp, dịch vụ bưu chính" in dict(COLUMNS_06A).values()


def test_the_discipline_gate_reads_right_for_one_person_and_for_a_unit() -> None:
    assert GATE_LABELS["no_discipline"] == gate_label("no_discipline", "officer") == "Không bị kỷ luật"
    assert gate_label("no_discipline", "unit") == "Không có cá nhân nào trong đơn vị bị kỷ luật"


def test_csv_fractions_carry_a_decimal_comma() -> None:
    body = to_csv([("a", "Tỷ lệ"), ("b", "Số")], [{"a": 97.5, "b": 1200}, {"a": 100.0, "b": 3}])
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[1:] == ['"97,5",1200', "100,3"]
