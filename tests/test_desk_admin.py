"""Desk page 6, administration, over HTTP against the real server: periods and the calendar, units, people and the
requests about personal data, invitations, the audit log. Every action is the chat command's own service call,
audited in the same log, with the same chat messages; only the Office acts, the Director reads people and the log."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlmodel import select

from bot.web.pages.admin.audit import KIND_LABELS, AuditQuery
from bot.services.audit.service import KINDS
from storage.models import AuditLog, CalendarOverride, DeadlineExtension, Invite, Period, Person, Unit
from tests.desk_http import signed_in
from tests.desk_site import DeskSite
from tests.world import period_id


def actions(site: DeskSite, entity: str | None = None) -> list[str]:
    with site.db.session() as session:
        query = select(AuditLog).order_by(AuditLog.id)
        if entity:
            query = query.where(AuditLog.entity == entity)
        return [row.action for row in session.exec(query)]


def test_audit_filters_come_from_the_address_and_forgive_nonsense():
    def arg(values: dict):  # noqa: ANN202
        return lambda name, default="": values.get(name, default)
    assert AuditQuery.read(arg({})) == AuditQuery()
    assert AuditQuery.read(arg({"person": "²", "unit": "x", "kind": "<b>", "since": "31/02/2026"})) == AuditQuery()
    chosen = AuditQuery.read(arg({"person": "3", "kind": "period", "since": "2026-11-01", "until": "24/11/2026"}))
    assert chosen == AuditQuery(3, None, "period", date(2026, 11, 1), date(2026, 11, 24))
    assert chosen.query() == "person=3&kind=period&since=2026-11-01&until=2026-11-24"
    assert set(KIND_LABELS) == set(KINDS)


def test_the_office_opens_closes_and_moves_a_period_and_extends_it_for_a_unit(site):
    office = signed_in(site, "vanthu")
    pid = site.run(period_id, site.sim.services, "2026-Y")
    listed = office.get("/desk/admin/periods")
    assert listed.status_code == 200 and "2026-Y" in listed.text
    page = office.get(f"/desk/admin/periods/{pid}")
    assert page.status_code == 200 and "Gia hạn cho đơn vị" in page.text

    closed = office.post(f"/desk/admin/periods/{pid}/close")
    assert closed.status_code == 303 and closed.headers["location"] == f"/desk/admin/periods/{pid}?done=close"
    again = office.post(f"/desk/admin/periods/{pid}/close")
    assert again.status_code == 400 and "đã đóng" in again.text  # the service's refusal, in the page
    assert office.post(f"/desk/admin/periods/{pid}/open").status_code == 303
    with site.db.session() as session:
        period = session.get(Period, pid)
        assert period.closed_at is None
        deadline = period.deadline

    later = deadline + timedelta(days=5)
    moved = office.post(f"/desk/admin/periods/{pid}/deadline", {"day": later.isoformat()})
    assert moved.status_code == 303
    bad = office.post(f"/desk/admin/periods/{pid}/deadline", {"day": "31/02/2026"})
    assert bad.status_code == 400 and "không phải là ngày hợp lệ" in bad.text
    unit = site.run(site.sim.services.org.find_unit, "khtc")
    short = office.post(f"/desk/admin/periods/{pid}/extend", {"unit": str(unit.unit_id), "day": later.isoformat(),
                                                              "reason": "Chờ số liệu"})
    assert short.status_code == 400 and "Chờ số liệu" in short.text  # not after the deadline: kept in the form
    extended = office.post(f"/desk/admin/periods/{pid}/extend", {"unit": str(unit.unit_id),
                                                                 "day": (later + timedelta(days=7)).strftime("%d/%m/%Y"),
                                                                 "reason": "Chờ số liệu quyết toán"})
    assert extended.status_code == 303
    page = office.get(f"/desk/admin/periods/{pid}?done=extend").text
    assert "Chờ số liệu quyết toán" in page and unit.name in page
    with site.db.session() as session:
        assert session.exec(select(DeadlineExtension)).one().unit_id == unit.unit_id
    # The chat's /kybaocao sees the same extension.
    chat = site.call(site.sim.send("vanthu", "/kybaocao xem 2026-Y"))
    assert "Chờ số liệu quyết toán" in chat[-1].text
    assert office.post(f"/desk/admin/periods/{pid}/unextend", {"unit": str(unit.unit_id)}).status_code == 303
    assert actions(site, "period") == ["period.close", "period.open", "period.deadline", "period.extend",
                                       "period.unextend"]
    assert office.get(f"/desk/admin/periods/{pid}/close").status_code == 405
    assert office.get("/desk/admin/periods/424242").status_code == 404


def test_days_off_and_make_up_days(site):
    office = signed_in(site, "vanthu")
    saved = office.post("/desk/admin/calendar/set", {"day": "2026-12-31", "kind": "off", "note": "Nghỉ bù"})
    assert saved.status_code == 303
    assert office.post("/desk/admin/calendar/set", {"day": "2027-01-02", "kind": "work", "note": ""}).status_code == 303
    page = office.get("/desk/admin/periods?done=dayset").text
    assert "Nghỉ bù" in page and "ngày làm bù" in page
    with site.db.session() as session:
        days = {row.day: row.is_working for row in session.exec(select(CalendarOverride))}
    assert days == {date(2026, 12, 31): False, date(2027, 1, 2): True}
    assert office.post("/desk/admin/calendar/clear", {"day": "2026-12-31"}).status_code == 303
    assert office.post("/desk/admin/calendar/clear", {"day": "2026-12-31"}).status_code == 400
    assert office.post("/desk/admin/calendar/set", {"day": "hôm nay"}).status_code == 400
    assert actions(site, "calendar") == ["calendar.set", "calendar.set", "calendar.clear"]


def test_the_office_adds_renames_and_retires_units(site):
    office = signed_in(site, "vanthu")
    added = office.post("/desk/admin/units/add", {"name": "Phòng Thông tin và Thống kê", "short": "PTTTK"})
    assert added.status_code == 303
    with site.db.session() as session:
        unit = session.exec(select(Unit).where(Unit.name == "Phòng Thông tin và Thống kê")).one()
    assert unit.short_name == "PTTTK"
    twice = office.post("/desk/admin/units/add", {"name": "Phòng Thông tin và Thống kê"})
    assert twice.status_code == 400 and "đã có" in twice.text.lower()
    assert office.post("/desk/admin/units/add", {"name": "🙂"}).status_code == 400
    assert office.post(f"/desk/admin/units/{unit.id}/name", {"text": "Phòng Thông tin"}).status_code == 303
    assert office.post(f"/desk/admin/units/{unit.id}/short", {"text": "PTT"}).status_code == 303
    assert office.post(f"/desk/admin/units/{unit.id}/retire").status_code == 303
    page = office.get(f"/desk/admin/units?done=retire&unit={unit.id}").text
    assert "Phòng Thông tin" in page and "ngừng hoạt động" in page.lower()
    assert office.post(f"/desk/admin/units/{unit.id}/restore").status_code == 303
    hcth = site.run(site.sim.services.org.find_unit, "hcth")
    assert office.post(f"/desk/admin/units/{hcth.unit_id}/retire").status_code == 400
    assert actions(site, "unit")[-5:] == ["unit.add", "unit.rename", "unit.short_name", "unit.retire", "unit.restore"]
    assert "Phòng Thông tin" in site.call(site.sim.send("vanthu", "/donvi"))[-1].text  # the chat's list


def test_people_and_their_channels(site):
    office, director = signed_in(site, "vanthu"), signed_in(site, "giamdoc")
    khtc = site.actor("khtc")
    listed = office.get("/desk/admin/people")
    assert listed.status_code == 200 and khtc.full_name in listed.text and "Thu hồi quyền truy cập" in listed.text
    read_only = director.get("/desk/admin/people")
    assert read_only.status_code == 200 and khtc.full_name in read_only.text
    assert "/deactivate" not in read_only.text and "/unlink/" not in read_only.text
    assert director.post(f"/desk/admin/people/{khtc.person_id}/deactivate").status_code == 403
    me = site.actor("vanthu")
    assert office.post(f"/desk/admin/people/{me.person_id}/deactivate").status_code == 400  # not oneself
    with site.db.session() as session:
        person = session.get(Person, khtc.person_id)
        person.zalo_id = "zalo-khtc"
        session.add(person)
    assert office.post(f"/desk/admin/people/{khtc.person_id}/unlink/zalo").status_code == 303
    only = office.post(f"/desk/admin/people/{khtc.person_id}/unlink/telegram")
    assert only.status_code == 400 and "duy nhất" in only.text
    assert office.post(f"/desk/admin/people/{khtc.person_id}/deactivate").status_code == 303
    assert khtc.full_name not in office.get("/desk/admin/people").text.split("<tbody>", 1)[1]
    assert khtc.full_name in office.get("/desk/admin/people?all=1").text
    assert actions(site, "person")[-2:] == ["identity.unlink", "person.deactivate"]


def test_requests_about_personal_data_are_received_and_an_erasure_carried_out(site):
    office = signed_in(site, "vanthu")
    site.call(site.sim.send("qlkh", "/dulieu xoa"))
    site.call(site.sim.send("qlkh", "/dulieu xoa xacnhan"))
    site.call(site.sim.send("khtc", "/dulieu sua Họ tên đúng là Nguyễn Văn Ân"))
    page = office.get("/desk/admin/people").text
    numbers = [int(n) for n in re.findall(r"/desk/admin/privacy/(\d+)/done", page)]
    assert len(numbers) == 2
    erase, correct = numbers
    assert "Nguyễn Văn Ân" in page
    before = len(site.chat_of("qlkh"))
    assert office.post(f"/desk/admin/privacy/{erase}/receive").status_code == 303
    told = site.chat_of("qlkh")[before:]
    assert any("đã tiếp nhận đề nghị" in text for text in told), told
    assert office.post(f"/desk/admin/privacy/{correct}/done").status_code == 303
    assert any("đã chỉnh sửa" in text for text in site.chat_of("khtc")), site.chat_of("khtc")[-1]
    qlkh = site.actor("qlkh")
    assert office.post(f"/desk/admin/privacy/{erase}/done").status_code == 303
    assert any("đã được xóa" in text for text in site.chat_of("qlkh")[-2:]), site.chat_of("qlkh")[-1]
    again = office.post(f"/desk/admin/privacy/{erase}/done")
    assert again.status_code == 409 and "đã được xử lý" in again.text
    with site.db.session() as session:
        person = session.get(Person, qlkh.person_id)
        assert person.telegram_id is None and person.full_name != "Phạm Thị Lan"
    assert {"privacy.acknowledge", "privacy.done", "person.erase"} <= set(actions(site))


def test_invitations_for_one_person_and_a_meeting_sheet(site):
    office = signed_in(site, "vanthu")
    units = site.run(site.sim.services.org.list_units)
    khtc = next(u for u in units if u.code == "khtc")
    page = office.get("/desk/admin/invitations")
    assert page.status_code == 200 and "Tạo phiếu mời" in page.text
    made = office.post("/desk/admin/invitations/new", {"role": "unit_head", "unit": str(khtc.unit_id),
                                                       "name": "Trần Thị Mai"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    link = re.search(r"https://t\.me/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]+)", made.text)
    assert link and f'class="code">{link.group(1)}<' in made.text and "Trần Thị Mai" in made.text
    missing = office.post("/desk/admin/invitations/new", {"role": "unit_head", "unit": ""})
    assert missing.status_code == 400 and "Lời mời này dành cho phòng, đơn vị nào?" in missing.text
    assert office.post("/desk/admin/invitations/new", {"role": "king"}).status_code == 400
    chosen = [u.unit_id for u in units if not u.is_admin_office][:3]
    sheet = office.post("/desk/admin/invitations/sheet", {"role": "unit_head", "unit": [str(u) for u in chosen]})
    assert sheet.status_code == 200 and sheet.text.count('class="card"') == 3 and "data-print" in sheet.text
    assert office.post("/desk/admin/invitations/sheet", {"role": "unit_head"}).status_code == 400
    with site.db.session() as session:
        invites = session.exec(select(Invite).order_by(Invite.id)).all()
    assert len([i for i in invites if i.created_by]) == 4
    # The code works on the chat: a new person opens the link and is registered with the role and unit.
    site.sim.add_persona("mai", 1200, "Trần Thị Mai")
    welcome = site.call(site.sim.send("mai", f"/start {link.group(1)}"))
    assert welcome and site.actor("mai") is not None and site.actor("mai").unit_id == khtc.unit_id
    listed = office.get("/desk/admin/invitations").text
    pending = [int(n) for n in re.findall(r"/desk/admin/invitations/(\d+)/revoke", listed)]
    assert len(pending) == 3
    assert office.post(f"/desk/admin/invitations/{pending[0]}/revoke").status_code == 303
    assert office.post(f"/desk/admin/invitations/{pending[0]}/revoke").status_code == 404
    assert actions(site, "invite").count("invite.create") == 4 and "invite.revoke" in actions(site, "invite")


def test_the_audit_log_filters_and_exports(site):
    office, director, deputy = signed_in(site, "vanthu"), signed_in(site, "giamdoc"), signed_in(site, "pgd")
    office.post("/desk/admin/units/add", {"name": "Phòng Thông tin"})
    office.post("/desk/admin/calendar/set", {"day": "2026-12-31", "kind": "off", "note": "Nghỉ bù"})
    page = office.get("/desk/admin/audit")
    assert page.status_code == 200 and "Phòng Thông tin" in page.text and "31/12/2026" in page.text
    units_only = office.get("/desk/admin/audit?kind=unit").text
    assert "Phòng Thông tin" in units_only and "Nghỉ bù" not in units_only
    me = site.actor("vanthu")
    mine = director.get(f"/desk/admin/audit?person={me.person_id}&since=2026-11-24&until=2026-11-24")
    assert mine.status_code == 200 and "Phòng Thông tin" in mine.text
    none = director.get("/desk/admin/audit?since=2020-01-01&until=2020-01-02").text
    assert "Nhật ký không có mục nào phù hợp." in none
    export = director.get("/desk/admin/audit.xlsx?kind=unit")
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(export.content))
    text = [" ".join(str(c) for c in row if c) for row in book.active.iter_rows(values_only=True)]
    assert any("Phòng Thông tin" in line for line in text) and not any("Nghỉ bù" in line for line in text)
    assert deputy.get("/desk/admin/audit").status_code == 403
    assert deputy.get("/desk/admin/audit.xlsx").status_code == 403


def test_a_deputy_director_gets_no_administration(site):
    deputy = signed_in(site, "pgd")
    assert "/desk/admin" not in deputy.get("/desk/").text  # not in the menu
    for url in ["/desk/admin", "/desk/admin/periods", "/desk/admin/units", "/desk/admin/people",
                "/desk/admin/invitations", "/desk/admin/audit"]:
        assert deputy.get(url).status_code == 403, url
    assert deputy.post("/desk/admin/units/add", {"name": "Phòng Lạ"}).status_code == 403
    assert "Phòng Lạ" not in " ".join(u.name for u in site.run(site.sim.services.org.list_units, True))
    director = signed_in(site, "giamdoc")
    assert director.get("/desk/admin").status_code == 200
    for url in ["/desk/admin/periods", "/desk/admin/units", "/desk/admin/invitations"]:
        assert director.get(url).status_code == 403, url


HOSTILE = ["", "\x00", "🙂", "²", "-1", "99999999999", "31/02/2026", "<script>alert(1)</script>", "x" * 5000,
           "0", "\u202e2026"]


def test_hostile_forms_get_a_short_refusal_never_a_fault(site):
    office = signed_in(site, "vanthu")
    pid = site.run(period_id, site.sim.services, "2026-Y")
    me = site.actor("vanthu").person_id
    urls = [f"/desk/admin/periods/{pid}/{a}" for a in ("opens", "deadline", "extend", "unextend")] + \
        ["/desk/admin/calendar/set", "/desk/admin/calendar/clear", "/desk/admin/units/add", "/desk/admin/units/1/name",
         "/desk/admin/units/1/short", "/desk/admin/invitations/new", "/desk/admin/invitations/sheet",
         f"/desk/admin/people/{me}/unlink/zalo", "/desk/admin/privacy/1/receive", "/desk/admin/privacy/1/done",
         "/desk/admin/invitations/424242/revoke", "/desk/admin/people/424242/deactivate"]
    for url in urls:
        for value in HOSTILE:
            fields = {name: value for name in ("day", "unit", "reason", "kind", "note", "name", "short", "text", "role")}
            response = office.post(url, fields)
            assert response.status_code in (303, 400, 404, 409), (url, value, response.status_code)
            assert "Traceback" not in response.text and "<script>alert" not in response.text
    for url in ["/desk/admin/audit?person=-1&unit=🙂&kind=x&since=99/99/9999&until=%00",
                "/desk/admin/audit.xlsx?since=" + "9" * 300, "/desk/admin/people?unit=²&all=yes"]:
        assert office.get(url).status_code == 200, url


def test_a_period_opened_on_the_desk_reaches_the_units_in_chat_as_from_the_chat(site):
    """The desk changes the period's dates; the reminders' ticker then sends the opening notice, as after /kybaocao."""
    office = signed_in(site, "vanthu")
    pid = site.run(period_id, site.sim.services, "2027-Y")
    before = len(site.chat_of("khtc"))
    assert office.post(f"/desk/admin/periods/{pid}/open").status_code == 303
    site.call(site.sim.advance(timedelta(hours=26)))
    told = site.chat_of("khtc")[before:]
    assert any("Kỳ báo cáo đã mở" in text and "Báo cáo năm 2027" in text for text in told), told


def test_the_pages_speak_the_persons_language(site):
    """An Office member who chose English reads page 6 in English, dates typed day/month/year all the same."""
    actor = site.actor("vanthu")
    site.run(site.sim.services.people.set_locale, actor.person_id, "en")
    office = signed_in(site, "vanthu")
    pages = {url: office.get(url).text for url in ["/desk/admin", "/desk/admin/periods", "/desk/admin/units",
                                                   "/desk/admin/people", "/desk/admin/invitations", "/desk/admin/audit"]}
    assert "Administration" in pages["/desk/admin"] and "Quản trị" not in pages["/desk/admin"]
    assert 'placeholder="dd/mm/yyyy"' in pages["/desk/admin/periods"] and "Days off" in pages["/desk/admin/periods"]
    assert "Add a unit" in pages["/desk/admin/units"] and "Create the sheet" in pages["/desk/admin/invitations"]
    pid = site.run(period_id, site.sim.services, "2026-Y")
    assert 'value="20/12/2026"' in office.get(f"/desk/admin/periods/{pid}").text
