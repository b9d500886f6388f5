"""Bot API calls the handlers make, translated into what Zalo can do (a pure plan; transport.py carries it out).

- sendMessage / editMessageText / editMessageCaption: the text (an edit becomes a new message) with the buttons
  as numbered lines, split into pieces of at most 2,000 characters; the numbered menu is remembered after sending.
- editMessageReplyMarkup: new buttons are sent as a numbered list; no buttons means the old menu is gone.
- sendDocument, and sendPhoto with uploaded bytes: a link from the LinkProvider (a photo by URL when it is one),
  or a note saying where to get the file.
- answerCallbackQuery with a text: the note is sent as a message (Zalo has no pop-ups); without one, nothing.
- sendChatAction: "typing". deleteMessage, pins, command menus: answered locally, nothing reaches Zalo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.channels.zalo.render import (
    LinkProvider, MenuItem, OutgoingFile, RenderedMenu, ZALO_TEXT_LIMIT, file_text, render_menu, size_of, split_text,
)
from bot.i18n import Translator

LOCAL_TRUE = frozenset({
    "deleteMessage", "deleteMessages", "pinChatMessage", "unpinChatMessage", "unpinAllChatMessages",
    "setMyCommands", "deleteMyCommands", "setChatMenuButton", "setMessageReaction", "leaveChat",
})
TEXT_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageCaption"})


@dataclass(frozen=True)
class ZaloSend:
    """One Zalo call: a text, a photo by URL (with an optional caption), or the typing indicator."""

    kind: str  # "text" | "photo" | "typing"
    text: str = ""
    photo_url: str | None = None


@dataclass
class ZaloPlan:
    sends: list[ZaloSend] = field(default_factory=list)
    menu: RenderedMenu | None = None  # remember after the sends succeed (numbered choices only)
    clear_menu_of: int | None = None  # a message whose buttons are gone
    result: Any = True  # the Bot API result when nothing is sent (sends answer with a Message)
    known: bool = True  # False for a method this translation does not know (answered True, logged by the caller)


def keyboard(markup: Any) -> list[list[MenuItem]]:
    """Rows of MenuItem from a reply_markup (dict or JSON string); other keyboards are ignored."""
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return []
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or []
    return [[MenuItem(str(b.get("text", "")), b.get("callback_data"), b.get("url")) for b in row
             if isinstance(b, dict)] for row in rows if isinstance(row, list)]


def _texts(text: str) -> list[ZaloSend]:
    return [ZaloSend("text", piece) for piece in split_text(text, ZALO_TEXT_LIMIT)]


def _upload(files: dict[str, Any], key: str) -> tuple[str, bytes] | None:
    upload = files.get(key) or next(iter(files.values()), None)
    if not upload:
        return None
    name, content = upload[0], upload[1]
    return (name or key), (content if isinstance(content, bytes) else bytes(content or b""))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def plan_call(method: str, params: dict[str, Any], files: dict[str, Any], tr: Translator, numbered: bool,
              links: LinkProvider) -> ZaloPlan:
    """The Zalo calls for one Bot API call to a Zalo chat (`numbered`: whether a menu sent now is numbered)."""
    chat_id = _int(params.get("chat_id")) or 0
    if method in TEXT_METHODS:
        text = str(params.get("text", params.get("caption", "")) or "")
        menu = render_menu(tr, text, keyboard(params.get("reply_markup")), numbered)
        plan = ZaloPlan(_texts(menu.text), menu if menu.choices else None)
        if method != "sendMessage" and not menu.choices:
            plan.clear_menu_of = _int(params.get("message_id"))
        return plan
    if method == "editMessageReplyMarkup":
        rows = keyboard(params.get("reply_markup"))
        if not any(rows):
            return ZaloPlan(clear_menu_of=_int(params.get("message_id")))
        menu = render_menu(tr, tr.gettext("Choices:"), rows, numbered)
        return ZaloPlan(_texts(menu.text), menu if menu.choices else None)
    if method in ("sendDocument", "sendPhoto"):
        return _plan_file(method, params, files, tr, chat_id, links, numbered)
    if method == "answerCallbackQuery":
        note = str(params.get("text") or "").strip()
        return ZaloPlan(_texts(note)) if note else ZaloPlan()
    if method == "sendChatAction":
        return ZaloPlan([ZaloSend("typing")])
    if method == "getFile":
        file_id = str(params.get("file_id", ""))
        return ZaloPlan(result={"file_id": file_id, "file_unique_id": file_id[-16:] or "z", "file_path": file_id})
    return ZaloPlan(known=method in LOCAL_TRUE)


def _plan_file(method: str, params: dict[str, Any], files: dict[str, Any], tr: Translator, chat_id: int,
               links: LinkProvider, numbered: bool) -> ZaloPlan:
    key = "document" if method == "sendDocument" else "photo"
    caption = str(params.get("caption") or "")
    menu = render_menu(tr, caption, keyboard(params.get("reply_markup")), numbered)
    remembered = menu if menu.choices else None
    given = params.get(key)
    if key == "photo" and isinstance(given, str) and given.startswith(("https://", "http://")):
        url: str | None = given
        name = given.rsplit("/", 1)[-1] or "photo"
    else:
        upload = _upload(files, key)
        name = upload[0] if upload else str(given or key)
        url = links.link_for(OutgoingFile(name, upload[1] if upload else b"", chat_id, key)) if upload else None
    if key == "photo" and url:
        if size_of(menu.text) <= ZALO_TEXT_LIMIT:
            return ZaloPlan([ZaloSend("photo", menu.text, url)], remembered)
        return ZaloPlan([ZaloSend("photo", "", url), *_texts(menu.text)], remembered)
    return ZaloPlan(_texts(file_text(tr, name, url, menu.text)), remembered)


def message_result(chat_id: int, message_id: int, date: int, text: str, bot_user: dict[str, Any]) -> dict[str, Any]:
    """The Telegram Message the handlers get back for what was sent (ids are stand-in integers)."""
    return {"message_id": message_id, "date": date, "chat": {"id": chat_id, "type": "private"},
            "from": bot_user, "text": text}
