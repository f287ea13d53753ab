"""The staff pages in a real browser (Debian's chromium driven by Playwright) against the four services as
processes: an alert e-mail's link to the dossier page, the unit head's board, a phase's standings, a proposal from
the system's draft to the leadership's decision, form 06a downloaded. Screenshots go to test-artifacts/pages/."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dunghan.testing.polling import wait_until

from .conftest import ROOT, System, running_system
from .test_system import HEAD, OFFICER, Dossier, _text, anchor, at, before, by_subject

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "test-artifacts" / "pages"


@pytest.fixture(scope="module")
def system(amqp_url: str, make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[System]:
    """A stack of its own: these dossiers and this campaign stay out of the other end-to-end tests' figures."""
    if not CHROMIUM.exists():
        pytest.skip("browser tests skipped: /usr/bin/chromium is absent (install it with `make browser`)")
    with running_system(amqp_url, make_database, tmp_path_factory, "e2e_pages") as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("browser tests skipped: /usr/bin/chromium is absent (install it with `make browser`)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(60_000)
    p = context.new_page()
    yield p
    p.screenshot(path=str(SHOTS / f"last-{request.node.name[:48]}.png"), full_page=True)  # where it ended
    context.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, officer: str) -> None:
    """The development sign-in form (PAGES_DEV_LOGIN, loopback only) on whichever page asked for it."""
    page.wait_for_url(re.compile(r"/dang-nhap"))
    page.get_by_label("Cán bộ").select_option(officer)
    page.get_by_role("button", name="Đăng nhập").click()


def test_an_alerts_link_opens_the_dossier_page_and_the_unit_heads_board(system: System, page: Any) -> None:
    d = anchor()
    soon = Dossier(51, before(d, 5)).accept()  # due d 17:00: warned the day before, not overdue
    assert [r["status"] for r in system.send(soon.facts)] == ["accepted"] * len(soon.facts)
    mail = wait_until(lambda: [m for m in by_subject(system.smtp.messages, soon.code)
                               if "đến hạn" in str(m["Subject"]).lower()], timeout=60, what="warning e-mail")[0]
    link = re.search(r"Xem hồ sơ: (\S+)", _text(mail)).group(1)  # type: ignore[union-attr]
    assert link == f"{system.stack.url('deadline')}/ho-so/{soon.code}"

    page.goto(link)
    sign_in(page, HEAD)
    page.wait_for_url(link)
    assert page.get_by_role("heading", level=1).inner_text() == f"Hồ sơ {soon.code}"
    assert page.get_by_role("heading", name="Cách tính hạn").is_visible()
    assert "17:00" in page.locator("dl.facts").inner_text()
    assert "079123456789" not in page.content() and "Đồng Nai" not in page.content()
    shot(page, "1-ho-so")
    page.emulate_media(media="print")
    assert not page.locator("header nav").is_visible()
    shot(page, "1-ho-so-ban-in")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Hồ sơ của đơn vị").click()
    page.wait_for_url(re.compile(r"/don-vi"))
    assert page.get_by_role("link", name=soon.code).count() == 1
    page.get_by_label("Sắp xếp theo").select_option("ma")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"sort=ma"))
    shot(page, "2-don-vi")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    shot(page, "2-don-vi-dien-thoai")


