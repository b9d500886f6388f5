"""Desk page 6, administration, in a real browser (Chromium through Playwright) against the real server: the Office
opens a period, gives a unit more time, declares a day off, adds a unit, creates invitations and prints their sheet,
filters the audit log and exports it; the Director sees only what they may read. Screenshots in docs/samples/
(taken on SQLite only: the pages are the same on PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

from openpyxl import load_workbook

from tests.desk_site import SAMPLES, DeskSite, shoot
from tests.test_desk_browser import browser, page, sign_in  # noqa: F401 (the same browser fixtures; site is in conftest)


def test_the_office_administers_the_period_the_units_invitations_and_the_audit_log(site, page, tmp_path):  # noqa: F811
    samples = site.db.is_sqlite
    page.on("dialog", lambda dialog: dialog.accept())
    head = site.actor("khtc")
    site.run(lambda: site.sim.services.privacy.request(head, "correct", "Họ tên đúng là Nguyễn Văn Ân"))
    sign_in(page, site, "vanthu")
    page.get_by_role("link", name="Quản trị").click()
    page.wait_for_url(f"{site.base}/desk/admin")
    assert page.locator("ul.areas li").count() == 5
    if samples:
        shoot(page, "admin")

    # Periods: an upcoming period opened now, then a unit given more time.
    page.get_by_role("link", name="Các kỳ báo cáo").click()
    page.wait_for_url(f"{site.base}/desk/admin/periods")
    upcoming = page.locator("table.admin-list tbody tr", has_text="chưa mở").first
    title = upcoming.locator("th a").inner_text()
    upcoming.locator("th a").click()
    page.get_by_role("button", name="Mở ngay").click()
    page.wait_for_url("**/desk/admin/periods/*?done=open")
    assert "Kỳ báo cáo đã mở." in page.locator(".banner.ok").inner_text()
    assert page.get_by_role("button", name="Đóng kỳ").count() == 1
    page.get_by_role("link", name="Các kỳ báo cáo").last.click()
    page.get_by_role("link", name="Báo cáo năm 2026").first.click()
    deadline = datetime.strptime(page.locator("#deadline-day").input_value(), "%d/%m/%Y").date()
    later = deadline + timedelta(days=8)
    page.get_by_label("Đơn vị", exact=True).select_option(label="Phòng Kế hoạch - Tài chính")
    page.get_by_label("Hạn nộp mới của đơn vị").fill(f"{later:%d/%m/%Y}")
    page.get_by_label("Lý do", exact=True).fill("Chờ số liệu quyết toán")
    page.get_by_role("button", name="Gia hạn cho đơn vị").click()
    page.wait_for_url("**?done=extend")
    assert "Chờ số liệu quyết toán" in page.locator("table.admin-list").inner_text()
    if samples:
        shoot(page, "admin-period")
    status = site.call(site.sim.send("vanthu", "/kybaocao xem 2026-Y"))[-1].text
    assert "Chờ số liệu quyết toán" in status  # the chat's /kybaocao sees the desk's extension
    assert title

    # The calendar: a day off.
    page.goto(f"{site.base}/desk/admin/periods")
    page.get_by_label("Ngày", exact=True).fill("31/12/2026")
    page.get_by_label("Ghi chú (không bắt buộc)").fill("Nghỉ bù Tết Dương lịch")
    page.get_by_role("button", name="Lưu ngày").click()
    page.wait_for_url("**?done=dayset")
    assert "Nghỉ bù Tết Dương lịch" in page.locator("main").inner_text()
    if samples:
        shoot(page, "admin-periods")

    # Units: one added with its short name.
    page.goto(f"{site.base}/desk/admin/units")
    page.get_by_label("Tên đầy đủ của đơn vị mới").fill("Phòng Thông tin và Thống kê")
    page.get_by_label("Tên viết tắt (không bắt buộc)").fill("PTTTK")
    page.get_by_role("button", name="Thêm phòng, đơn vị").click()
    page.wait_for_url("**?done=add*")
    row = page.locator("tr.changed")
    assert "Phòng Thông tin và Thống kê" in row.inner_text() and "PTTTK" in row.inner_text()
    if samples:
        shoot(page, "admin-units")

    # People, with the request about personal data waiting.
    page.goto(f"{site.base}/desk/admin/people")
    assert "Nguyễn Văn Ân" in page.locator(".requests").inner_text()
    if samples:
        shoot(page, "admin-people")

    # Invitations: a meeting's sheet for three units, printed.
    page.goto(f"{site.base}/desk/admin/invitations")
    boxes = page.locator("fieldset.units-pick input[type=checkbox]")
    for index in range(3, boxes.count()):
        boxes.nth(index).uncheck()
    if samples:
        shoot(page, "admin-invitations")
    page.get_by_role("button", name="Tạo phiếu mời").click()
    page.wait_for_url(f"{site.base}/desk/admin/invitations/sheet")
    cards = page.locator("li.card")
    assert cards.count() == 3
    code = cards.first.locator(".code").inner_text()
    assert code and code in cards.first.locator(".link").inner_text()
    page.evaluate("window.printed = 0; window.print = () => { window.printed += 1; }; true")  # the test's stub
    page.get_by_role("button", name="In phiếu mời").click()
    assert page.evaluate("window.printed") == 1  # desk.js opened the browser's print dialog
    if samples:
        shoot(page, "admin-invitation-sheet")
    page.emulate_media(media="print")  # as printed: no menu, no buttons, the cards two by two
    assert not page.get_by_role("button", name="In phiếu mời").is_visible()
    assert not page.locator("header nav").is_visible()
    if samples:
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.screenshot(path=str(SAMPLES / "desk-admin-invitation-sheet-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # The audit log, filtered by kind, then exported.
    page.goto(f"{site.base}/desk/admin/audit")
    page.get_by_label("Loại").select_option(label="Các kỳ báo cáo")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url("**kind=period*")
    text = page.locator("table.audit").inner_text()
    assert "Chờ số liệu quyết toán" in text or "gia hạn" in text.lower()
    assert "Phòng Thông tin và Thống kê" not in text
    if samples:
        shoot(page, "admin-audit")
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất tệp XLSX").click()
    saved = tmp_path / "nhat-ky.xlsx"
    download.value.save_as(saved)
    rows = [" ".join(str(c) for c in r if c) for r in load_workbook(saved).active.iter_rows(values_only=True)]
    assert len(rows) >= 3 and not any("Phòng Thông tin và Thống kê" in r for r in rows)


def test_the_director_reads_people_and_the_audit_log_and_a_deputy_gets_nothing(site, page, browser):  # noqa: F811
    sign_in(page, site, "giamdoc")
    page.goto(f"{site.base}/desk/admin")
    assert [a.inner_text() for a in page.locator("ul.areas a").all()] == ["Người dùng", "Nhật ký"]
    page.goto(f"{site.base}/desk/admin/periods")
    assert page.locator("h1").inner_text() == "Không thể thực hiện"
    page.goto(f"{site.base}/desk/admin/people")
    assert page.get_by_role("button", name="Thu hồi quyền truy cập").count() == 0
    deputy = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    tab = deputy.new_page()
    sign_in(tab, site, "pgd")
    assert tab.get_by_role("link", name="Quản trị").count() == 0
    tab.goto(f"{site.base}/desk/admin/audit")
    assert tab.locator("h1").inner_text() == "Không thể thực hiện"
    deputy.close()


def test_the_sheet_is_not_shown_again(site: DeskSite, page):  # noqa: F811
    """The codes live only in the POST's answer: the list shows who each invitation is for, never its code."""
    sign_in(page, site, "vanthu")
    page.goto(f"{site.base}/desk/admin/invitations")
    page.get_by_label("Vai trò").first.select_option(label="Giám đốc Sở")
    page.get_by_role("button", name="Tạo lời mời").click()
    code = page.locator("li.card .code").inner_text()
    page.goto(f"{site.base}/desk/admin/invitations")
    assert code not in page.content() and "Giám đốc" in page.locator("table.admin-list").inner_text()
