"""Invites: created by the Office only, one use, expiring, safe against two simultaneous redemptions."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest

from bot.domain import PermissionDenied, Role
from bot.services.identity.base import RedeemStatus
from tests.world import office


def test_only_the_office_creates_invites(services):
    unit = services.org.find_unit("khtc")
    head = services.people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id="1003",
                                      unit_id=unit.unit_id)
    with pytest.raises(PermissionDenied):
        services.invites.create(head, Role.UNIT_HEAD, unit.unit_id)


def test_code_fits_a_start_payload(services):
    invite = services.invites.create(office(services), Role.DIRECTOR, None)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", invite.code)


def test_redeem_registers_once(services):
    unit = services.org.find_unit("qlkh")
    invite = services.invites.create(office(services), Role.UNIT_HEAD, unit.unit_id)
    first = services.invites.redeem("telegram", "5001", invite.code, "Phạm Thị Lan", "vi")
    assert first.status == RedeemStatus.OK
    assert first.actor.unit_id == unit.unit_id and first.actor.role == Role.UNIT_HEAD
    again = services.invites.redeem("telegram", "5002", invite.code, "Người khác", "vi")
    assert again.status == RedeemStatus.USED
    assert services.people.actor_for("telegram", "5002") is None


def test_expired_revoked_and_unknown_codes(services, clock):
    admin = office(services)
    expired = services.invites.create(admin, Role.DIRECTOR, None)
    revoked = services.invites.create(admin, Role.DEPUTY_DIRECTOR, None)
    services.invites.revoke(admin, revoked.invite_id)
    assert services.invites.redeem("telegram", "6001", revoked.code, "A", "vi").status == RedeemStatus.REVOKED
    clock.advance(timedelta(hours=73))
    assert services.invites.redeem("telegram", "6002", expired.code, "B", "vi").status == RedeemStatus.EXPIRED
    assert services.invites.redeem("telegram", "6003", "nonsense", "C", "vi").status == RedeemStatus.UNKNOWN


def test_invite_for_a_registered_person_is_not_consumed(services):
    admin = office(services)
    invite = services.invites.create(admin, Role.DIRECTOR, None)
    result = services.invites.redeem("telegram", "1002", invite.code, "Lê Văn Hòa", "vi")
    assert result.status == RedeemStatus.ALREADY_REGISTERED
    assert len(services.invites.list_pending(admin)) == 1


def test_two_simultaneous_redemptions_register_one_person(services):
    invite = services.invites.create(office(services), Role.DIRECTOR, None)
    results: list[RedeemStatus] = []
    barrier = threading.Barrier(2)

    def redeem(user_id: str) -> None:
        barrier.wait()
        results.append(services.invites.redeem("telegram", user_id, invite.code, "X", "vi").status)

    threads = [threading.Thread(target=redeem, args=(uid,)) for uid in ("7001", "7002")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([RedeemStatus.OK, RedeemStatus.USED])


def test_bootstrap_invite_only_while_nobody_administers(services):
    code = services.invites.bootstrap_office_invite()
    assert code
    result = services.invites.redeem("telegram", "8001", code, "Quản trị", "vi")
    assert result.actor.is_office
    assert services.invites.bootstrap_office_invite() is None


async def test_deep_link_flow_in_chat(sim):
    sent = await sim.send("vanthu", "/moi")
    sent = await sim.press("vanthu", sent[-1], "Trưởng phòng")
    sent = await sim.press("vanthu", sent[-1], "Thanh tra Sở")
    link = re.search(r"https://t\.me/TroLyThiDuaBot\?start=([A-Za-z0-9_-]+)", sent[-1].text)
    assert link, sent[-1].text
    stranger = sim.add_persona("moi", 9100, "Trương Văn Mới")
    sent = await sim.send(stranger, f"/start {link.group(1)}")
    assert "Kính chào đồng chí Trương Văn Mới" in sent[-1].text
    assert "Thanh tra Sở" in sent[-1].text
    assert "baocao" in sim.api.menu_of(9100) or "trogiup" in sim.api.menu_of(9100)
    other = sim.add_persona("khac", 9101, "Người Khác")
    sent = await sim.send(other, f"/start {link.group(1)}")
    assert "đã được sử dụng" in sent[-1].text
    assert sim.services.people.actor_for("telegram", "9101") is None


async def test_invite_typed_in_one_line(sim):
    sent = await sim.send("vanthu", "/moi truongphong qlkh Phạm Văn Mới")
    assert "Phòng Quản lý Khoa học" in sent[-1].text and "start=" in sent[-1].text
    sent = await sim.send("vanthu", "/moi nguoila")
    assert "Không rõ vai trò" in sent[-1].text
