"""/kybaocao: periods, deadlines, extensions and calendar exceptions, by buttons and by typing; audited."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from bot.clock import TZ
from bot.domain import DomainError, PermissionDenied, Role
from bot.periods import parse_vn_date
from storage.models import AuditLog, CalendarOverride
from tests.reminder_helpers import unit_id
from tests.world import period_id
from tests.world import head
from tests.world import office as world_office


def office(services):
    return world_office(services, unit=None)


def audit_actions(services) -> list[str]:
    with services.db.session() as session:
        return list(session.exec(select(AuditLog.action).order_by(AuditLog.id)).all())


def test_vietnamese_dates():
    today = date(2026, 11, 24)
    assert parse_vn_date("20/12/2026", today) == date(2026, 12, 20)
    assert parse_vn_date("20/12", today) == date(2026, 12, 20)
    assert parse_vn_date("10/1", today) == date(2027, 1, 10)  # the nearest 10 January
    assert parse_vn_date("ngày 5 tháng 1 năm 2027", today) == date(2027, 1, 5)
    assert parse_vn_date("Ngày 5 tháng 1 năm 2027", today) == date(2027, 1, 5)
    assert parse_vn_date("31/2/2027", today) is None
    assert parse_vn_date("hôm qua", today) is None


def test_fresh_install_knows_current_and_next_periods(services):
    codes = [p.code for p in services.periods.list_periods()]
    assert codes == ["2026-H1", "2026-Y", "2027-H1", "2027-Y"]
    assert services.periods.find("2026-y").state == "open"
    assert services.periods.find("3").code == "2027-H1"


def test_office_moves_dates_opens_and_closes_with_audit(services):
    actor, pid = office(services), period_id(services)
    info = services.periods.set_deadline(actor, pid, date(2026, 12, 18))
    assert info.deadline == date(2026, 12, 18) and info.closes_on == date(2027, 1, 17)
    assert services.periods.close(actor, pid).state == "closed"
    with pytest.raises(DomainError):
        services.periods.close(actor, pid)
    assert services.periods.open_now(actor, pid).state == "open"
    later = period_id(services, "2027-H1")
    assert services.periods.open_now(actor, later).opens_on == date(2026, 11, 24)
    with pytest.raises(DomainError):
        services.periods.set_opens_on(actor, pid, date(2027, 1, 5))
    assert audit_actions(services)[-4:] == ["period.deadline", "period.close", "period.open", "period.open"]


def test_extension_for_one_unit(services):
    actor, pid, khtc = office(services), period_id(services), unit_id(services, "khtc")
    with pytest.raises(DomainError):
        services.periods.extend(actor, pid, khtc, date(2026, 12, 30), "  ")
    with pytest.raises(DomainError):
        services.periods.extend(actor, pid, khtc, date(2026, 12, 19), "Lý do")
    services.periods.extend(actor, pid, khtc, date(2026, 12, 30), "Chờ số liệu giải ngân")
    assert services.periods.get(pid, khtc).deadline == date(2026, 12, 30)
    assert services.periods.get(pid, unit_id(services, "qlkh")).deadline == date(2026, 12, 20)
    assert [p.deadline for p in services.progress.by_unit(pid) if p.unit_id == khtc] == [date(2026, 12, 30)]
    services.periods.remove_extension(actor, pid, khtc)
    assert services.periods.get(pid, khtc).deadline == date(2026, 12, 20)
    assert audit_actions(services)[-2:] == ["period.extend", "period.unextend"]


def test_only_the_office_changes_periods(services):
    with pytest.raises(PermissionDenied):
        services.periods.set_deadline(head(services), period_id(services), date(2026, 12, 18))


def test_calendar_exceptions(services):
    actor = office(services)
    services.periods.set_override(actor, date(2026, 12, 31), False, "Nghỉ bù")
    services.periods.set_override(actor, date(2027, 1, 2), True, "Làm bù")
    assert not services.calendar.is_working_day(date(2026, 12, 31))
    assert services.calendar.is_working_day(date(2027, 1, 2))
    assert [o.day for o in services.periods.overrides()] == [date(2026, 12, 31), date(2027, 1, 2)]
    services.periods.clear_override(actor, date(2026, 12, 31))
    assert services.calendar.is_working_day(date(2026, 12, 31))
    assert audit_actions(services)[-3:] == ["calendar.set", "calendar.set", "calendar.clear"]


async def test_typed_commands(sim):
    reply = await sim.send("vanthu", "/kybaocao han 2026-Y 18/12/2026")
    assert "Đã lưu" in reply[-1].text and "18/12/2026" in reply[-1].text
    assert "đã qua" not in reply[-1].text


async def test_a_deadline_set_in_the_past_is_saved_and_pointed_out(sim):
    sim.clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=TZ))
    reply = await sim.send("vanthu", "/kybaocao han 2026-Y 01/12/2026")
    assert "Đã lưu" in reply[-1].text
    assert "Lưu ý: hạn nộp này đã qua; đơn vị nào chưa nộp báo cáo thì từ nay được tính là nộp muộn." in reply[-1].text
    reply = await sim.send("vanthu", "/kybaocao han 2026-Y 35/12")
    assert "không phải là ngày hợp lệ" in reply[-1].text
    reply = await sim.send("vanthu", "/kybaocao giahan 2026-Y khtc 30/12/2026 Chờ số liệu")
    assert "Phòng Kế hoạch - Tài chính được gia hạn đến ngày 30 tháng 12 năm 2026" in reply[-1].text
    reply = await sim.send("vanthu", "/periods dayoff 31/12/2026 Nghỉ bù")
    assert "ngày 31 tháng 12 năm 2026 là ngày nghỉ" in reply[-1].text
    reply = await sim.send("vanthu", "/kybaocao lich")
    assert "31/12/2026: ngày nghỉ - Nghỉ bù" in reply[-1].text
    reply = await sim.send("vanthu", "/kybaocao dong 2027-Q")
    assert "Không có kỳ báo cáo nào khớp" in reply[-1].text
    reply = await sim.send("khtc", "/kybaocao")
    assert "không có quyền" in reply[-1].text.lower()


async def test_buttons_and_dialogs(sim):
    listing = await sim.send("vanthu", "/kybaocao")
    assert "Báo cáo năm 2026 [2026-Y] - đang mở" in listing[-1].text
    menu = await sim.press("vanthu", listing[-1], 2)
    asked = await sim.press("vanthu", menu[-1], "Đổi hạn nộp")
    assert "Ngày nào? Ví dụ" in asked[-1].text
    wrong = await sim.send("vanthu", "hai mươi")
    assert "không phải là ngày hợp lệ" in wrong[-1].text
    done = await sim.send("vanthu", "ngày 18 tháng 12 năm 2026")
    assert "hạn nộp 18/12/2026" in done[-1].text
    units = await sim.press("vanthu", menu[-1], "Gia hạn cho đơn vị")
    await sim.press("vanthu", units[-1], "KH-TC")
    await sim.send("vanthu", "28/12")
    saved = await sim.send("vanthu", "Đơn vị đang chờ số liệu")
    assert "được gia hạn đến ngày 28 tháng 12 năm 2026 (Đơn vị đang chờ số liệu)" in saved[-1].text
    calendar = await sim.press("vanthu", listing[-1], "Ngày nghỉ và ngày làm bù")
    await sim.press("vanthu", calendar[-1], "Thêm ngày làm bù")
    saved = await sim.send("vanthu", "2/1/2027 Làm bù cho ngày 31/12")
    assert "là ngày làm bù" in saved[-1].text
    with sim.services.db.session() as session:
        assert session.get(CalendarOverride, date(2027, 1, 2)).is_working
    stale = await sim.press_data("vanthu", "per:m:abc")
    assert "không còn hiệu lực" in stale[-1].text
