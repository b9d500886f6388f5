"""Pages 5 and 7 in a real browser (Chromium through Playwright) against the real server on 127.0.0.1: an official
report text edited on the desk, then seen in the chat's /xuatbaocao and in the DOCX; a questionnaire version
uploaded with an error, then fixed and activated, and a new report using it. Screenshots in docs/samples/ (taken
on SQLite only: the pages are the same on PostgreSQL)."""

from __future__ import annotations

import io

from docx import Document

from tests.desk_site import DeskSite, shoot
from tests.test_desk_browser import browser, page, sign_in, submitted_report  # noqa: F401
from tests.world import period_id

LEADERSHIP = "Sở đã ban hành Kế hoạch số 15/KH-SKHCN triển khai Phong trào thi đua đến từng phòng, đơn vị."


def test_an_official_report_text_edited_on_the_desk_reaches_the_chat_and_the_docx(site, page):  # noqa: F811
    submitted_report(site, "khtc")
    pid = site.run(period_id, site.sim.services, "2026-Y")
    sign_in(page, site, "vanthu")
    page.get_by_role("link", name="Xuất báo cáo").first.click()
    page.wait_for_url(f"{site.base}/desk/official")
    area = page.get_by_label("Mục I - Công tác lãnh đạo", exact=False)
    assert "Trong kỳ" in area.input_value()  # the assistant's draft to start from
    area.fill(LEADERSHIP)
    preview = page.locator("#preview")
    preview.get_by_text(LEADERSHIP).wait_for()  # the live preview, before anything is saved
    assert "I. CÔNG TÁC LÃNH ĐẠO" in preview.inner_text() and "Kính gửi" in preview.inner_text()
    page.get_by_label("Số Kế hoạch của Sở").fill("15/KH-SKHCN")
    page.get_by_role("button", name="Lưu nội dung").click()
    page.wait_for_url(f"{site.base}/desk/official/{pid}?done=saved")
    assert "do Văn" not in page.locator(".banner.ok").inner_text()
    page.get_by_label("Số Kế hoạch của Sở").fill("15/KH-SKHCN")
    page.get_by_label("Ngày ban hành Kế hoạch (ngày/tháng/năm)").fill("20/01/2026")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(f"{site.base}/desk/official/{pid}?done=organisation")
    assert "Kế hoạch số 15/KH-SKHCN ngày 20/01/2026" in page.locator("#preview").inner_text()
    if site.db.is_sqlite:
        shoot(page, "official")

    menu = site.call(site.sim.send("vanthu", "/xuatbaocao"))
    if "Mục I" not in menu[-1].text:  # more than one period: choose this one
        menu = site.call(site.sim.send("vanthu", "1"))
    line = next(text for text in menu[-1].text.split("\n") if text.startswith("1. "))
    assert "bản dự thảo" not in line and "Văn" in line, line  # written by the Office member, not the draft
    opened = site.call(site.sim.send("vanthu", "1"))
    assert any(m.text == LEADERSHIP for m in opened)

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải báo cáo (DOCX)").click()
    text = "\n".join(p.text for p in Document(io.BytesIO(download.value.path().read_bytes())).paragraphs)
    assert LEADERSHIP in text and "Kế hoạch số 15/KH-SKHCN ngày 20/01/2026" in text
    for name, size in (("Tải phụ lục (XLSX)", 1000), ("Tải biểu đồ (PNG)", 1000)):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        assert len(download.value.path().read_bytes()) > size


def test_a_questionnaire_version_uploaded_with_an_error_then_fixed_activated_and_used(site, page):  # noqa: F811
    sign_in(page, site, "vanthu")
    page.get_by_role("link", name="Bộ câu hỏi").first.click()
    page.wait_for_url(f"{site.base}/desk/questionnaire")
    assert "đang áp dụng cho báo cáo mới" in page.locator("tr.current").inner_text()
    if site.db.is_sqlite:
        shoot(page, "questionnaire")
    page.get_by_role("link", name="Soạn phiên bản mới").click()
    area = page.get_by_label("Bộ câu hỏi (YAML)")
    good = area.input_value()
    newest = int(good.split("\nversion: ", 1)[1].split("\n", 1)[0])
    wrong = good.replace("type: multi", "type: multiple", 1).replace("- id: infra_policy", "- id: Infra policy", 1)
    area.fill(wrong)
    page.get_by_role("button", name="Kiểm tra và lưu").click()
    problems = page.locator(".problems li")
    assert problems.count() == 2, page.locator(".problems").inner_text()
    first, second = problems.nth(0).inner_text(), problems.nth(1).inner_text()
    line = wrong.split("\n").index(next(x for x in wrong.split("\n") if "Infra policy" in x)) + 1
    assert first.startswith(f"Dòng {line}: câu hỏi Infra policy: 'id' chỉ gồm chữ thường"), first  # Vietnamese
    assert "câu hỏi digital_tasks: loại (type) 'multiple' không thuộc các loại" in second, second
    if site.db.is_sqlite:
        shoot(page, "questionnaire-problems")
    problems.nth(1).get_by_role("button").click()  # the cursor goes to the line to correct
    selected = page.evaluate("() => { const a = document.getElementById('yaml-text'); "
                             "return a.value.slice(a.selectionStart, a.selectionEnd); }")
    assert "multiple" in selected, selected
    fixed = good.replace("vi: Trong kỳ, đơn vị đã làm gì để nâng cao chất lượng quy hoạch",
                         "vi: Trong kỳ, đơn vị đã làm những gì để nâng cao chất lượng quy hoạch", 1)
    assert fixed != good
    page.get_by_label("Bộ câu hỏi (YAML)").fill(fixed)
    page.get_by_role("button", name="Kiểm tra và lưu").click()
    page.wait_for_url(f"{site.base}/desk/questionnaire/{newest}?done=uploaded")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Áp dụng phiên bản này cho báo cáo mới").click()
    page.wait_for_url(f"{site.base}/desk/questionnaire/{newest}?done=activated")
    assert "đang áp dụng cho báo cáo mới" in page.locator("main").inner_text()
    if site.db.is_sqlite:
        shoot(page, "questionnaire-version")

    sent = site.call(site.sim.send("khtc", "/baocao"))  # a new report, in a process that did not restart
    assert "đã làm những gì để nâng cao" in sent[-1].text, sent[-1].text
    version = site.run(lambda: _started_version(site))
    assert version == newest


def _started_version(site: DeskSite) -> int:
    from sqlmodel import select

    from storage.models import Report

    with site.sim.db.session() as session:
        return session.exec(select(Report.questionnaire_version)).one()
