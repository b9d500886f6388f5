"""One person, two channels through the chat: invitation codes typed on Zalo, /start, /lienket, /nguoidung.

Zalo personas write through the Zalo stand-in and the live inbox/outbox path; their chats appear to the
handlers with stand-in ids (2**60 + address row).
"""

from __future__ import annotations

import re
from datetime import timedelta


CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")


def zalo_persona(sim, key: str, zalo_id: str, name: str):
    """A person writing from Zalo, through the Zalo stand-in."""
    return sim.add_zalo_persona(key, name, zalo_user=zalo_id)


async def test_invited_on_zalo_registers_by_typing_the_code(sim):
    sent = await sim.send("vanthu", "/moi truongphong qlkh Phạm Văn Mới")
    assert "Trên Zalo: nhắn mã" in sent[-1].text and "cho Trợ lý Thi đua" in sent[-1].text
    code = CODE.search(sent[-1].text).group(1)
    assert f"start={code}" in sent[-1].text  # the same code is the Telegram deep-link payload
    moi = zalo_persona(sim, "moi", "7a1f00c3", "Mới")
    sent = await sim.send(moi, code.lower().replace("-", " "))
    assert "Kính chào đồng chí Phạm Văn Mới" in sent[-1].text and "Phòng Quản lý Khoa học" in sent[-1].text
    actor = sim.services.people.actor_for("zalo", "7a1f00c3")
    assert actor.preferred_channel == "zalo" and actor.telegram_id is None
    other = zalo_persona(sim, "khac", "7a1f00c4", "Khác")
    sent = await sim.send(other, code)
    assert "Mã này đã được sử dụng" in sent[-1].text
    assert sim.services.people.actor_for("zalo", "7a1f00c4") is None


async def test_strangers_get_the_notice_unless_they_type_a_code(sim):
    stranger = zalo_persona(sim, "la", "beef01", "Lạ")
    for text in ("xin chào", "/start", "/baocao"):
        sent = await sim.send(stranger, text)
        assert sent, text
    sent = await sim.send(stranger, "xin chào")
    assert "Tài khoản Zalo của đồng chí chưa được đăng ký" in sent[-1].text and "gõ mã đó vào đây" in sent[-1].text
    sent = await sim.send(stranger, "/start")
    assert "Tài khoản Zalo của đồng chí chưa được đăng ký" in sent[-1].text
    sent = await sim.send(stranger, "ABCD-EFGH-JKMN")
    assert "Mã này không hợp lệ" in sent[-1].text
    telegram_stranger = sim.add_persona("tgla", 9300, "Người Lạ")
    sent = await sim.send(telegram_stranger, "abcd efgh jkmn")
    assert "Mã này không hợp lệ" in sent[-1].text


async def test_link_zalo_from_telegram_then_prefer_and_remove(sim):
    sent = await sim.send("khtc", "/lienket")
    text = sent[-1].text
    assert "- Telegram: đã liên kết, nhận nhắc việc và thông báo" in text and "- Zalo: chưa liên kết" in text
    assert "trên Zalo, nhắn mã" in text and "chỉ dùng được một lần" in text
    code = CODE.search(text).group(1)
    zalo = zalo_persona(sim, "khtc_zalo", "c0ffee11", "An Zalo")
    sent = await sim.send(zalo, code)
    assert "Tài khoản Zalo này đã được liên kết" in sent[-1].text
    assert "Kính chào đồng chí Nguyễn Văn An" in sent[-1].text  # same person, same name, role and unit
    on_zalo = sim.services.people.actor_for("zalo", "c0ffee11")
    assert on_zalo == sim.services.people.actor_for("telegram", "1003")
    sent = await sim.send(zalo, code)  # typed again: the code was meant for this chat, already done
    assert "đã được liên kết với hồ sơ" in sent[-1].text

    sent = await sim.send(zalo, "/lienket")
    assert "- Zalo: đã liên kết" in sent[-1].text and "/lienket uutien zalo" in sent[-1].text
    sent = await sim.press(zalo, sent[-1], "Nhận nhắc việc qua Zalo")
    assert "gửi đến đồng chí qua Zalo" in sent[-1].text
    assert sim.services.people.recipient(on_zalo.person_id).preferred_channel == "zalo"

    sent = await sim.send(zalo, "/lienket bỏ telegram")
    assert "Đã gỡ tài khoản Telegram" in sent[-1].text
    assert sim.services.people.actor_for("telegram", "1003") is None
    sent = await sim.send("khtc", "/lienket")
    assert "Tài khoản Telegram của đồng chí chưa được đăng ký" in sent[-1].text
    sent = await sim.send(zalo, "/lienket bo zalo")
    assert "không thể gỡ" in sent[-1].text
    sent = await sim.send(zalo, "/lienket lung tung")
    assert "Trợ lý Thi đua chưa hiểu yêu cầu" in sent[-1].text


