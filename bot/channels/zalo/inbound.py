"""One incoming Zalo message, decided: a Telegram-shaped update for the handlers, or a direct answer (a notice
for a sticker, the current menu again for a number that cannot be applied safely), or nothing (group chats).

The caller (the inbox, per chat and in order) gives the update id and dispatches `update` to the Application;
`answer` is sent with `send_answer`, which also remembers a re-shown menu so its numbers work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.channels.zalo.api import ZaloBotApi
from bot.channels.zalo.render import split_text, stale_menu_text
from bot.channels.zalo.updates import ZaloIncoming, callback_update, message_update, notice_for, telegram_int
from bot.i18n import I18n
from bot.services.channels import Address, ChannelAddressService, MenuService


@dataclass(frozen=True)
class Decided:
    dedupe_key: str
    address: Address | None = None
    update: dict[str, Any] | None = None  # to process with the Application
    answer: str | None = None  # to send straight back (already in the person's language)
    menu_choices: tuple[str, ...] = field(default_factory=tuple)  # the re-shown menu's data, when `answer` is one
    menu_text: str = ""  # and its text


def decide(incoming: ZaloIncoming | None, addresses: ChannelAddressService, menus: MenuService, i18n: I18n,
           update_id: int) -> Decided:
    """What to do with one message (marks the chat's menus as read); `None` (an unreadable update) is dropped."""
    if incoming is None:
        return Decided("zalo:unreadable")
    if not incoming.is_private:  # groups are announced, not open: nothing is answered there
        return Decided(incoming.dedupe_key)
    address = addresses.address_for("zalo", incoming.user_id, incoming.display_name)
    person = addresses.person_of(address)
    locale = person[1] if person else i18n.default_locale
    tr = i18n.get(locale)
    resolution = menus.resolve(address.id, incoming.text)
    notice = notice_for(incoming)
    if notice is not None:  # strangers get an answer only through the handlers (invitation codes), not here
        return Decided(incoming.dedupe_key, address, answer=tr.gettext(notice) if person else None)
    chat = address.synthetic_id
    if resolution.kind == "choice" and resolution.data:
        return Decided(incoming.dedupe_key, address, callback_update(
            incoming, chat, chat, update_id, resolution.data, resolution.message_id, locale))
    if resolution.kind == "stale":
        menu = menus.current(address.id)
        answer = stale_menu_text(tr, resolution.reason, resolution.menu_text)
        return Decided(incoming.dedupe_key, address, answer=answer,
                       menu_choices=menu.choices if menu else (), menu_text=resolution.menu_text)
    return Decided(incoming.dedupe_key, address, message_update(incoming, chat, chat, update_id, locale))


async def send_answer(api: ZaloBotApi, menus: MenuService, decided: Decided) -> None:
    """Send `decided.answer` (split to Zalo's size); a re-shown menu becomes the chat's current menu again."""
    if decided.answer is None or decided.address is None:
        return
    last = None
    for piece in split_text(decided.answer):
        last = await api.send_message(decided.address.external_id, piece)
    if last is not None and decided.menu_choices:
        menus.record(decided.address.id, telegram_int(last.message_id), list(decided.menu_choices),
                     decided.menu_text, numbered=True, reply=True)
