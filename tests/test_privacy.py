"""Personal data (docs/PRIVACY.md): the notice at registration, /dulieu and its copy on both channels, requests to
the Office with the decree's time limits, and an erasure that leaves no name or account anywhere in the database."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from bot.config import Settings
from bot.domain import DomainError, PermissionDenied, Role
from storage.models import AuditLog, LinkCode, OutboxMessage, Person, PersonErasure, PrivacyRequest, Report
from tests.report_helpers import fill, submit
from tests.world import period_id

CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")
LINK = re.compile(r"https://bot\.example\.vn/f/([A-Za-z0-9_-]+)/(\S+)")
KHTC, VANTHU = 1003, 1002
NOTICE = "Thông báo về dữ liệu cá nhân: Sở Khoa học và Công nghệ xử lý họ tên"


@pytest.fixture
def settings(tmp_path) -> Settings:
    """File links on, so a Zalo user gets the copy as a link."""
    return Settings(_env_file=None, telegram_bot_token="", data_dir=tmp_path, database_url="",
                    public_base_url="https://bot.example.vn")


def texts(sent) -> str:
    return "\n".join(m.text for m in sent)


async def test_the_notice_comes_with_registration_on_telegram_and_on_zalo(sim) -> None:
    sent = await sim.send("vanthu", "/moi truongphong thanhtra Trương Văn Mới")
    code = CODE.search(sent[-1].text).group(1)
    stranger = sim.add_persona("moi", 9100, "Trương Văn Mới")
    sent = [m for m in await sim.send(stranger, f"/start {code}") if m.chat_id == 9100]
    assert NOTICE in sent[-2].text and "xóa sau 7 ngày" in sent[-2].text and "gõ /dulieu" in sent[-2].text
    assert "thi đua – khen thưởng" in sent[-2].text and "Telegram (đặt ở nước ngoài)" in sent[-2].text
    assert "Kính chào đồng chí Trương Văn Mới" in sent[-1].text  # the welcome still ends the exchange

    sent = await sim.send("vanthu", "/moi truongphong qlcn Phạm Thị Zalo")
    code = CODE.search(sent[-1].text).group(1)
    sim.add_zalo_persona("zmoi", "Phạm Thị Zalo")
    said = texts(await sim.send("zmoi", code))
    assert NOTICE in said and said.index(NOTICE) < said.index("Kính chào đồng chí Phạm Thị Zalo")


async def test_mydata_shows_the_persons_own_data_and_sends_a_copy(sim) -> None:
    head = sim.services.people.actor_for("telegram", str(KHTC))
    screen = fill(sim.services, head, sim.services.reports.open(head, period_id(sim.services, "2026-Y")))
    submit(sim.services, head, screen)
    said = texts(await sim.send("khtc", "/dulieu"))
    assert "Họ và tên: Nguyễn Văn An" in said and "Tài khoản Telegram: 1003" in said
    assert "Tài khoản Zalo: chưa liên kết" in said and "1 lần gửi báo cáo" in said
    assert "phản hồi trong 2 ngày làm việc, chỉnh sửa trong 10 ngày và xóa trong 20 ngày" in said
    sent = await sim.send("khtc", "1")  # the typed choice
    [copy] = [m for m in sent if m.document]
    name, content = copy.document
    data = json.loads(content)
    assert name.endswith(".json") and data["person"]["full_name"] == "Nguyễn Văn An"
    assert data["report_versions_submitted"][0]["unit"] == "Phòng Kế hoạch - Tài chính"
    assert data["report_answers"] and all(a["unit"] == "Phòng Kế hoạch - Tài chính" for a in data["report_answers"])
    assert "Nguyễn Thị" not in content.decode()  # nobody else's name (the Office's included)
    with sim.services.db.session() as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "privacy.export")).one().actor_id == head.person_id


async def test_on_zalo_the_copy_is_a_link(sim) -> None:
    head = sim.services.people.actor_for("telegram", str(KHTC))
    sim.switch("khtc", "zalo")
    link_code = sim.services.identity.issue_link_code(head).code
    said = texts(await sim.send("khtc", link_code))
    assert "đã được liên kết" in said
    said = texts(await sim.send("khtc", "/dulieu xuat"))
    found = LINK.search(said)
    assert found and found.group(2).endswith(".json"), said
    opened = sim.zalo.links.open(found.group(1))
    assert opened and json.loads(opened[1])["person"]["zalo_id"] == sim.personas["khtc"].zalo_id


async def test_a_correction_goes_to_the_office_with_the_decrees_time_limits(sim) -> None:
    said = texts(await sim.send("khtc", "/dulieu sua Họ tên đúng là Nguyễn Văn Anh"))
    assert "đã được gửi Phòng Hành chính - Tổng hợp (số 1)" in said
    # Tuesday 24/11/2026: answer by Thursday 26/11 (2 working days), correct by 04/12 (10 days)
    assert "Hạn phản hồi: 26/11/2026 (2 ngày làm việc); hạn chỉnh sửa: 04/12/2026 (10 ngày)" in said
    office = [m for m in sim.api.outbox if m.chat_id == VANTHU][-1]
    assert "Đề nghị số 1: đồng chí Nguyễn Văn An (Trưởng phòng, Phòng Kế hoạch - Tài chính) đề nghị chỉnh sửa" \
        in office.text and "Họ tên đúng là Nguyễn Văn Anh" in office.text and "26/11/2026" in office.text
    again = texts(await sim.send("khtc", "/dulieu sua Một lần nữa"))
    assert "đang được xử lý" in again  # one open request of a kind at a time
    sent = await sim.press("vanthu", office, "Đã tiếp nhận")
    assert "đã tiếp nhận đề nghị chỉnh sửa của đồng chí (số 1)" in texts([m for m in sent if m.chat_id == KHTC])
    said = texts(await sim.send("vanthu", "/dulieu yeucau"))
    assert "Đề nghị số 1" in said and "Phòng HC-TH đã tiếp nhận" in said
    sent = await sim.send("vanthu", "/dulieu xong 1")
    assert "đã chỉnh sửa dữ liệu theo đề nghị" in texts([m for m in sent if m.chat_id == KHTC])
    assert "Không có đề nghị nào" in texts(await sim.send("vanthu", "/dulieu yeucau"))
    assert "Chỉ Phòng Hành chính - Tổng hợp xử lý" in texts(await sim.send("khtc", "/dulieu yeucau"))


def _everything(db, skip: set[str]) -> str:
    """Every value of every row of every table but `skip`, as one text to search."""
    with db.engine.connect() as connection:
        return "\n".join(json.dumps([str(v) for v in row], ensure_ascii=False)
                         for table in SQLModel.metadata.sorted_tables if table.name not in skip
                         for row in connection.execute(sa_select(table)))


async def test_erasure_removes_every_identifier_and_keeps_the_units_report(sim) -> None:
    services = sim.services
    head = services.people.actor_for("telegram", str(KHTC))
    sim.switch("khtc", "zalo")
    assert "đã được liên kết" in texts(await sim.send("khtc", services.identity.issue_link_code(head).code))
    zalo_id = sim.personas["khtc"].zalo_id
    sim.switch("khtc", "telegram")
    screen = fill(services, head, services.reports.open(head, period_id(services, "2026-Y")))
    submit(services, head, screen)
    await sim.send("khtc", "/lienket")  # a fresh linking code is waiting
    await sim.send("khtc", "/vuongmac")
    said = texts(await sim.send("khtc", "/dulieu xoa"))
    assert "/dulieu xoa xacnhan" in said
    said = texts(await sim.send("khtc", "/dulieu xoa xacnhan"))
    assert "hạn xóa dữ liệu: 14/12/2026 (20 ngày)" in said
    said = texts(await sim.send("vanthu", "/dulieu xong 1"))
    assert "Xóa dữ liệu cá nhân của đồng chí Nguyễn Văn An?" in said  # asks first
    sent = await sim.send("vanthu", "/dulieu xong 1 xacnhan")
    assert f"Đề nghị số 1: đã xóa dữ liệu cá nhân của người dùng #{head.person_id}" in texts(sent)
    assert "đã được xóa theo đề nghị" in texts([m for m in sent if m.chat_id == KHTC])

    everything = _everything(services.db, skip={"outboxmessage"})
    for identifier in ("Nguyễn Văn An", str(KHTC), zalo_id):
        assert identifier not in everything, identifier
    with services.db.session() as session:
        person = session.get(Person, head.person_id)
        assert (person.full_name, person.telegram_id, person.zalo_id, person.is_active) == \
            (f"#{head.person_id}", None, None, False)
        assert session.exec(select(LinkCode).where(LinkCode.person_id == head.person_id)).all() == []
        outbox = session.exec(select(OutboxMessage)).all()
        assert not [m for m in outbox if "Nguyễn Văn An" in m.params or zalo_id in m.params]
        to_them = [json.loads(m.params)["text"] for m in outbox if m.chat_key == str(KHTC)]
        assert len(to_them) == 1 and "đã được xóa theo đề nghị" in to_them[0]  # only the farewell
        report = session.exec(select(Report).where(Report.unit_id == head.unit_id)).one()
        assert report.submitted_by == head.person_id and report.version == 1  # the unit's report stays, nameless
        erased = session.get(PersonErasure, head.person_id)
        entry = session.exec(select(AuditLog).where(AuditLog.action == "person.erase")).one()
        assert erased.request_id == 1 and entry.actor_id != head.person_id and entry.after["inbox"] > 0
        assert session.get(PrivacyRequest, 1).state == "done"
    said = texts(await sim.send("vanthu", "/nhatky"))
    assert f"xóa dữ liệu cá nhân của người dùng #{head.person_id}" in said
    assert "chưa được đăng ký" in texts(await sim.send("khtc", "/start"))  # a stranger now


def test_the_service_checks_who_may_do_what(services) -> None:
    office_unit = services.org.office_unit()
    office = services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="7001",
                                        unit_id=office_unit.unit_id)
    head = services.people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id="7002",
                                      unit_id=services.org.find_unit("khtc").unit_id)
    with pytest.raises(PermissionDenied):
        services.privacy.open_requests(head)
    with pytest.raises(PermissionDenied):
        services.privacy.erase(head, office.person_id)
    with pytest.raises(DomainError):
        services.privacy.erase(office, office.person_id)
    with pytest.raises(DomainError):
        services.privacy.request(head, "correct", "🙂")
    request, new = services.privacy.request(head, "erase")
    assert new and request.answer_by == date(2026, 11, 26) and request.due_by == date(2026, 12, 14)
    services.privacy.acknowledge(office, request.request_id)
    with pytest.raises(DomainError):
        services.privacy.acknowledge(office, request.request_id)  # twice: one outcome
    with pytest.raises(DomainError):
        services.privacy.close(office, request.request_id)  # an erasure is closed only by erasing
    services.privacy.erase(office, head.person_id, request.request_id)
    with pytest.raises(DomainError):
        services.privacy.erase(office, head.person_id)  # already erased
    assert services.people.actor_for("telegram", "7002") is None
