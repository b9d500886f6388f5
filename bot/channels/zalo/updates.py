"""Incoming Zalo updates: parsed, checked, and translated into the dict shape of a Telegram Update
(`telegram.Update.de_json` accepts it), so the same handlers serve Zalo.

Zalo sends `{"ok": true, "result": {"event_name": ..., "message": {...}}}` on the webhook and the inner object (or
a list of them) from getUpdates. Ids are strings; the caller supplies the stand-in integers for the person and
chat (bot.services.channels) and the update id (its inbox row). The dedupe key is Zalo's `message_id`, as there
is no update_id.

What the bot's webhook endpoint answers Zalo (`accept`): the secret is checked first, then the body is read.
- wrong or missing `X-Bot-Api-Secret-Token` (or no secret configured): 403, nothing read;
- an empty body or a health probe: 200, no updates;
- a body that is not JSON: 400 (Zalo's own verification treats any non-2xx as a failed delivery, so this is only
  seen by something that is not Zalo);
- otherwise 200 with the parsed messages, which the caller stores in the inbox before answering.

One incoming message decided (`decide`): a Telegram-shaped update for the handlers, or a direct answer (a notice
for a sticker, the current menu again for a number that cannot be applied safely), or nothing (group chats).
The caller (the inbox, per chat and in order) gives the update id and dispatches `update` to the Application;
`answer` is sent with `send_answer`, which also remembers a re-shown menu so its numbers work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from bot.channels.zalo.api import ZaloBotApi
from bot.channels.zalo.render import split_text, stale_menu_text
from bot.i18n import N_, I18n
from bot.services.channels import Address, ChannelAddressService, MenuService
from bot.services.channels.addresses import FILE_PREFIX, callback_id
from bot.text import nfc

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
# A message's `date` (milliseconds) is kept only within these bounds: 2001-09 to 2286-11, far inside a 64-bit
# column. Anything else (a float, a string, 1e400, 10**30) is read as "no date" (0) and the arrival time is used:
# the message is stored and answered, never refused with a 500 (an OverflowError on SQLite's INTEGER).
DATE_MS_MIN, DATE_MS_MAX = 10**12, 10**13
log = logging.getLogger(__name__)

NOTICES = {
    STICKER: N_("I cannot read stickers. Please type your answer."),
    UNSUPPORTED: N_("Zalo did not pass the content of this message on to me. Please type it again as text."),
    "other": N_("I can only read text and photos here. Please type your answer."),
}


@dataclass(frozen=True)
class ZaloIncoming:
    """One message a person sent the bot on Zalo, as far as the documentation describes it."""

    event: str
    message_id: str
    user_id: str
    chat_id: str
    chat_type: str
    display_name: str
    date_ms: int
    text: str | None = None
    photo_url: str | None = None
    caption: str | None = None

    @property
    def dedupe_key(self) -> str:
        return f"zalo:{self.message_id}"

    @property
    def is_private(self) -> bool:
        return self.chat_type == "PRIVATE"


def secret_ok(headers: Any, expected: str) -> bool:
    """The webhook's `X-Bot-Api-Secret-Token` header equals the secret (constant time; no secret, no entry)."""
    if not expected:
        return False
    got = None
    for key, value in (headers.items() if hasattr(headers, "items") else []):
        if str(key).lower() == SECRET_HEADER.lower():
            got = value
    return isinstance(got, str) and hmac.compare_digest(got.encode(), expected.encode())


def unwrap(body: Any) -> list[dict[str, Any]]:
    """The update objects in a webhook body or a getUpdates result (envelope, one object, or a list)."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        body = body["result"]
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list):
        return []
    return [item for item in body if isinstance(item, dict) and ("message" in item or "event_name" in item)]


def _text(value: Any) -> str | None:
    return nfc(value) if isinstance(value, str) else None


def parse(update: dict[str, Any]) -> ZaloIncoming | None:
    """A ZaloIncoming, or None when the update is not a message from a person (bots, malformed data)."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender, chat = message.get("from"), message.get("chat")
    if not isinstance(sender, dict) or not isinstance(chat, dict) or sender.get("is_bot"):
        return None
    user_id, chat_id, message_id = sender.get("id"), chat.get("id"), message.get("message_id")
    if not all(isinstance(v, str) and 0 < len(v.strip()) <= 64 for v in (user_id, chat_id, message_id)):
        return None
    photo = message.get("photo_url") or message.get("photo")  # observed "photo_url"; documented "photo"
    photo = photo if isinstance(photo, str) and photo.startswith(("https://", "http://")) else None
    text = _text(message.get("text"))
    event = update.get("event_name")
    if not isinstance(event, str) or not event:
        # Seen from third-party integrations: an update with no `event_name`. What it carries says what it is.
        event = TEXT if text else IMAGE if photo else ""
    name = next((value for key in ("display_name", "first_name", "name")
                 if isinstance(value := sender.get(key), str) and value.strip()), "")
    return ZaloIncoming(
        event=event, message_id=message_id.strip(), user_id=user_id.strip(),
        chat_id=chat_id.strip(), chat_type=str(chat.get("chat_type") or "PRIVATE").upper(),
        display_name=_text(name) or "", date_ms=date_ms(message.get("date"), message_id),
        text=text, photo_url=photo, caption=_text(message.get("caption")),
    )


