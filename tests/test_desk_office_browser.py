"""The Office's desk pages in a real browser (Chromium through Playwright) against the real server on 127.0.0.1:
difficulties, the official report editor and the questionnaire, as each role, with the screenshots in
docs/samples/ (taken on SQLite only: the pages are the same on PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.desk_site import DeskSite, shoot
from tests.test_desk_browser import browser, page, sign_in  # noqa: F401 (the same browser fixtures; site is in conftest)


def raised(site: DeskSite, key: str, title: str, description: str, urgent: bool = False) -> int:
    actor = site.actor(key)
    view, _new = site.run(lambda: site.sim.services.escalations.raise_item(actor, title=title,
                                                                             description=description, urgent=urgent))
    return view.item_id


def test_the_office_forwards_a_difficulty_and_the_director_agrees_from_the_desk(site, page, browser):  # noqa: F811
    item = raised(site, "khtc", "Chậm giải ngân vốn đầu tư công",
                  "Dự án chưa được phê duyệt điều chỉnh, chưa thể giải ngân phần vốn còn lại.", urgent=True)
    raised(site, "qlkh", "Thiếu cán bộ thẩm định đề tài", "Phòng chỉ có 2 cán bộ cho 14 hồ sơ đề tài.")
    sign_in(page, site, "vanthu")
    page.get_by_role("link", name="Vướng mắc").first.click()
    page.wait_for_url(f"{site.base}/desk/difficulties")
    table = page.locator("table.difficulties tbody")
    assert table.locator("tr").count() == 2 and "khẩn" in table.locator("tr").first.inner_text()
    if site.db.is_sqlite:
        shoot(page, "difficulties")
    page.get_by_role("link", name="Chậm giải ngân vốn đầu tư công").click()
    page.wait_for_url(f"{site.base}/desk/difficulties/{item}")
    page.get_by_label("Ý kiến của Phòng HC-TH khi trình Giám đốc (không bắt buộc)").fill(
        "Kính trình Giám đốc cho ý kiến về việc điều chỉnh kế hoạch vốn.")
    page.get_by_role("button", name="Trình Giám đốc").click()
    page.wait_for_url(f"{site.base}/desk/difficulties/{item}?done=fwd")
    assert "Đã trình Giám đốc vướng mắc số" in page.locator(".banner.ok").inner_text()
    assert any("điều chỉnh kế hoạch vốn" in text for text in site.chat_of("giamdoc"))
    assert page.get_by_role("button", name="Trình Giám đốc").count() == 0

    director = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    tab = director.new_page()
    sign_in(tab, site, "giamdoc")
    tab.goto(f"{site.base}/desk/difficulties/{item}")
    tab.on("dialog", lambda dialog: dialog.accept())
    tab.get_by_role("button", name="Đồng ý", exact=True).click()
    tab.wait_for_url(f"{site.base}/desk/difficulties/{item}?done=ag")
    assert "Đồng ý" in tab.locator(".item-detail").inner_text()
    assert any("Đồng ý" in text and f"#{item}" in text for text in site.chat_of("khtc"))
    if site.db.is_sqlite:
        shoot(tab, "difficulty")
    director.close()


@pytest.mark.parametrize("key", ["pgd"])
def test_an_unassigned_deputy_director_sees_no_difficulty(site, page, key):  # noqa: F811
    item = raised(site, "khtc", "Vướng mắc chưa giao", "Nội dung chưa giao Phó Giám đốc.")
    sign_in(page, site, key)
    page.goto(f"{site.base}/desk/difficulties")
    assert "Vướng mắc chưa giao" not in page.locator("main").inner_text()
    page.goto(f"{site.base}/desk/difficulties/{item}")
    assert page.locator("h1").inner_text() == "Không thể thực hiện"