def test_a_phase_review_a_proposal_to_decision_and_06a_in_the_browser(system: System, page: Any) -> None:
    d = anchor()
    start = before(d, 30)
    campaign = {"id": f"e2e-pages-{d:%y%m%d}-{id(page) % 10000}", "name": "Thi đua (kiểm thử trang)",
                "agency": "SCT", "plan": "e2e",
                "phases": [{"key": "1", "name": "Đợt 1", "starts_on": start.isoformat(),
                            "ends_on": (d + timedelta(days=30)).isoformat(),
                            "review_date": (d + timedelta(days=31)).isoformat()}]}
    assert system.api("scoring", "POST", "/api/v1/campaigns", json=campaign).status_code == 201
    done = Dossier(52, before(d, 7)).accept()
    done.fact("result.ready", at(before(d, 4), 15), decision="approved", officer=OFFICER)
    assert [r["status"] for r in system.send(done.facts)] == ["accepted"] * len(done.facts)
    phase_api = f"/api/v1/campaigns/{campaign['id']}/phases/1"

    def counted() -> bool:
        rows = system.api("scoring", "GET", f"{phase_api}/standings", params={"kind": "officer"}).json()
        return any(r["subject"] == OFFICER for r in rows.get("entries", []))

    wait_until(counted, timeout=60, what="the resolved dossier in the standings")
    assert system.api("scoring", "POST", f"{phase_api}/close").status_code in (200, 201)
    scoring = system.stack.url("scoring")
    phase = f"{scoring}/thi-dua/{campaign['id']}/dot/1"

    page.goto(f"{scoring}/thi-dua")
    sign_in(page, "SCT-VP-03")  # the union's contact
    page.wait_for_url(f"{scoring}/thi-dua")
    page.locator(f'a[href="/thi-dua/{campaign["id"]}/dot/1"]').click()
    page.wait_for_url(phase)
    assert page.get_by_role("table").first.is_visible()
    shot(page, "3-xep-hang-don-vi")
    page.get_by_role("link", name="Xem theo cán bộ").click()
    page.wait_for_url(f"{phase}?kind=officer")
    assert "Thành phần điểm" in page.content()
    shot(page, "3-xep-hang-can-bo")

    page.get_by_role("link", name="Đề nghị khen thưởng").click()
    page.wait_for_url(f"{phase}/khen-thuong")
    page.get_by_label("Mã cán bộ hoặc mã đơn vị").fill("SCT-QLTM-02")
    page.get_by_label("Lý do", exact=True).fill("Nhân tố điển hình trong đợt")
    page.get_by_role("button", name="Thêm đề nghị").click()
    page.wait_for_url(re.compile(r"ok="))
    assert page.get_by_role("status").inner_text() == "Đã thêm đề nghị."
    page.get_by_role("button", name=re.compile("Trình Lãnh đạo")).click()
    page.wait_for_url(re.compile(r"ok="))
    assert page.locator("#trang-thai").inner_text() == "Công đoàn đã trình"
    shot(page, "4-khen-thuong-da-trinh")
    page.get_by_role("button", name="Đăng xuất").click()

    page.goto(f"{phase}/khen-thuong")
    sign_in(page, "SCT-VP-02")  # the leadership
    page.wait_for_url(f"{phase}/khen-thuong")
    page.get_by_label("Số quyết định").fill("25/QĐ-SCT")
    page.get_by_label("Ngày quyết định").fill((d + timedelta(days=31)).isoformat())  # after the phase ends
    page.get_by_role("button", name="Ghi quyết định").click()
    page.wait_for_url(re.compile(r"ok="))
    assert page.locator("#trang-thai").inner_text() == "Lãnh đạo đã quyết định"
    log = page.get_by_role("table", name="Nhật ký thay đổi").inner_text()
    assert "Lê Thị Mỹ Linh (union)" in log and "Trần Văn Hùng (leadership)" in log
    shot(page, "4-khen-thuong-quyet-dinh")
    with page.expect_download() as docx:
        page.get_by_role("link", name="Tải tờ trình (DOCX)").click()
    assert Path(docx.value.path()).read_bytes()[:2] == b"PK"

    page.goto(f"{scoring}/bao-cao/06a?from={start.isoformat()}&to={d.isoformat()}")
    assert "Mẫu số 06a/VPCP/KSTT" in page.get_by_role("heading", level=1).inner_text()
    shot(page, "5-mau-06a")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Tải XLSX (mẫu chính thức)").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    assert Path(xlsx.value.path()).read_bytes()[:2] == b"PK"
