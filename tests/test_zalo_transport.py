"""The Zalo transport under a python-telegram-bot Application: handlers written for Telegram talk to a Zalo user
through the local stand-in, by typing only (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.channels.zalo.api import ZaloBotApi
from bot.channels.zalo.render import OutgoingFile, split_text
from bot.channels.zalo.request import ChannelRouter, ZaloRequest, replying_to
from bot.channels.zalo.updates import parse, photo_file_id, Decided, decide, send_answer
from bot.clock import ManualClock
from bot.i18n import I18n
from bot.services.channels import Address, ChannelAddressService, MenuService
from bot.simulator.fake_api import FakeBotApi
from bot.simulator.zalo_fake import TOKEN, ZaloFakeApi
from storage.db import Database
from storage.models import Person

USER = "6ede9afa66b88fe6d6a9"
PHOTO = b"\x89PNG fake chart"


class Links:
    """A link provider that publishes every file under a fixed host."""

    def __init__(self) -> None:
        self.files: list[OutgoingFile] = []

    def link_for(self, file: OutgoingFile) -> str | None:
        self.files.append(file)
        return f"https://bot.example.vn/f/{len(self.files)}/{file.name}"


@dataclass
class Rig:
    fake: ZaloFakeApi
    telegram: FakeBotApi
    bot: Bot
    api: ZaloBotApi
    addresses: ChannelAddressService
    menus: MenuService
    i18n: I18n
    links: Links
    address: Address
    update_ids: int = 0

    def texts(self) -> list[str]:
        return self.fake.texts_to(USER)

    async def arrive(self, app: Application, raw: dict) -> Decided:
        """What the inbox will do: decide, then dispatch the update or send the direct answer."""
        self.update_ids += 1
        decided = decide(parse(raw), self.addresses, self.menus, self.i18n, self.update_ids)
        if decided.update is not None:
            token = replying_to.set(decided.address.synthetic_id)
            try:
                await app.process_update(Update.de_json(decided.update, app.bot))
            finally:
                replying_to.reset(token)
        await send_answer(self.api, self.menus, decided)
        return decided


def photos(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=PHOTO) if request.url.host.endswith("zdn.vn") else httpx.Response(404)


@pytest.fixture
async def rig(db: Database, clock: ManualClock) -> AsyncIterator[Rig]:
    fake = ZaloFakeApi(monthly_quota=40)
    fake.user_update(USER, "hi", name="Trần Thị B")
    api = ZaloBotApi(TOKEN, "https://zalo.test", transport=fake.transport())
    addresses, menus, i18n, links = ChannelAddressService(db, clock), MenuService(db, clock), I18n(), Links()
    with db.session() as session:  # the Zalo user is a registered unit head
        session.add(Person(full_name="Trần Thị B", zalo_id=USER, locale="vi", role="unit_head",
                           created_at=clock.now(), updated_at=clock.now()))
    telegram = FakeBotApi()
    router = ChannelRouter(telegram, ZaloRequest(api, addresses, menus, i18n, links,
                                                 download=httpx.MockTransport(photos)))
    bot = Bot("123:telegram-token", request=router, get_updates_request=telegram)
    await bot.initialize()
    yield Rig(fake, telegram, bot, api, addresses, menus, i18n, links, addresses.address_for("zalo", USER, "B"))
    await bot.shutdown()
    await api.close()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)] for label, data in pairs])


async def test_send_with_buttons_becomes_a_numbered_menu(rig: Rig):
    chat = rig.address.synthetic_id
    sent = await rig.bot.send_message(chat, "Chọn kỳ báo cáo:", reply_markup=keyboard(("Sáu tháng", "rep:open:1"),
                                                                                      ("Năm", "rep:open:2")))
    assert rig.texts() == ["Chọn kỳ báo cáo:\n\n1. Sáu tháng\n2. Năm\nGõ số để chọn."]
    assert sent.chat.id == chat and isinstance(sent.message_id, int)
    menu = rig.menus.current(rig.address.id)
    assert menu.choices == ("rep:open:1", "rep:open:2") and menu.message_id == sent.message_id
    assert not rig.telegram.outbox  # nothing went to Telegram


async def test_telegram_chats_still_go_to_telegram(rig: Rig):
    await rig.bot.send_message(4242, "Telegram", reply_markup=keyboard(("A", "a")))
    assert rig.telegram.last_to(4242).buttons == [[("A", "a")]] and rig.texts() == []


async def test_long_text_is_split_and_edits_become_new_messages(rig: Rig):
    chat = rig.address.synthetic_id
    long = "\n".join(f"{n}. Đơn vị số {n} đã nộp báo cáo đúng hạn, kinh phí 12.345.678 đồng" for n in range(1, 90))
    await rig.bot.send_message(chat, long)
    assert rig.texts() == split_text(long) and len(rig.texts()) > 2 and all(len(t) <= 2000 for t in rig.texts())
    menu = await rig.bot.send_message(chat, "Câu 1", reply_markup=keyboard(("Có", "y"), ("Không", "n")))
    await rig.bot.edit_message_text("Câu 1: đã trả lời Có", chat_id=chat, message_id=menu.message_id)
    assert rig.texts()[-1] == "Câu 1: đã trả lời Có"
    assert rig.menus.current(rig.address.id) is None  # the edited message lost its buttons
    menu = await rig.bot.send_message(chat, "Câu 2", reply_markup=keyboard(("Có", "y2")))
    before = len(rig.fake.sent)
    assert await rig.bot.edit_message_reply_markup(chat_id=chat, message_id=menu.message_id, reply_markup=None)
    assert len(rig.fake.sent) == before and rig.menus.current(rig.address.id) is None  # dropping costs nothing
    await rig.bot.edit_message_reply_markup(chat_id=chat, message_id=menu.message_id, reply_markup=keyboard(("Lại", "r")))
    assert rig.texts()[-1] == "Các lựa chọn:\n\n1. Lại\nGõ số để chọn."


async def test_documents_and_charts_become_links_or_a_note(rig: Rig):
    chat = rig.address.synthetic_id
    await rig.bot.send_document(chat, document=b"PK docx", filename="BaoCao.docx", caption="Báo cáo 6 tháng")
    assert rig.texts()[-1].startswith("Báo cáo 6 tháng\n\nTệp \"BaoCao.docx\": https://bot.example.vn/f/1/BaoCao.docx")
    assert rig.links.files[0].content == b"PK docx" and rig.links.files[0].chat_id == chat
    await rig.bot.send_photo(chat, photo=PHOTO, caption="Biểu đồ tiến độ")
    assert rig.fake.sent[-1].photo.startswith("https://bot.example.vn/f/2/")  # Zalo fetches the photo by URL
    assert rig.fake.sent[-1].text == "Biểu đồ tiến độ" and rig.links.files[1].kind == "photo"
    rig.links.link_for = lambda file: None  # no public address
    await rig.bot.send_document(chat, document=b"xlsx", filename="PhuLuc.xlsx")
    assert "Không gửi được tệp \"PhuLuc.xlsx\" qua Zalo" in rig.texts()[-1]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter.retry_after's type
async def test_block_and_quota_surface_as_telegram_errors(rig: Rig):
    chat = rig.address.synthetic_id
    rig.fake.blocked.add(USER)
    with pytest.raises(Forbidden):
        await rig.bot.send_message(chat, "Nhắc hạn")
    rig.fake.blocked.clear()
    rig.fake.monthly_quota = rig.fake.month_used()
    with pytest.raises(RetryAfter):
        await rig.bot.send_message(chat, "Nhắc hạn")
    with pytest.raises(BadRequest):  # an address nobody created
        await rig.bot.send_message(rig.address.synthetic_id + 1000, "?")


async def test_local_only_calls_never_reach_zalo(rig: Rig):
    chat = rig.address.synthetic_id
    assert await rig.bot.send_chat_action(chat, "typing")
    assert rig.fake.chat_actions == [USER]
    assert await rig.bot.delete_message(chat, 5)
    from telegram import BotCommand, BotCommandScopeChat
    assert await rig.bot.set_my_commands([BotCommand("baocao", "Báo cáo")], scope=BotCommandScopeChat(chat))
    assert rig.fake.sent == []


def build_app(bot: Bot) -> Application:
    """A miniature feature written for Telegram: a menu, a press that edits and answers, typed text, photos."""
    app = Application.builder().bot(bot).updater(None).build()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Chọn việc cần làm:", reply_markup=keyboard(
            ("Báo cáo 6 tháng", "rep:open:1"), ("Báo cáo năm", "rep:open:2")))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Đã ghi nhận")
        await query.edit_message_text(f"Đã chọn {query.data}")

    async def typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"Đã nhận: {update.message.text}")

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        file = await update.message.photo[-1].get_file()
        content = await file.download_as_bytearray()
        await update.message.reply_text(f"Đã lưu ảnh {len(content)} byte: {update.message.caption}")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, typed))
    return app


async def test_handlers_written_for_telegram_serve_a_zalo_user_by_typing(rig: Rig):
    app = build_app(rig.bot)
    await app.initialize()
    try:
        await rig.arrive(app, rig.fake.user_update(USER, "/start"))
        assert rig.texts()[-1].endswith("1. Báo cáo 6 tháng\n2. Báo cáo năm\nGõ số để chọn.")
        await rig.arrive(app, rig.fake.user_update(USER, "2"))
        assert rig.texts()[-2:] == ["Đã ghi nhận", "Đã chọn rep:open:2"]
        assert rig.menus.current(rig.address.id) is None  # the press consumed the menu
        await rig.arrive(app, rig.fake.user_update(USER, "2"))  # no menu any more: just text
        assert rig.texts()[-1] == "Đã nhận: 2"

        await rig.arrive(app, rig.fake.user_update(USER, "/start"))
        await rig.bot.send_message(rig.address.synthetic_id, "Nhắc hạn báo cáo", reply_markup=keyboard(
            ("Mở báo cáo", "rem:open"), ("Nhắc lại sau", "rem:later")))  # pushed while the person reads the menu
        assert rig.texts()[-1].endswith("3. Mở báo cáo\n4. Nhắc lại sau\nGõ số để chọn.")  # numbered on
        await rig.arrive(app, rig.fake.user_update(USER, "4"))  # no number means two things: applied at once
        assert rig.texts()[-1] == "Đã chọn rem:later"

        await rig.arrive(app, rig.fake.user_update(USER, "/start"))
        await rig.arrive(app, rig.fake.user_update(USER, "9"))
        assert rig.texts()[-1].startswith("Số vừa gõ không có trong danh sách hiện tại")

        await rig.arrive(app, rig.fake.user_update(USER, photo_url="https://photo-stal-1.zdn.vn/x.jpg",
                                                   caption="Ảnh hội nghị"))
        assert rig.texts()[-1] == f"Đã lưu ảnh {len(PHOTO)} byte: Ảnh hội nghị"
        await rig.arrive(app, rig.fake.user_update(USER, sticker="abc"))
        assert rig.texts()[-1].startswith("Trợ lý chưa đọc được nhãn dán")
        stranger = "0000000000aaaaaaaaaa"
        before = len(rig.fake.sent)
        decided = await rig.arrive(app, rig.fake.user_update(stranger, sticker="abc"))
        assert decided.update is None and decided.answer is None and len(rig.fake.sent) == before
        assert (await rig.arrive(app, rig.fake.user_update(stranger, "/start"))).update is not None  # to the handlers
        assert rig.fake.refused[400] == 0 and all(len(t) <= 2000 for t in rig.texts())
    finally:
        await app.shutdown()


async def test_photo_download_refuses_what_is_not_a_zalo_photo(rig: Rig):
    file = await rig.bot.get_file(photo_file_id("https://evil.example/x.jpg"))
    with pytest.raises(BadRequest):
        await file.download_as_bytearray()
