"""The desk in a real browser (Chromium through Playwright) against the real server on 127.0.0.1.

Sign-in by the chat's one-time link, reuse and expiry refused, sign-out; each page as each role, with the
screenshots in docs/samples/ (taken on SQLite only: the pages are the same on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.contracts import Q_SAVINGS
from tests.desk_site import DESKTOP, DeskSite, browser_or_skip, shoot
from tests.report_helpers import fill, submit
from tests.world import period_id


@pytest.fixture(scope="module")
def browser() -> Iterator:
    playwright, chromium = browser_or_skip()
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser) -> Iterator:  # noqa: ANN001
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page, site: DeskSite, key: str) -> None:  # noqa: ANN001
    page.goto(site.link_for(key))
    page.wait_for_url(f"{site.base}/desk/")


def submitted_report(site: DeskSite, key: str) -> int:
    """A unit head fills in and submits the whole annual report through the chat's service."""
    def work() -> int:
        services = site.sim.services
        actor = site.sim.services.people.actor_for("telegram", str(site.sim.personas[key].user_id))
        screen = services.reports.open(actor, period_id(services, "2026-Y"))
        screen = submit(services, actor, fill(services, actor, screen))
        return screen.ref.report_id
    return site.run(work)


def test_sign_in_by_the_one_time_link_then_reuse_expiry_and_forgery_refused(site, page, browser):  # noqa: ANN001
    link = site.link_for("vanthu")
    page.goto(link)
    page.wait_for_url(f"{site.base}/desk/")  # a clean address: the link's secret is gone from the bar
    assert page.locator("h1").inner_text() == "Các kỳ báo cáo"
    assert "Lê Văn Hòa" in page.locator(".who").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "desk")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    other = browser.new_context()
    tab = other.new_page()
    tab.goto(link)
    assert tab.locator("h1").inner_text() == "Đường dẫn đăng nhập này đã được sử dụng"
    assert "/banlamviec" in tab.locator("main").inner_text()
    assert tab.locator("header nav").count() == 0  # the refusal and nothing else

    late = site.link_for("giamdoc")
    site.clock.advance(timedelta(minutes=10, seconds=1))
    tab.goto(late)
    assert tab.locator("h1").inner_text() == "Đường dẫn đăng nhập đã hết hạn"
    tab.goto(link[:-3] + "abc")
    assert tab.locator("h1").inner_text() == "Đường dẫn đăng nhập không hợp lệ"
    tab.goto(f"{site.base}/desk/status")
    assert tab.locator("h1").inner_text() == "Đồng chí chưa đăng nhập Bàn làm việc"
    if site.db.is_sqlite:
        shoot(tab, "link-used")
    other.close()

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{site.base}/desk/signed-out")
    page.goto(f"{site.base}/desk/")
    assert page.locator("h1").inner_text() == "Đồng chí chưa đăng nhập Bàn làm việc"


def test_a_unit_head_gets_no_link_and_no_page(site, page):  # noqa: ANN001
    sent = site.call(site.sim.send("khtc", "/banlamviec"))
    assert "/desk/login/" not in sent[-1].text
    page.goto(f"{site.base}/desk/status")
    assert page.locator("h1").inner_text() == "Đồng chí chưa đăng nhập Bàn làm việc"


@pytest.mark.parametrize("key", ["vanthu", "giamdoc", "pgd"])
def test_the_status_grid_as_the_office_and_the_leadership(site, page, key):  # noqa: ANN001
    submitted_report(site, "khtc")
    sign_in(page, site, key)
    page.get_by_role("link", name="Tình hình").first.click()
    grid = page.locator("table.status tbody")
    assert "Phòng Kế hoạch - Tài chính" in grid.inner_text()
    assert "đã nộp đúng hạn" in grid.inner_text()
    assert grid.locator("tr").count() == 8  # every unit of the organisation
    page.get_by_role("link", name="chưa bắt đầu").click()  # the state filter
    assert "Phòng Kế hoạch - Tài chính" not in page.locator("table.status tbody").inner_text()
    if key == "vanthu" and site.db.is_sqlite:
        page.goto(f"{site.base}/desk/status")
        shoot(page, "status")


def test_the_grid_refreshes_without_a_reload(site, page):  # noqa: ANN001
    page.clock.install()
    sign_in(page, site, "vanthu")
    polls = []
    page.on("response", lambda response: polls.append(response.status) if "/grid" in response.url else None)
    page.goto(f"{site.base}/desk/status")
    row = page.locator("table.status tbody tr", has_text="Phòng Kế hoạch - Tài chính")
    assert "chưa bắt đầu" in row.inner_text()
    site.clock.advance(timedelta(minutes=1))
    page.clock.run_for(16_000)  # nothing changed: the server says so and sends no rows
    page.wait_for_function("() => document.querySelector('[data-updated-text]').textContent.includes('09:01')")
    assert polls == [304]
    assert "chưa bắt đầu" in row.inner_text()
    submitted_report(site, "khtc")
    page.clock.run_for(16_000)
    page.wait_for_function("() => document.querySelector('table.status tbody').innerText.includes('đã nộp')")
    assert "đã nộp đúng hạn" in row.inner_text()
    assert polls == [304, 200]