def date_ms(value: Any, message_id: str = "") -> int:
    """Zalo's `date` in milliseconds when it is a plausible one, else 0 (logged; the caller uses the arrival)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not math.isfinite(value)) or not DATE_MS_MIN <= value < DATE_MS_MAX:
        if value is not None:
            log.warning("Zalo message %s has an unusable date (%.40r): its arrival time is used",
                        message_id[:64], value)
        return 0
    return int(value)


def notice_for(incoming: ZaloIncoming) -> str | None:
    """The msgid to answer with when the message cannot be passed on (sticker, unsupported...), else None."""
    if incoming.event == TEXT and incoming.text:
        return None
    if incoming.event == IMAGE and incoming.photo_url:
        return None
    return NOTICES.get(incoming.event, NOTICES["other"])


def telegram_int(zalo_id: str) -> int:
    """A stable positive integer (56 bits) for a Zalo message id: Telegram message ids are integers."""
    return int.from_bytes(hashlib.sha256(zalo_id.encode()).digest()[:7], "big") or 1


def photo_file_id(url: str) -> str:
    """The Telegram-side file id of a Zalo photo: its URL, encoded (getFile answers it back as the file path)."""
    return FILE_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def photo_url_of(file_id_or_path: str) -> str | None:
    """The URL inside a `photo_file_id` (also found at the end of a download URL), else None."""
    if FILE_PREFIX not in file_id_or_path:
        return None
    encoded = file_id_or_path.rsplit(FILE_PREFIX, 1)[1].split("/", 1)[0]
    try:
        url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return url if url.startswith(("https://", "http://")) else None


def _people(incoming: ZaloIncoming, user_id: int, chat_id: int, locale: str) -> tuple[dict, dict]:
    name = incoming.display_name or "Zalo"
    user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": locale}
    chat = {"id": chat_id, "type": "private", "first_name": name}
    return user, chat


def message_update(incoming: ZaloIncoming, user_id: int, chat_id: int, update_id: int,
                   locale: str = "vi") -> dict[str, Any]:
    """A Telegram `message` update for a text or photo; a leading "/command" gets its bot_command entity."""
    user, chat = _people(incoming, user_id, chat_id, locale)
    message: dict[str, Any] = {"message_id": telegram_int(incoming.message_id), "date": incoming.date_ms // 1000,
                               "chat": chat, "from": user}
    if incoming.event == IMAGE and incoming.photo_url:
        file_id = photo_file_id(incoming.photo_url)
        message["photo"] = [{"file_id": file_id, "file_unique_id": telegram_int(incoming.photo_url).__format__("x"),
                             "width": 0, "height": 0}]
        if incoming.caption:
            message["caption"] = incoming.caption
    else:
        text = incoming.text or ""
        message["text"] = text
        if text.startswith("/") and len(text) > 1 and not text[1].isspace():
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}]
    return {"update_id": update_id, "message": message}


def callback_update(incoming: ZaloIncoming, user_id: int, chat_id: int, update_id: int, data: str,
                    menu_message_id: int | None, locale: str = "vi") -> dict[str, Any]:
    """A Telegram `callback_query` update: the typed number pressed the button `data` of the menu message."""
    user, chat = _people(incoming, user_id, chat_id, locale)
    menu = {"message_id": menu_message_id or telegram_int(incoming.message_id), "date": incoming.date_ms // 1000,
            "chat": chat, "text": ""}
    return {"update_id": update_id, "callback_query": {
        "id": callback_id(chat_id, incoming.message_id), "from": user, "chat_instance": f"zalo-{chat_id}", "data": data,
        "message": menu}}


# The webhook ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WebhookResult:
    status: int
    messages: list[ZaloIncoming] = field(default_factory=list)
    ignored: int = 0  # update objects that were not a person's message (bots, malformed)


def accept(headers: Any, body: bytes, secret: str) -> WebhookResult:
    """Check and parse one webhook request."""
    if not secret_ok(headers, secret):
        return WebhookResult(403)
    if not body.strip():
        return WebhookResult(200)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return WebhookResult(400)
    updates = unwrap(payload)
    messages = [m for m in (parse(u) for u in updates) if m is not None]
    return WebhookResult(200, messages, len(updates) - len(messages))


# One message decided --------------------------------------------------------------------------------------------------
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
