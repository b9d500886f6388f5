"""An in-process stand-in for the Telegram Bot API that records every call and answers well-formed results."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 777000111
BOT_USERNAME = "TroLyThiDuaBot"


@dataclass
class SentMessage:
    """One message the bot sent (or edited), as a person would see it."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    document: tuple[str, bytes] | None = None  # (file name, content)
    photo: bytes | None = None
    edited: bool = False

    def button_data(self, label_part: str) -> str:
        """The callback data of the first button whose label contains `label_part`."""
        for row in self.buttons:
            for label, data in row:
                if label_part in label:
                    return data
        raise KeyError(f"no button containing {label_part!r} in {self.buttons!r}")

    @property
    def flat_buttons(self) -> list[tuple[str, str]]:
        return [b for row in self.buttons for b in row]


def _keyboard(markup: Any) -> list[list[tuple[str, str]]]:
    if not markup:
        return []
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [[(b["text"], b.get("callback_data", b.get("url", ""))) for b in row] for row in markup.get("inline_keyboard", [])]


class FakeBotApi(BaseRequest):
    """Answers every Bot API method the bot uses; `blocked` chats answer 403 like a person who blocked the bot."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.outbox: list[SentMessage] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.blocked: set[int] = set()
        self.message_ids = itertools.count(1)
        self.file_ids = itertools.count(1)
        self._now = now

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        self.calls.append((api_method, params))
        chat_id = params.get("chat_id")
        if chat_id is not None and int(chat_id) in self.blocked:
            return 403, json.dumps({"ok": False, "error_code": 403,
                                    "description": "Forbidden: bot was blocked by the user"}).encode()
        result = self._answer(api_method, params, files or {})
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # ---------------------------------------------------------------------------------------------
    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Trợ lý Thi đua", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    def message_json(self, sent: SentMessage) -> dict[str, Any]:
        """A sent message as the Bot API shows it (a callback query carries it)."""
        chat_type = "private" if sent.chat_id > 0 else "group"
        data: dict[str, Any] = {"message_id": sent.message_id, "date": int(self._now()), "from": self._bot_user(),
                                "chat": {"id": sent.chat_id, "type": chat_type, "title": "Nhóm" if chat_type == "group" else None}}
        if sent.document:
            data["document"] = {"file_id": f"doc{sent.message_id}", "file_unique_id": f"d{sent.message_id}",
                                "file_name": sent.document[0]}
            data["caption"] = sent.text
        elif sent.photo is not None:
            data["photo"] = [{"file_id": f"ph{sent.message_id}", "file_unique_id": f"p{sent.message_id}",
                              "width": 800, "height": 600}]
            data["caption"] = sent.text
        else:
            data["text"] = sent.text
        if sent.buttons:
            data["reply_markup"] = {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row]
                                                        for row in sent.buttons]}
        return {k: v for k, v in data.items() if v is not None}

    def _store(self, sent: SentMessage) -> dict[str, Any]:
        self.messages[(sent.chat_id, sent.message_id)] = sent
        self.outbox.append(sent)
        return self.message_json(sent)

    def _answer(self, api_method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if api_method == "getMe":
            return self._bot_user()
        if api_method == "sendMessage":
            return self._store(SentMessage(int(params["chat_id"]), next(self.message_ids), params.get("text", ""),
                                           _keyboard(params.get("reply_markup"))))
        if api_method in ("sendDocument", "sendPhoto"):
            key = "document" if api_method == "sendDocument" else "photo"
            upload = files.get(key) or next(iter(files.values()), None)
            name, content = (upload[0], upload[1]) if upload else (str(params.get(key)), b"")
            sent = SentMessage(int(params["chat_id"]), next(self.message_ids), params.get("caption", "") or "",
                               _keyboard(params.get("reply_markup")))
            if key == "document":
                sent.document = (name, content)
            else:
                sent.photo = content
            return self._store(sent)
        if api_method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            key = (int(params["chat_id"]), int(params["message_id"]))
            old = self.messages.get(key)
            if old is None:
                return True
            text = params.get("text", params.get("caption", old.text))
            edited = SentMessage(old.chat_id, old.message_id, text, _keyboard(params.get("reply_markup")),
                                 old.document, old.photo, edited=True)
            return self._store(edited)
        if api_method == "setMyCommands":
            scope = params.get("scope") or {"type": "default"}
            key = f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code', '')}"
            self.commands[key] = params.get("commands", [])
            return True
        if api_method == "getFile":
            return {"file_id": params.get("file_id"), "file_unique_id": "u", "file_size": 10,
                    "file_path": f"documents/{params.get('file_id')}"}
        if api_method == "getUpdates":
            return []
        return True

    # Helpers for tests and the REPL ---------------------------------------------------------------
    def menu_of(self, chat_id: int) -> list[str]:
        """Command names currently in a person's menu."""
        return [c["command"] for c in self.commands.get(f"chat:{chat_id}:", [])]

    def last_to(self, chat_id: int) -> SentMessage:
        return next(m for m in reversed(self.outbox) if m.chat_id == chat_id)