def test_a_long_grid_is_paged_and_printed_whole(site, page, monkeypatch):  # noqa: ANN001
    from bot.web.pages import status

    monkeypatch.setattr(status, "PER_PAGE", 3)
    sign_in(page, site, "vanthu")
    page.goto(f"{site.base}/desk/status")
    rows = page.locator("table.status tbody tr")
    assert rows.count() == 3
    pager = page.locator("nav.pager")
    assert "Trang 1/3 (8 đơn vị)" in pager.inner_text()
    assert "Tất cả (8)" in page.locator("nav.filters").inner_text()  # the counts are every unit's
    pager.get_by_role("link", name="Trang sau").click()
    page.wait_for_url("**/desk/status?page=2")
    assert rows.count() == 3 and "Trang 2/3" in pager.inner_text()
    first_of_second = rows.first.inner_text()
    page.get_by_role("link", name="chưa bắt đầu").click()  # a filter starts again at its first page
    page.wait_for_url("**/desk/status?state=not_started")
    page.go_back()
    assert rows.first.inner_text() == first_of_second
    page.evaluate("() => { window.print = () => { window.printed = document.querySelectorAll("
                  "'table.status tbody tr').length; }; }")
    page.get_by_role("button", name="In").click()  # the paper lists every unit
    page.wait_for_function("() => window.printed !== undefined")
    assert page.evaluate("() => window.printed") == 8
    pager.get_by_role("link", name="Tất cả đơn vị trên một trang").click()
    assert rows.count() == 8
    pager.get_by_role("link", name="Xem theo trang").click()
    assert rows.count() == 3


def revised(site: DeskSite, key: str, report_id: int, text: str) -> None:
    """The head revises the first answer of a returned report and submits it again (as in the chat)."""
    def work() -> None:
        services = site.sim.services
        actor = services.people.actor_for("telegram", str(site.sim.personas[key].user_id))
        screen = services.reports.current(actor, report_id)
        screen = services.reports.type_text(actor, report_id, screen.ref.step, "sửa 1")
        screen = services.reports.type_text(actor, report_id, screen.ref.step, text)
        submit(services, actor, screen)
    site.run(work)


def test_the_office_returns_then_accepts_a_report_and_the_head_hears_in_the_chat(site, page):  # noqa: ANN001
    report_id = submitted_report(site, "khtc")
    sign_in(page, site, "vanthu")
    page.goto(f"{site.base}/desk/status")
    page.get_by_role("link", name="Phòng Kế hoạch - Tài chính").click()
    page.wait_for_url(f"{site.base}/desk/reports/{report_id}")
    answers = page.locator("table.answers-table")
    assert "Đã triển khai theo kế hoạch." in answers.inner_text()
    assert "Nguyễn Văn An" in answers.locator("td.by").first.inner_text()  # who answered what

    page.get_by_label("Ý kiến gửi phòng, đơn vị").fill("   ")
    page.get_by_role("button", name="Trả lại kèm ý kiến").click()
    assert page.locator(".banner.bad").count() == 1  # an empty comment is refused, nothing changes
    page.get_by_label("Ý kiến gửi phòng, đơn vị").fill("Đề nghị bổ sung nội dung câu 1.")
    page.get_by_role("button", name="Trả lại kèm ý kiến").click()
    page.wait_for_url(f"{site.base}/desk/reports/{report_id}?done=returned")
    assert "Đã trả lại báo cáo" in page.locator(".banner.ok").inner_text()
    assert any("Đề nghị bổ sung nội dung câu 1." in text for text in site.chat_of("khtc"))
    assert page.get_by_role("button", name="Tiếp nhận").count() == 0

    revised(site, "khtc", report_id, "Nội dung đã bổ sung theo ý kiến.")
    page.goto(f"{site.base}/desk/reports/{report_id}")
    changed = page.locator("tr.changed")
    assert changed.count() == 1 and "Nội dung đã bổ sung theo ý kiến." in changed.inner_text()
    assert "Đã triển khai theo kế hoạch." in changed.locator(".before").inner_text()
    if site.db.is_sqlite:
        shoot(page, "report")
    page.goto(f"{site.base}/desk/reports/{report_id}?v=1")
    assert page.locator("tr.changed").count() == 0
    page.goto(f"{site.base}/desk/reports/{report_id}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Tiếp nhận").click()
    page.wait_for_url(f"{site.base}/desk/reports/{report_id}?done=accepted")
    assert any("đã tiếp nhận" in text.lower() for text in site.chat_of("khtc"))


@pytest.mark.parametrize("key", ["giamdoc", "pgd"])
def test_the_leadership_reads_a_report_without_deciding(site, page, key):  # noqa: ANN001
    report_id = submitted_report(site, "khtc")
    sign_in(page, site, key)
    page.goto(f"{site.base}/desk/reports/{report_id}")
    assert "Đã triển khai theo kế hoạch." in page.locator("table.answers-table").inner_text()
    assert page.get_by_role("button", name="Tiếp nhận").count() == 0


@pytest.mark.parametrize("key", ["vanthu", "pgd"])
def test_one_question_across_the_units(site, page, key):  # noqa: ANN001
    submitted_report(site, "khtc")
    submitted_report(site, "qlkh")
    sign_in(page, site, key)
    page.get_by_role("link", name="Đối chiếu câu trả lời").first.click()
    table = page.locator("table.side tbody")
    assert table.locator("tr").count() == 2
    assert "Đã triển khai theo kế hoạch." in table.inner_text()
    assert "Chưa nộp báo cáo: Phòng Hành chính - Tổng hợp" in page.locator("main").inner_text()
    page.get_by_role("link", name="Câu sau").click()
    page.get_by_label("Câu hỏi").select_option(value=Q_SAVINGS)
    page.get_by_role("button", name="Xem").click()
    assert "200.000.000 đồng" in page.locator("table.side tfoot").inner_text()  # 100 triệu from each unit
    if key == "vanthu" and site.db.is_sqlite:
        shoot(page, "questions")
