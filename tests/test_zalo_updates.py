"""Incoming Zalo updates become Telegram-shaped updates; stand-in ids are stable; a typed bare number presses the
button of the last menu, and only when that is safe (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.channels.zalo.updates import (
    IMAGE, ZaloIncoming, callback_update, message_update, notice_for, parse, photo_file_id,
    photo_url_of, secret_ok, telegram_int, unwrap,
)
from bot.channels.zalo.render import render_menu, stale_menu_text
from bot.clock import ManualClock
from bot.i18n import I18n
from bot.services.channels import ChannelAddressService, MenuService, bare_number, is_synthetic, synthetic_id
from bot.services.channels.addresses import chat_of_callback
from bot.services.dialogs import DialogService
from bot.simulator.zalo_fake import ZaloFakeApi
from storage.db import Database
from storage.models import Person

USER = "6ede9afa66b88fe6d6a9"
BOT = Bot("123:fake")


def incoming(text: str = "xin chào", **extra) -> ZaloIncoming:
    update = ZaloFakeApi().user_update(USER, text, name="Nguyễn Văn A", **extra)
    parsed = parse(update)
    assert parsed is not None
    return parsed


def test_webhook_envelope_and_documented_fields():
    body = {"ok": True, "result": {"event_name": "message.text.received", "message": {
        "from": {"id": USER, "display_name": "Ted", "is_bot": False},
        "chat": {"id": USER, "chat_type": "PRIVATE"}, "text": "Xin chào", "message_id": "2d758cb5e222177a4e35",
        "date": 1750316131602}}}
    [update] = unwrap(body)
    msg = parse(update)
    assert msg == ZaloIncoming("message.text.received", "2d758cb5e222177a4e35", USER, USER, "PRIVATE", "Ted",
                               1750316131602, text="Xin chào")
    assert msg.dedupe_key == "zalo:2d758cb5e222177a4e35" and msg.is_private and notice_for(msg) is None
    assert unwrap([update, "junk"]) == [update] and unwrap("junk") == [] and unwrap({"ok": True}) == []


@pytest.mark.parametrize("broken", [
    {}, {"message": "x"}, {"message": {"from": {"id": USER}, "chat": {"id": USER}}},
    {"message": {"from": {"id": 5}, "chat": {"id": USER}, "message_id": "m"}},
    {"message": {"from": {"id": USER, "is_bot": True}, "chat": {"id": USER}, "message_id": "m"}},
    {"message": {"from": {"id": "x" * 65}, "chat": {"id": USER}, "message_id": "m"}},
])
def test_malformed_or_bot_updates_are_dropped(broken):
    assert parse(broken) is None


def test_webhook_secret_is_checked_in_constant_time():
    assert secret_ok({"X-Bot-Api-Secret-Token": "s3cret-value"}, "s3cret-value")
    assert secret_ok({"x-bot-api-secret-token": "s3cret-value"}, "s3cret-value")
    assert not secret_ok({"X-Bot-Api-Secret-Token": "wrong"}, "s3cret-value")
    assert not secret_ok({}, "s3cret-value")
    assert not secret_ok({"X-Bot-Api-Secret-Token": ""}, "")  # no secret configured: nothing gets in


def test_text_becomes_a_telegram_message_with_command_entity():
    msg = incoming("/baocao 2026")
    data = message_update(msg, synthetic_id(7), synthetic_id(7), update_id=41)
    update = Update.de_json(data, BOT)
    assert update.update_id == 41 and update.effective_user.id == synthetic_id(7)
    assert update.effective_chat.type == "private" and update.effective_user.first_name == "Nguyễn Văn A"
    assert update.message.text == "/baocao 2026" and update.message.message_id == telegram_int(msg.message_id)
    assert update.message.entities[0].type == "bot_command" and update.message.entities[0].length == len("/baocao")
    assert Update.de_json(message_update(incoming("1"), 1, 1, 2), BOT).message.entities == ()


def test_photo_becomes_a_telegram_photo_whose_file_id_carries_the_url():
    msg = incoming(photo_url="https://photo-stal-1.zdn.vn/a/b.jpg", caption="Ảnh hội nghị")
    assert msg.event == IMAGE and notice_for(msg) is None
    update = Update.de_json(message_update(msg, 5, 5, 1), BOT)
    assert update.message.caption == "Ảnh hội nghị"
    file_id = update.message.photo[-1].file_id
    assert file_id == photo_file_id("https://photo-stal-1.zdn.vn/a/b.jpg")
    assert photo_url_of(f"https://api.telegram.org/file/bot1:x/{file_id}") == "https://photo-stal-1.zdn.vn/a/b.jpg"
    assert photo_url_of("documents/file_1") is None and photo_url_of("zalo-file/!!!") is None


def test_stickers_and_unsupported_get_a_notice():
    assert notice_for(incoming(sticker="abc")) is not None
    assert notice_for(incoming(unsupported=True)) is not None
    assert notice_for(incoming("")) is not None  # an empty text


def test_typed_number_becomes_a_callback_query_that_names_its_chat():
    msg = incoming("2")
    data = callback_update(msg, synthetic_id(3), synthetic_id(3), 9, "rep:a:12:5:n", menu_message_id=777)
    query = Update.de_json(data, BOT).callback_query
    assert query.data == "rep:a:12:5:n" and query.message.message_id == 777
    assert query.from_user.id == synthetic_id(3) and chat_of_callback(query.id) == synthetic_id(3)
    assert chat_of_callback("4242424242") is None


@pytest.mark.parametrize("text,number", [("3", 3), (" 3. ", 3), ("Số 2", 2), ("#12", 12), ("٣", 3), ("3a", None),
                                         ("1, 3", None), ("", None), (None, None), ("1234", None)])
def test_bare_numbers(text, number):
    assert bare_number(text) == number


def test_only_the_addresses_module_tells_a_zalo_chat_by_its_number():
    """docs/ZALO.md, "Addresses": the stand-in rule lives in bot/services/channels/addresses.py alone."""
    root = Path(__file__).resolve().parent.parent
    home = root / "bot" / "services" / "channels" / "addresses.py"
    rule = re.compile(r"1\s*<<\s*60|2\s*\*\*\s*60|SYNTHETIC_BASE|SYNTHETIC_LIMIT")
    elsewhere = [f"{path.relative_to(root)}:{number}" for folder in ("bot", "handlers", "storage")
                 for path in sorted((root / folder).rglob("*.py")) if path != home and "migrations" not in path.parts
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if rule.search(line.split("#", 1)[0])]
    assert elsewhere == []


def test_stand_in_ids_are_stable_and_never_telegram_ids(db: Database, clock: ManualClock):
    addresses = ChannelAddressService(db, clock)
    first = addresses.address_for("zalo", USER, "Ted")
    again = addresses.address_for("zalo", f" {USER} ", "Ted Nguyễn")
    assert again.id == first.id and again.display_name == "Ted Nguyễn"
    assert is_synthetic(first.synthetic_id) and not is_synthetic(2**52) and not is_synthetic(-1001234567890)
    assert not is_synthetic("abc") and not is_synthetic(None)
    assert addresses.by_synthetic(first.synthetic_id) == again
    assert addresses.by_synthetic(123456789) is None and addresses.find("zalo", "nobody") is None
    other = addresses.address_for("zalo", "0000000000aaaaaaaaaa")
    assert other.synthetic_id != first.synthetic_id
    with pytest.raises(ValueError):
        addresses.address_for("viber", USER)
    with pytest.raises(ValueError):
        addresses.address_for("zalo", "   ")


def _person(db: Database, clock: ManualClock, locale: str = "en") -> int:
    with db.session() as session:
        person = Person(full_name="Trần Thị B", zalo_id=USER, locale=locale, role="unit_head",
                        created_at=clock.now(), updated_at=clock.now())
        session.add(person)
        session.flush()
        return person.id


def test_locale_follows_the_registered_person(db: Database, clock: ManualClock):
    addresses = ChannelAddressService(db, clock)
    address = addresses.address_for("zalo", USER)
    assert addresses.locale_of(address) == "vi"
    _person(db, clock, "en")
    assert addresses.locale_of(address) == "en"


def test_number_presses_the_button_of_the_last_menu(db: Database, clock: ManualClock):
    address = ChannelAddressService(db, clock).address_for("zalo", USER)
    menus = MenuService(db, clock)
    assert menus.resolve(address.id, "1").kind == "text"  # no menu yet: an ordinary message
    menus.record(address.id, 501, ["rep:open:1", "rep:open:2"], "Kỳ\n1. A\n2. B", numbered=True, reply=True)
    choice = menus.resolve(address.id, "2")
    assert (choice.kind, choice.data, choice.message_id) == ("choice", "rep:open:2", 501)
    assert menus.resolve(address.id, "xin chào").kind == "text"
    version = menus.record(address.id, 502, ["rep:a:9:1:y"], "Câu 1\n1. Có", numbered=True, reply=True)
    assert version == 2 and menus.resolve(address.id, "1").data == "rep:a:9:1:y"


def test_out_of_range_number_shows_the_current_menu(db: Database, clock: ManualClock):
    address = ChannelAddressService(db, clock).address_for("zalo", USER)
    menus = MenuService(db, clock)
    menus.record(address.id, 501, ["a", "b"], "Menu hiện tại", numbered=True, reply=True)
    stale = menus.resolve(address.id, "3")
    assert (stale.kind, stale.reason, stale.menu_text) == ("stale", "out_of_range", "Menu hiện tại")


def test_a_menu_pushed_on_top_makes_a_number_ambiguous_until_shown_again(db: Database, clock: ManualClock):
    address = ChannelAddressService(db, clock).address_for("zalo", USER)
    menus = MenuService(db, clock)
    menus.record(address.id, 501, ["rep:a:12:5:y", "rep:a:12:5:n"], "Câu 5", numbered=True, reply=True)
    clock.advance(timedelta(minutes=3))
    menus.record(address.id, 502, ["rem:open:3", "rem:later:3"], "Nhắc hạn", numbered=True)  # a pushed reminder
    stale = menus.resolve(address.id, "2")  # the person was answering question 5: never press "later" for them
    assert (stale.kind, stale.reason, stale.menu_text) == ("stale", "ambiguous", "Nhắc hạn")
    menus.record(address.id, 503, ["rem:open:3", "rem:later:3"], "Nhắc hạn", numbered=True, reply=True)
    assert menus.resolve(address.id, "2").data == "rem:later:3"


def test_a_pushed_menu_that_numbers_itself_stays_ambiguous_and_the_stale_answer_is_short(db: Database,
                                                                                         clock: ManualClock):
    """A pushed list tied to its own numbers cannot go on from the reply's: the old rule holds, but the answer
    repeats only the choices, not the whole message."""
    address = ChannelAddressService(db, clock).address_for("zalo", USER)
    menus = MenuService(db, clock)
    menus.record(address.id, 501, ["a", "b"], "Câu 5\n1. A\n2. B", numbered=True, reply=True)
    assert menus.stack_point(address.id) == (1, 2)
    long_text = "Chỉ đạo của Giám đốc Sở: " + "nội dung " * 60 + "\n\n1. Đã nắm\nGõ số để chọn."
    menus.record(address.id, 502, ["esc:ack:7"], long_text, numbered=True)  # not stacked: it numbers itself
    stale = menus.resolve(address.id, "1")
    assert (stale.kind, stale.reason) == ("stale", "ambiguous")
    answer = stale_menu_text(I18n().get("vi"), stale.reason, stale.menu_text)
    assert answer.endswith("\n\n1. Đã nắm") and "nội dung" not in answer
    vi = I18n().get("vi")
    assert render_menu(vi, "Các kỳ:\n1. Sáu tháng", [[("1", "p1")]], first=3).first == 1  # tied to its text
    assert render_menu(vi, "Kỳ", [[("1. Sáu tháng", "p1")]], first=3).first == 1  # to its labels
    assert render_menu(vi, "Chỉ đạo", [[("Đã nắm", "a")]], first=3).text.endswith("3. Đã nắm\nGõ số để chọn.")
    clock.advance(timedelta(minutes=31))
    assert menus.stack_point(address.id) is None  # too old to be still answered


def test_a_stack_lost_to_a_menu_in_between_keeps_the_numbers_as_sent(db: Database, clock: ManualClock):
    address = ChannelAddressService(db, clock).address_for("zalo", USER)
    menus = MenuService(db, clock)
    menus.record(address.id, 501, ["a", "b"], "A", numbered=True, reply=True)
    point = menus.stack_point(address.id)
    menus.record(address.id, 502, ["c"], "C", numbered=True, reply=True)  # another menu came first
    menus.record(address.id, 503, ["d"], "D\n3. d", numbered=True, stacked_on=point)
    assert menus.current(address.id).choices == ("", "", "d")
    assert menus.resolve(address.id, "3").kind == "stale"  # two menus unread: shown again, never guessed
    menus.record(address.id, 504, ["", "", "d"], "D\n3. d", numbered=True, reply=True)
    assert menus.resolve(address.id, "3").data == "d" and menus.resolve(address.id, "1").kind == "stale"


def test_a_message_read_between_two_pushed_menus_clears_the_ambiguity(db: Database, clock: ManualClock):
    address = ChannelAddressService(db, clock).address_for("zalo", USER)
    menus = MenuService(db, clock)
    menus.record(address.id, 1, ["a"], "A", numbered=True)
    assert menus.resolve(address.id, "xin chào").kind == "text"  # the person wrote: what came before is read
    menus.record(address.id, 2, ["b"], "B", numbered=True)
    assert menus.resolve(address.id, "1").data == "b"


def test_numbers_answer_a_pending_question_not_the_menu(db: Database, clock: ManualClock):
    address = ChannelAddressService(db, clock).address_for("zalo", USER)
    person_id = _person(db, clock)
    menus, dialogs = MenuService(db, clock), DialogService(db, clock)
    assert menus.numbered_for(address.id)
    dialogs.set(person_id, "rep_answer", {"report_id": 12, "step": 6})
    assert not menus.numbered_for(address.id)
    menus.record(address.id, 9, ["rep:skip:12:6"], "Câu 6\n- Bỏ qua", numbered=False, reply=True)
    assert menus.resolve(address.id, "12").kind == "text"  # 12 is the answer to question 6
    menus.record(address.id, 10, ["x", "y"], "Numbered", numbered=True, reply=True)
    assert menus.resolve(address.id, "1").kind == "text"  # a question became pending after the menu
    dialogs.clear(person_id)
    assert menus.resolve(address.id, "1").data == "x"


def test_dropped_buttons_clear_only_their_own_menu(db: Database, clock: ManualClock):
    address = ChannelAddressService(db, clock).address_for("zalo", USER)
    menus = MenuService(db, clock)
    menus.record(address.id, 501, ["a"], "A", numbered=True, reply=True)
    assert not menus.clear(address.id, 999)  # an older message's buttons
    assert menus.current(address.id).choices == ("a",)
    assert menus.clear(address.id, 501)
    assert menus.current(address.id) is None and menus.resolve(address.id, "1").kind == "text"


async def test_webhook_checks_the_secret_before_reading_anything():
    from bot.channels.zalo.updates import accept

    fake = ZaloFakeApi()
    received = []

    async def endpoint(headers: dict[str, str], body: bytes) -> int:
        result = accept(headers, body, "s3cret-value")
        received.append(result)
        return result.status

    fake.webhook_sink = endpoint
    status, _body = fake.answer(fake.token, "setWebhook", {"url": "https://bot.example.vn/zalo",
                                                            "secret_token": "s3cret-value"})
    assert status == 200
    assert await fake.push(fake.user_update(USER, "/start")) == 200
    assert [m.text for m in received[-1].messages] == ["/start"]
    assert accept({"X-Bot-Api-Secret-Token": "guess"}, b'{"ok": true}', "s3cret-value").status == 403
    assert accept({}, b"", "s3cret-value").status == 403
    assert accept({"X-Bot-Api-Secret-Token": "s3cret-value"}, b"", "s3cret-value").status == 200
    assert accept({"X-Bot-Api-Secret-Token": "s3cret-value"}, b"{not json", "s3cret-value").status == 400
    bot_message = {"ok": True, "result": {"event_name": "message.text.received", "message": {
        "from": {"id": "b", "is_bot": True}, "chat": {"id": "b"}, "message_id": "m", "text": "x"}}}
    result = accept({"X-Bot-Api-Secret-Token": "s3cret-value"}, json.dumps(bot_message).encode(), "s3cret-value")
    assert (result.status, result.messages, result.ignored) == (200, [], 1)


def test_the_same_new_chat_seen_by_several_workers_gets_one_address(db: Database, clock: ManualClock):
    from concurrent.futures import ThreadPoolExecutor

    addresses = ChannelAddressService(db, clock)
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(lambda _n: addresses.address_for("zalo", "abcdefabcdefabcdef01").id, range(12)))
    assert len(ids) == 1


def test_unreadable_and_group_updates_are_dropped_without_an_answer(db: Database, clock: ManualClock):
    from bot.channels.zalo.updates import decide
    from bot.i18n import I18n

    addresses, menus, i18n = ChannelAddressService(db, clock), MenuService(db, clock), I18n()
    assert decide(None, addresses, menus, i18n, 1).update is None
    group = ZaloFakeApi().user_update(USER, "/start")
    group["message"]["chat"] = {"id": "zgr-d0a1a6afd9c0309e69d1", "chat_type": "GROUP"}
    decided = decide(parse(group), addresses, menus, i18n, 2)
    assert decided.update is None and decided.answer is None and addresses.find("zalo", USER) is None


def test_inactive_people_are_strangers(db: Database, clock: ManualClock):
    addresses = ChannelAddressService(db, clock)
    address = addresses.address_for("zalo", USER)
    person_id = _person(db, clock, "en")
    assert addresses.person_of(address) == (person_id, "en")
    with db.session() as session:
        session.get(Person, person_id).is_active = False
    assert addresses.person_of(address) is None and addresses.locale_of(address) == "vi"
