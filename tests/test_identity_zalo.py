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


async def test_a_code_typed_inside_a_sentence_registers_and_other_text_is_not_read_as_one(sim):
    """Issue 22: "Mã mời của tôi là k7qm-4xpd-9htr ạ" was answered with the stranger notice. A code inside a
    sentence counts when it is written as one (hyphenated groups, or twelve characters with a digit); words that
    happen to make twelve letters, or two different codes, do not."""
    services = sim.services
    office = services.people.actor_for("telegram", str(sim.personas["vanthu"].user_id))
    invite = services.invites.create(office, Role.UNIT_HEAD, services.org.find_unit("qlkh").unit_id, "Trần Thị B")
    sim.add_zalo_persona("b", "Trần Thị B", zalo_user=USER)
    for text in ("Xin chào, thanh tra sở ạ", "keep your bags near", "Mã ABCD-EFGH-JKMN và PQRS-TUVW-XYZ2 ạ"):
        said = await zalo_types(sim, text)
        assert "chưa được đăng ký" in said[-1], (text, said)
    said = await zalo_types(sim, f"Chào đồng chí, mã mời của tôi là {invite.code.lower()} ạ.")
    assert "Kính chào đồng chí Trần Thị B" in said[-1]
    assert services.people.actor_for("zalo", USER) is not None


def test_find_code_reads_only_what_is_written_as_a_code():
    from bot.services.identity.codes import find_code

    assert find_code("mã là K7QM-4XPD-9HTR nhé") == "K7QM4XPD9HTR"
    assert find_code("mã: k7qm - 4xpd - 9htr.") == "K7QM4XPD9HTR"
    assert find_code("(K7QM4XPD9HTR)") == "K7QM4XPD9HTR"
    assert find_code("K7QM 4XPD 9HTR trong câu") is None  # spaced groups: only as the whole message
    assert find_code("ABCDEFGHJKMN là chữ") is None  # twelve letters run together, no digit: a word, not a code
    assert find_code("số 15/KH-SKHCN, 1.234.567.890 đồng") is None
    assert find_code("K7QM-4XPD-9HTR-2222") is None  # part of something longer
    assert find_code("K7QM-4XPD-9HTR hoặc 22QM-4XPD-9HTR") is None  # two codes: never guess
    assert find_code("K7QM-4XPD-9HTR, nhắc lại: k7qm-4xpd-9htr") == "K7QM4XPD9HTR"