async def test_link_telegram_from_zalo_through_start(sim):
    sent = await sim.send("vanthu", "/moi truongphong thanhtra")
    code = CODE.search(sent[-1].text).group(1)
    zalo = zalo_persona(sim, "tt", "d00d01", "Thanh tra Zalo")
    await sim.send(zalo, code)
    sent = await sim.send(zalo, "/lienket")
    assert "- Telegram: chưa liên kết" in sent[-1].text
    link = re.search(r"https://t\.me/TroLyThiDuaBot\?start=(\S+)", sent[-1].text)
    telegram = sim.add_persona("tt_tg", 9400, "Thanh tra")
    sent = await sim.send(telegram, f"/start {link.group(1)}")
    assert "Tài khoản Telegram này đã được liên kết" in sent[-1].text
    person = sim.services.people.actor_for("telegram", "9400")
    assert person.zalo_id == "d00d01" and person.preferred_channel == "zalo"
    assert sim.api.menu_of(9400)  # the Telegram command menu is published for the newly linked account


async def test_a_chat_of_another_person_cannot_be_linked(sim):
    sent = await sim.send("khtc", "/lienket")
    code = CODE.search(sent[-1].text).group(1)
    sent = await sim.send("qlkh", code)  # Phạm Thị Lan's Telegram is hers: refused, code untouched
    assert "đã được đăng ký cho người khác" in sent[-1].text
    zalo = zalo_persona(sim, "an", "abc999", "An")
    sent = await sim.send(zalo, code)
    assert "Tài khoản Zalo này đã được liên kết" in sent[-1].text


async def test_code_shaped_answers_of_registered_people_reach_the_features(sim):
    sent = await sim.send("khtc", "ABCD EFGH JKMN")
    assert "Trợ lý Thi đua chưa hiểu ý đồng chí" in sent[-1].text


async def test_office_removes_a_persons_zalo_account(sim):
    sent = await sim.send("khtc", "/lienket")
    zalo = zalo_persona(sim, "an", "abc123", "An")
    await sim.send(zalo, CODE.search(sent[-1].text).group(1))
    person_id = sim.services.people.actor_for("telegram", "1003").person_id
    sent = await sim.send("vanthu", "/nguoidung")
    assert re.search(rf"#{person_id} Nguyễn Văn An .*\[Telegram, Zalo\]", sent[-1].text)
    assert "/nguoidung bo <số> zalo" in sent[-1].text
    sent = await sim.send("vanthu", f"/nguoidung bo {person_id} zalo")
    assert "Gỡ tài khoản Zalo của đồng chí Nguyễn Văn An" in sent[-1].text
    sent = await sim.press("vanthu", sent[-1], "Gỡ Zalo")
    assert "Đã gỡ tài khoản Zalo của đồng chí Nguyễn Văn An" in sent[-1].text
    assert sim.services.people.actor_for("zalo", "abc123") is None
    sent = await sim.send("vanthu", f"/nguoidung bo {person_id} telegram")
    sent = await sim.press("vanthu", sent[-1], "Gỡ Telegram")
    assert "không thể gỡ" in sent[-1].text
    sent = await sim.send("khtc", "/lienket bo zalo")
    assert "chưa liên kết tài khoản Zalo" in sent[-1].text


async def test_forged_buttons_and_odd_words_get_short_answers(sim):
    sent = await sim.press_data("khtc", "lk:rm:q")
    assert "không còn hiệu lực" in sent[-1].text
    sent = await sim.press_data("khtc", "lk:rm:z")  # nothing to remove: a clear refusal, no crash
    assert "chưa liên kết tài khoản Zalo" in sent[-1].text
    sent = await sim.send("vanthu", "/nguoidung bo 3 viber")
    assert "Không rõ kênh" in sent[-1].text
    sent = await sim.send("vanthu", "/nguoidung bo 999 zalo")
    assert "999" in sent[-1].text
    sent = await sim.press_data("vanthu", "ppl:ui:abc:z")
    assert "không còn hiệu lực" in sent[-1].text
    sent = await sim.send("khtc", "/lienket uu tien zalo")
    assert "chưa liên kết tài khoản Zalo" in sent[-1].text


async def test_an_expired_linking_code_through_start_says_how_to_get_a_new_one(sim):
    sent = await sim.send("khtc", "/lienket")
    code = CODE.search(sent[-1].text).group(1)
    sim.clock.advance(timedelta(minutes=16))
    sent = await sim.send(sim.add_persona("tg2", 9700, "An"), f"/start {code}")
    assert "Mã này đã hết hạn" in sent[-1].text and "/lienket" in sent[-1].text
