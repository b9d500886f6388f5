"""The real handlers over the Zalo transport and its stand-in: a Zalo stranger registers by typing the invitation
code, then links Telegram with /lienket (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from telegram import Update

from bot.app import build_application
from bot.channels.zalo.api import ZaloBotApi
from bot.channels.zalo.inbound import decide, send_answer
from bot.channels.zalo.transport import ChannelRouter, ZaloRequest, replying_to
from bot.channels.zalo.updates import parse
from bot.domain import Role
from bot.i18n import I18n
from bot.services import build_services
from bot.services.channels import ChannelAddressService, MenuService
from bot.simulator.fake_api import FakeBotApi
from bot.simulator.zalo_fake import TOKEN, ZaloFakeApi

USER = "8a3f09c2b17d4e55aa01"
CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")


def zalo_world(settings, db, clock):
    """The real application over the Zalo stand-in, and a function that types as the Zalo user USER."""
    services = build_services(settings, db, clock)
    services.org.load_file(settings.organization_file)
    services.periods.ensure_defaults()
    fake, telegram, i18n = ZaloFakeApi(), FakeBotApi(), I18n()
    api = ZaloBotApi(TOKEN, "https://zalo.test", transport=fake.transport())
    addresses, menus = ChannelAddressService(db, clock), MenuService(db, clock)
    router = ChannelRouter(telegram, ZaloRequest(api, addresses, menus, i18n))
    app = build_application(settings, services, i18n, request=router)
    update_ids = iter(range(1, 100))

    async def zalo_types(text: str) -> list[str]:
        before = len(fake.texts_to(USER))
        decided = decide(parse(fake.user_update(USER, text, name="Trần Thị B")), addresses, menus, i18n,
                         next(update_ids))
        if decided.update is not None:
            token = replying_to.set(decided.address.synthetic_id)
            try:
                await app.process_update(Update.de_json(decided.update, app.bot))
            finally:
                replying_to.reset(token)
        await send_answer(api, menus, decided)
        return fake.texts_to(USER)[before:]

    return services, app, api, telegram, zalo_types


async def test_a_zalo_stranger_is_told_to_type_a_code_whatever_they_send(settings, db, clock):
    """A command, a text or a number from an unregistered Zalo account: the Zalo wording (type your invitation or
    linking code), never the Telegram notice with a stand-in id the Office could do nothing with."""
    _services, app, api, _telegram, zalo_types = zalo_world(settings, db, clock)
    await app.initialize()
    try:
        for text in ("/baocao", "/tinhhinh", "/start", "Xin chào", "1"):
            said = await zalo_types(text)
            assert said and "Tài khoản Zalo của đồng chí chưa được đăng ký" in said[-1], (text, said)
            assert "Telegram của đồng chí" not in said[-1] and not re.search(r"\d{6,}", said[-1]), (text, said)
    finally:
        await app.shutdown()
        await api.close()


async def test_invited_on_zalo_types_the_code_then_links_telegram(settings, db, clock):
    services, app, api, telegram, zalo_types = zalo_world(settings, db, clock)
    office_unit = services.org.find_unit("hcth")
    office = services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="1002",
                                        unit_id=office_unit.unit_id)
    invite = services.invites.create(office, Role.UNIT_HEAD, services.org.find_unit("qlkh").unit_id, "Trần Thị B")
    await app.initialize()

    try:
        said = await zalo_types(invite.code.lower())
        assert "Kính chào đồng chí Trần Thị B" in said[-1] and "Phòng Quản lý Khoa học" in said[-1]
        person = services.people.actor_for("zalo", USER)
        assert person.preferred_channel == "zalo" and person.telegram_id is None

        said = await zalo_types("/lienket")
        assert any("- Zalo: đã liên kết, nhận nhắc việc và thông báo" in t for t in said)
        code = CODE.search("\n".join(said)).group(1)

        await app.process_update(Update.de_json({"update_id": 500, "message": {
            "message_id": 1, "date": int(clock.now().timestamp()), "text": f"/start {code}",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": 9600, "type": "private", "first_name": "B"},
            "from": {"id": 9600, "is_bot": False, "first_name": "B", "language_code": "vi"}}}, app.bot))
        assert "Tài khoản Telegram này đã được liên kết" in telegram.last_to(9600).text
        linked = services.people.actor_for("telegram", "9600")
        assert linked.person_id == person.person_id and linked.zalo_id == USER

        said = await zalo_types("/lienket")
        assert any("/lienket bo telegram" in t for t in said)
        said = await zalo_types("/lienket uutien telegram")
        assert "gửi đến đồng chí qua Telegram" in said[-1]
        assert services.people.recipient(person.person_id).preferred_channel == "telegram"
    finally:
        await app.shutdown()
        await api.close()
