"""GSM-7 conversion of Vietnamese text, segment counting, sender validation."""
import pytest

from notify import gsm7


def test_vietnamese_is_stripped_of_diacritics_and_d_stroke_is_mapped():
    text = "Hồ sơ của ông Đặng Văn Đức đã quá hạn; bà Nguyễn Thị Ánh Tuyết, phường Phước Trung"
    assert gsm7.to_gsm7(text) == (
        "Ho so cua ong Dang Van Duc da qua han; ba Nguyen Thi Anh Tuyet, phuong Phuoc Trung"
    )
    assert gsm7.to_gsm7("đĐ") == "dD"


def test_every_converted_character_is_gsm7():
    converted = gsm7.to_gsm7("Ấp Bắc – “Ưu tiên” ₫ 😀 ở Kỳ Anh…")
    assert all(gsm7.is_gsm7(c) for c in converted)
    assert converted == "Ap Bac - \"Uu tien\" ? ? o Ky Anh..."


def test_160_characters_fit_one_segment_and_161_need_two():
    assert gsm7.segments("a" * 160) == 1
    assert gsm7.segments("a" * 161) == 2
    assert gsm7.segments("a" * 306) == 2
    assert gsm7.segments("a" * 307) == 3


def test_extension_characters_count_two_septets():
    assert gsm7.length("[]") == 4
    assert gsm7.segments("a" * 158 + "€") == 1
    assert gsm7.segments("a" * 159 + "€") == 2


def test_parts_never_split_an_escape_sequence():
    parts = gsm7.split("a" * 152 + "{" + "b" * 10)
    assert parts[0] == "a" * 152
    assert parts[1].startswith("{")
    assert all(gsm7.length(p) <= gsm7.PART_SEPTETS for p in parts)


def test_encode_uses_escape_for_extension_table():
    assert gsm7.encode("A{@") == bytes((0x41, 0x1B, 0x28, 0x00))


@pytest.mark.parametrize("sender", ["DUNGHAN", "SoCongThuong"[:11], "BRVT-SCT"])
def test_valid_senders(sender):
    assert gsm7.validate_sender(sender) == sender


@pytest.mark.parametrize("sender", ["", "SoCongThuong", "Đúng hạn"])
def test_invalid_senders(sender):
    with pytest.raises(gsm7.InvalidSender):
        gsm7.validate_sender(sender)
