"""/nhatky reads as sentences with names (issue 13): every recorded action has one, filters, and the XLSX export."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from bot.clock import TZ
from bot.domain import Role
from bot.glossary import ACTION_LABELS
from bot.i18n import I18n
from handlers.audit.render import SENTENCES, sentence
from tests.report_helpers import fill, submit
from tests.world import period_id
from tests.world import VANTHU

ROOT = Path(__file__).resolve().parent.parent
RAW = re.compile(r"\bperson \d|\bunit_id\b|->|→|\d{4}-\d{2}-\d{2}T|\b[a-z]+\.(?!yaml\b)[a-z_]+\b|\b[a-z]+_[a-z_]+\b")


def recorded_actions() -> set[str]:
    """Every action name the code writes to the audit log (literal, or built from a known set)."""
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'_change\(actor, [a-z_]+, "([a-z_]+\.[a-z_]+)"', text))
    return found


def test_every_recorded_action_has_a_sentence():
    actions = recorded_actions()
    assert {"invite.create", "report.submit", "period.extend", "escalation.raise"} <= actions
    escalation = {f"escalation.{action}" for action in ACTION_LABELS}  # escalation.{action}: the glossary's verb
    missing = {a for a in actions if a not in SENTENCES and a not in escalation}
    assert not missing, missing
    assert {"report.accepted", "report.returned"} <= set(SENTENCES)  # report.{state}


async def test_audit_reads_as_sentences_with_filters_and_export(sim):
    sim.clock.set(datetime(2027, 6, 3, 9, 0, tzinfo=TZ))
    services = sim.services
    await sim.send("vanthu", "/moi truongphong khtc")
    head = services.people.actor_for("telegram", "1003")
    screen = fill(services, head, services.reports.open(head, period_id(services, "2027-H1")))
    submit(services, head, screen)
    office = services.people.actor_for("telegram", str(VANTHU))
    services.periods.extend(office, period_id(services, "2027-H1"), head.unit_id, datetime(2027, 6, 30).date(),
                            "Chờ số liệu giải ngân")
    log = (await sim.send("vanthu", "/nhatky"))[-1].text
    assert "đồng chí Nguyễn Văn An gửi Báo cáo 6 tháng đầu năm 2027 của Phòng Kế hoạch - Tài chính (phiên bản 1)" \
        in log
    invites = (await sim.send("vanthu", "/nhatky lời mời"))[-1].text
    assert re.search(r"\d\d:\d\d \d\d/\d\d/2027 - đồng chí [^\n]+ tạo lời mời Trưởng phòng cho Phòng Kế hoạch - "
                     r"Tài chính \(hết hạn \d\d/\d\d/2027\)", invites), invites
    assert "gia hạn nộp Báo cáo 6 tháng đầu năm 2027 cho Phòng Kế hoạch - Tài chính đến 30/06/2027" in log
    assert not RAW.search(log.replace("/nhatky", "")), RAW.search(log)
    everything = services.audit.recent(office, limit=1000)
    i18n = I18n()
    for entry in everything:
        for locale in ("vi", "en"):
            text = sentence(i18n.get(locale), entry)
            assert not RAW.search(text), (entry.action, text)
    # Filters: by person, by unit, by kind, by dates; something unknown is said so.
    by_person = (await sim.send("vanthu", "/nhatky Nguyễn Văn An"))[-1].text
    assert "Nguyễn Văn An" in by_person and "tạo lời mời" not in by_person
    by_kind = (await sim.send("vanthu", "/nhatky kỳ"))[-1].text
    assert "gia hạn" in by_kind and "gửi Báo cáo" not in by_kind
    by_unit = (await sim.send("vanthu", "/nhatky Kế hoạch - Tài chính"))[-1].text
    assert "gửi Báo cáo" in by_unit
    assert "Nhật ký không có mục nào" in (await sim.send("vanthu", "/nhatky 01/01/2026 31/01/2026"))[-1].text
    assert "Không có người dùng hoặc đơn vị nào khớp" in (await sim.send("vanthu", "/nhatky zzz"))[-1].text
    # The export for an inspection: the same sentences in a sheet.
    sent = (await sim.send("vanthu", "/nhatky xuất"))[-1]
    assert sent.document and sent.document[0].endswith(".xlsx")
    sheet = load_workbook(BytesIO(sent.document[1])).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Thời gian", "Người thực hiện", "Đơn vị", "Nội dung"] and len(rows) > 5
    assert not any(RAW.search(str(r[3])) for r in rows[1:])
    # Only the Office and the leadership read it.
    assert "/nhatky" not in str((await sim.send("khtc", "/nhatky"))[-1].buttons)


def test_every_action_actually_recorded_reads_without_identifiers(services, clock):
    """Run each audited operation once through the services, then read the whole log in both languages."""
    clock.set(datetime(2027, 6, 3, 9, 0, tzinfo=TZ))
    org, periods, people = services.org, services.periods, services.people
    office_unit = org.office_unit()
    office = people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="2001",
                               unit_id=office_unit.unit_id)
    director = people.add_person(full_name="Hoàng Văn Quang", role=Role.DIRECTOR, telegram_id="2002")
    deputy = people.add_person(full_name="Trần Thị Mai", role=Role.DEPUTY_DIRECTOR, telegram_id="2003")
    head = people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id="2004",
                             unit_id=org.find_unit("khtc").unit_id)
    added = org.add_unit(office, "Phòng Thông tin")
    org.rename_unit(office, added.unit_id, "Phòng Thông tin và Truyền thông")
    org.retire_unit(office, added.unit_id)
    org.restore_unit(office, added.unit_id)
    org.set_short_name(office, added.unit_id, "TT-TT")
    org.set_plan(office, "15/KH-SKHCN", "20/01/2026")
    org.set_movement(office, "Phong trào thi đua “Đổi mới sáng tạo”")
    questionnaires = services.questionnaires
    draft = questionnaires.next_draft(office)
    questionnaires.upload(office, draft)
    questionnaires.activate(office, int(draft.split("\nversion: ", 1)[1].split("\n", 1)[0]))
    invite = services.invites.create(office, Role.UNIT_HEAD, added.unit_id)
    services.invites.revoke(office, invite.invite_id)
    code = services.invites.create(office, Role.DEPUTY, head.unit_id).code
    services.invites.redeem("telegram", "2005", code, "Phạm Thị Lan", "vi")
    lan = people.actor_for("telegram", "2005")
    link = services.identity.issue_link_code(lan)
    services.identity.redeem_code("zalo", "a1b2c3d4e5f6", link.code)
    services.identity.redeem_code("zalo", "f6e5d4c3b2a1", "K7QM-4XPD-9HTR")  # a wrong code: audited, no chat id
    services.identity.set_preferred(people.actor_for("telegram", "2005"), "zalo")
    services.identity.unlink(office, lan.person_id, "telegram")
    people.deactivate(office, lan.person_id)
    h1 = period_id(services, "2027-H1")
    periods.set_deadline(office, h1, date(2027, 6, 25))
    periods.extend(office, h1, head.unit_id, date(2027, 6, 30), "Chờ số liệu")
    periods.remove_extension(office, h1, head.unit_id)
    periods.set_override(office, date(2027, 6, 12), True, "Làm bù")
    periods.clear_override(office, date(2027, 6, 12))
    year = period_id(services, "2027-Y")
    periods.set_opens_on(office, year, date(2027, 11, 20))
    periods.open_now(office, year)
    periods.close(office, year)
    screen = fill(services, head, services.reports.open(head, h1))
    report_id = submit(services, head, screen).ref.report_id
    services.reports.reopen(head, report_id, 1)
    screen = services.reports.current(head, report_id)
    submit(services, head, screen)
    services.reports.return_for_revision(office, report_id, 2, "Bổ sung số liệu vốn")
    submit(services, head, services.reports.current(head, report_id))
    services.reports.accept(office, report_id, 3)
    services.reports.view(director, report_id)
    services.status.record_export(office, h1)
    services.official_report.save(office, h1, "leadership", "Sở đã ban hành kế hoạch triển khai phong trào.")
    services.official_report.reset(office, h1, "leadership")
    esc = services.escalations
    item = esc.raise_item(head, title="Chậm phân bổ vốn", description="Thủ tục điều chỉnh kế hoạch.")[0].item_id
    esc.receive(office, item)
    esc.ask_info(office, item, "Đề nghị gửi văn bản.")
    esc.add_info(head, item, "Đã gửi.")
    esc.forward(office, item)
    esc.assign(director, item, deputy.person_id)
    esc.instruct(deputy, item, "Đồng ý điều chỉnh.")
    esc.reply(head, item, "Cần thêm hướng dẫn.")
    esc.answer(office, item, "Đã hướng dẫn.")
    esc.confirm(head, item)
    services.privacy.export(head)
    fix = services.privacy.request(head, "correct", "Sửa họ tên")[0]
    services.privacy.acknowledge(office, fix.request_id)
    services.privacy.close(office, fix.request_id)
    leaving = people.add_person(full_name="Đỗ Văn Nghỉ", role=Role.UNIT_HEAD, telegram_id="2005",
                                unit_id=org.find_unit("qlkh").unit_id)
    services.privacy.erase(office, leaving.person_id)
    services.desk.redeem(services.desk.issue_link(office)[0])
    entries = services.audit.recent(office, limit=1000)
    seen = {e.action for e in entries}
    assert recorded_actions() - {"invite.bootstrap", "escalation.comment"} <= seen | {"unit.load"}, \
        recorded_actions() - seen
    i18n = I18n()
    for entry in entries:
        for locale in ("vi", "en"):
            text = sentence(i18n.get(locale), entry)
            assert not RAW.search(text) and "{" not in text, (entry.action, text)
    vi = {e.action: sentence(i18n.get("vi"), e) for e in reversed(entries)}
    if os.environ.get("AUDIT_SAMPLE"):
        Path(os.environ["AUDIT_SAMPLE"]).write_text("\n".join(
            sentence(i18n.get(loc), e) for loc in ("vi", "en") for e in reversed(entries)), encoding="utf-8")
    assert "đổi tên đơn vị Phòng Thông tin thành Phòng Thông tin và Truyền thông" in vi["unit.rename"]
    assert f"xóa dữ liệu cá nhân của người dùng #{leaving.person_id}" in vi["person.erase"]
    assert "Đỗ Văn Nghỉ" not in "\n".join(vi.values())  # the erased name is nowhere in the log
    assert "tiếp nhận đề nghị số 1 về dữ liệu cá nhân" in vi["privacy.acknowledge"]
    assert "đặt ngày 12/06/2027 là ngày làm việc (Làm bù)" in vi["calendar.set"]
    assert "đặt tên viết tắt của Phòng Thông tin và Truyền thông là \"TT-TT\"" in vi["unit.short_name"]
    assert "Kế hoạch số 15/KH-SKHCN ngày 20/01/2026" in vi["department.plan"]
    assert "trả lại Báo cáo 6 tháng đầu năm 2027 của Phòng Kế hoạch - Tài chính (phiên bản 2) để chỉnh sửa " \
           "(ý kiến: Bổ sung số liệu vốn)" in vi["report.returned"]
    assert "Vướng mắc số 1 của Phòng Kế hoạch - Tài chính: đồng chí Hoàng Văn Quang giao Phó Giám đốc xử lý" \
        in vi["escalation.assign"]
