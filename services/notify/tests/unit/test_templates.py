"""Every event type renders in Vietnamese for e-mail and SMS; an override directory wins file by file."""
from datetime import date

import pytest

from notify import gsm7
from notify.render import KINDS, Renderer

CONTEXT = {
    "recipient": "Trần Thị Bình", "code": "SCT-170301-0001", "procedure": "Cấp giấy phép kinh doanh",
    "applicant": "Nguyễn Văn Đức", "due": "03/03/2017 17:00", "link": "https://dunghan.vn/ho-so/SCT-170301-0001",
    "threshold": "d-1", "days_overdue": 2, "step": "Thẩm định", "unit": "QLTM", "phase_name": "Đợt 1 năm 2017",
    "campaign": "2017", "review_date": "30/06/2017", "standings": [], "proposals": [], "date": "03/03/2017",
    "unit_name": "Phòng QLTM", "overdue": [], "due_soon": [],
}


@pytest.mark.parametrize("kind", KINDS)
def test_email_renders_with_diacritics(kind):
    out = Renderer().render(kind, "email", CONTEXT)
    assert out.subject and "\n" not in out.subject
    assert "Kính gửi Trần Thị Bình" in out.text
    assert out.html and "<html lang=\"vi\">" in out.html and "Trần Thị Bình" in out.html


@pytest.mark.parametrize("kind", KINDS)
def test_sms_renders_unaccented_gsm7(kind):
    text = Renderer().render(kind, "sms", CONTEXT).text
    assert text and all(gsm7.is_gsm7(c) for c in text)


def test_deadline_email_has_what_staff_need():
    out = Renderer().render("deadline_approaching", "email", CONTEXT)
    for needle in ("SCT-170301-0001", "Cấp giấy phép kinh doanh", "Nguyễn Văn Đức", "03/03/2017 17:00",
                   "https://dunghan.vn/ho-so/SCT-170301-0001", "mẫu 04"):
        assert needle in out.text


def test_sms_keeps_diacritics_when_the_gateway_takes_unicode():
    assert "Nguyễn Văn Đức" in Renderer(sms_gsm7=False).render("deadline_breached", "sms", CONTEXT).text
    assert "Nguyen Van Duc" in Renderer().render("deadline_breached", "sms", CONTEXT).text


def test_html_escapes_values():
    out = Renderer().render("deadline_breached", "email", {**CONTEXT, "applicant": "<b>x</b>"})
    assert "&lt;b&gt;x&lt;/b&gt;" in (out.html or "")


def test_override_directory_replaces_one_template(tmp_path):
    (tmp_path / "deadline_breached.sms.j2").write_text("Hồ sơ {{ code }} trễ hạn", encoding="utf-8")
    renderer = Renderer(str(tmp_path))
    assert renderer.render("deadline_breached", "sms", CONTEXT).text == "Ho so SCT-170301-0001 tre han"
    assert "Kính gửi" in renderer.render("deadline_breached", "email", CONTEXT).text


def test_phase_closed_lists_standings_and_proposals():
    from dunghan.contract.events import RewardProposal, StandingEntry

    ctx = {**CONTEXT, "standings": [StandingEntry(1, "unit", "QLTM", "Phòng QLTM", 98.5, 40, 0, True)],
           "proposals": [RewardProposal("unit", "QLTM", "Phòng QLTM", "Giấy khen", 726000, ("Không trễ hạn",))],
           "review_date": date(2017, 6, 30).strftime("%d/%m/%Y")}
    text = Renderer().render("phase_closed", "email", ctx).text
    assert "1. Phòng QLTM" in text and "Giấy khen: Phòng QLTM (726.000 đ)" in text


def test_phase_closed_email_carries_the_rules_and_the_corrections_after_a_freeze():
    from dunghan.contract.events import StandingEntry

    ctx = {**CONTEXT, "standings": [StandingEntry(1, "officer", "MC-02", "Lê Phúc", 98.5, 0, 0, True, "Một cửa")],
           "proposals": [], "review_date": "31/12/2017", "final": True, "phase_name": "Tổng kết chiến dịch",
           "rules": ["Bước ký duyệt tính cho Lãnh đạo Sở."],
           "corrections": ["Đợt 1: hồ sơ SCT-170403-0001 phân loại sau khi đã sơ kết: trước hạn → quá hạn."]}
    rendered = Renderer().render("phase_closed", "email", ctx)
    for text in (rendered.text, rendered.html):
        assert "đã tổng kết" in text and "Bước ký duyệt tính cho Lãnh đạo Sở." in text
        assert "SCT-170403-0001" in text and "Một cửa" in text
    assert "tổng kết" in rendered.subject


def test_phase_mail_writes_numbers_the_vietnamese_way():
    from dunghan.contract.events import RewardProposal, StandingEntry
    from notify.render import vn_number

    assert (vn_number(98.5), vn_number(1234.25, 2), vn_number(1_300_000, 0)) == ("98,5", "1.234,25", "1.300.000")
    ctx = {**CONTEXT, "standings": [StandingEntry(1, "unit", "QLTM", "Phòng QLTM", 1234.5, 40, 0, True)],
           "proposals": [RewardProposal("unit", "QLTM", "Phòng QLTM", "Giấy khen", 1_040_000, ())],
           "review_date": "30/06/2017"}
    for kind in ("email",):
        rendered = Renderer().render("phase_closed", kind, ctx)
        assert "điểm 1.234,5" in rendered.text and "1.040.000 đ" in rendered.text
        assert "1.234,5" in (rendered.html or "")
