"""Typed invitation and linking codes are limited: a few wrong ones per chat, and per channel, within a window.

The count lives in the audit log (every process agrees), which records each wrong code without the chat's id.
On SQLite and PostgreSQL (the `db` fixture), in the service, on Telegram and on Zalo.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.domain import Role
from bot.services.identity.base import CodeStatus
from bot.services.identity.service import REFUSED, AttemptLimits, IdentityService
from storage.models import AuditLog
from tests.world import office

WRONG = ["K7QM-4XPD-9HTR", "A2B3-C4D5-E6F7", "M8N9-P2Q3-R4S5", "T6U7-V8W9-X2Y3", "Z4A5-B6C7-D8E9", "F2G3-H4J5-K6M7"]
TOO_MANY_VI = "Thời gian qua đã có quá nhiều lần nhập mã không đúng."


def test_a_chat_gets_a_few_wrong_codes_then_none_until_the_window_passes(services, clock):  # noqa: ANN001
    staff = office(services)
    unit_id = services.org.find_unit("qlkh").unit_id
    code = services.invites.create(staff, Role.UNIT_HEAD, unit_id, "Trần Thị B").code
    identity = services.identity
    for wrong in WRONG[:5]:
        assert identity.redeem_code("telegram", "777001", wrong).status == CodeStatus.UNKNOWN
    assert identity.redeem_code("telegram", "777001", code).status == CodeStatus.TOO_MANY  # not even looked up
    assert identity.redeem_code("telegram", "777001", WRONG[5]).status == CodeStatus.TOO_MANY
    assert services.people.actor_for("telegram", "777001") is None
    assert identity.redeem_code("zalo", "777001", WRONG[5]).status == CodeStatus.UNKNOWN  # another channel's chat
    with services.db.session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.action == REFUSED)).all()
    assert [(r.entity, r.actor_id) for r in rows] == [("telegram", None)] * 5 + [("zalo", None)]
    assert len({r.entity_id for r in rows}) == 2 and all("777001" not in str(r.entity_id) + str(r.after) for r in rows)
    clock.set(clock.now() + timedelta(minutes=16))
    assert identity.redeem_code("telegram", "777001", code).status == CodeStatus.REGISTERED


def test_a_flood_from_many_chats_stops_the_channel(services):  # noqa: ANN001
    identity = IdentityService(services.db, services.clock, services.invites,
                               limits=AttemptLimits(per_chat=5, per_channel=3, window=timedelta(minutes=15)))
    for chat, wrong in zip(("1", "2", "3"), WRONG):
        assert identity.redeem_code("telegram", chat, wrong).status == CodeStatus.UNKNOWN
    assert identity.redeem_code("telegram", "4", WRONG[3]).status == CodeStatus.TOO_MANY
    assert identity.redeem_code("zalo", "4", WRONG[3]).status == CodeStatus.UNKNOWN


def test_the_defaults_are_settings(settings):  # noqa: ANN001
    assert (settings.code_attempts_per_chat, settings.code_attempts_per_channel,
            settings.code_attempts_window_minutes) == (5, 100, 15)


async def test_telegram_and_zalo_strangers_are_told_in_their_language(sim):  # noqa: ANN001
    sim.add_persona("guest", 778001, "Khách")
    for wrong in WRONG[:5]:
        said = await sim.send("guest", wrong)
        assert said[-1].text.startswith("Mã này không hợp lệ"), said[-1].text
    said = await sim.send("guest", WRONG[5])
    assert said[-1].text.startswith(TOO_MANY_VI)
    said = await sim.send("guest", f"/start {WRONG[5]}")  # the deep link is counted alike
    assert said[-1].text.startswith(TOO_MANY_VI)
    sim.add_persona("visitor", 778002, "Visitor", language_code="en")
    for wrong in WRONG[:5]:
        await sim.send("visitor", wrong)
    said = await sim.send("visitor", WRONG[5])
    assert said[-1].text.startswith("Too many wrong codes have been typed lately.")
    sim.add_zalo_persona("z", "Trần Thị Z", zalo_user="9b4e10d3c28e5f66bb12")
    for wrong in WRONG[:5]:
        said = await sim.zalo_send("z", wrong)
        assert "Mã này không hợp lệ" in said[-1].text
    said = await sim.zalo_send("z", WRONG[5])
    assert said[-1].text.startswith(TOO_MANY_VI)
