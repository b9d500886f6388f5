"""The real handlers over the Zalo transport and its stand-in, on the simulator's live path: a Zalo stranger
registers by typing the invitation code, then links Telegram with /lienket (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from bot.domain import Role

USER = "8a3f09c2b17d4e55aa01"
CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")


async def zalo_types(sim, text: str) -> list[str]:
    """The Zalo user USER types `text`; what their Zalo chat shows afterwards."""
    return [m.text for m in await sim.zalo_send("b", text)]


async def test_a_zalo_stranger_is_told_to_type_a_code_whatever_they_send(sim):
    """A command, a text or a number from an unregistered Zalo account: the Zalo wording (type your invitation or
    linking code), never the Telegram notice with a stand-in id the Office could do nothing with."""
    sim.add_zalo_persona("b", "Trần Thị B", zalo_user=USER)
    for text in ("/baocao", "/tinhhinh", "/start", "Xin chào", "1"):
        said = await zalo_types(sim, text)
        assert said and "Tài khoản Zalo của đồng chí chưa được đăng ký" in said[-1], (text, said)
        assert "Telegram của đồng chí" not in said[-1] and not re.search(r"\d{6,}", said[-1]), (text, said)


async def test_invited_on_zalo_types_the_code_then_links_telegram(sim):
    services = sim.services
    office = services.people.actor_for("telegram", str(sim.personas["vanthu"].user_id))
    invite = services.invites.create(office, Role.UNIT_HEAD, services.org.find_unit("qlkh").unit_id, "Trần Thị B")
    sim.add_zalo_persona("b", "Trần Thị B", zalo_user=USER)

    said = await zalo_types(sim, invite.code.lower())
    assert "Kính chào đồng chí Trần Thị B" in said[-1] and "Phòng Quản lý Khoa học" in said[-1]
    person = services.people.actor_for("zalo", USER)
    assert person.preferred_channel == "zalo" and person.telegram_id is None

    said = await zalo_types(sim, "/lienket")
    assert any("- Zalo: đã liên kết, nhận nhắc việc và thông báo" in t for t in said)
    code = CODE.search("\n".join(said)).group(1)

    sim.add_persona("b_telegram", 9600, "B")
    answered = await sim.send("b_telegram", f"/start {code}")
    assert "Tài khoản Telegram này đã được liên kết" in answered[-1].text
    linked = services.people.actor_for("telegram", "9600")
    assert linked.person_id == person.person_id and linked.zalo_id == USER

    said = await zalo_types(sim, "/lienket")
    assert any("/lienket bo telegram" in t for t in said)
    said = await zalo_types(sim, "/lienket uutien telegram")
    assert "gửi đến đồng chí qua Telegram" in said[-1]
    assert services.people.recipient(person.person_id).preferred_channel == "telegram"
