"""A Telegram Bot API stand-in over real HTTP on 127.0.0.1, for a real bot process that can be killed at any moment.

It feeds scripted updates through getUpdates as Telegram does: long polling, an update stays pending until a later
call confirms it with `offset`, and unconfirmed updates are handed out again to whichever process asks next. It
records every message the bot sends or edits, and which process generation confirmed each update. HTTP is served by
the stand-ins' one server (bot/simulator/http_stand_in.py, on tornado).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from bot.simulator.http_stand_in import Call, StandInServer

BOT_USER = {"id": 777000222, "is_bot": True, "first_name": "Trợ lý Thi đua", "username": "TroLyCrashBot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Sent:
    """One message the bot sent or edited."""

    seq: int
    method: str
    chat_id: int
    text: str
    buttons: list[str] = field(default_factory=list)  # callback data


class BotApiStandIn:
    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []  # updates not yet confirmed, in order
        self.confirmed_by: dict[int, int] = {}  # update id -> generation of the process that confirmed it
        self.handed_to: dict[int, set[int]] = {}  # update id -> generations it was handed to
        self.sent: list[Sent] = []
        self.generation = 0  # the driver bumps it for each new bot process
        self.polls: dict[int, int] = {}  # generation -> getUpdates calls
        self.first_poll_at: dict[int, float] = {}  # generation -> when its process first asked for updates
        self.methods: dict[str, int] = {}
        self._next_update = 1
        self._message_id = 1000
        self._changed = asyncio.Condition()
        self._server = StandInServer(self._serve)

    @property
    def port(self) -> int:
        return self._server.port

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # The driver's side -------------------------------------------------------------------------------
    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update as if a person just did something; returns its update_id."""
        update_id = self._next_update
        self._next_update += 1
        self.pending.append({"update_id": update_id, **update})
        async with self._changed:
            self._changed.notify_all()
        return update_id

    async def wait_for(self, predicate, timeout: float) -> bool:  # noqa: ANN001
        """Wait until `predicate()` holds (re-checked on every request), at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    return predicate()
        return True

    def next_message_id(self) -> int:
        self._message_id += 1
        return self._message_id

    # HTTP ------------------------------------------------------------------------------------------
    async def _serve(self, call: Call) -> tuple[int, dict[str, Any]]:
        return 200, await self._answer(call.method, call.params)

    async def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.methods[method] = self.methods.get(method, 0) + 1
        if method == "getUpdates":
            return {"ok": True, "result": await self._get_updates(params)}
        result: Any = True
        if method == "getMe":
            result = BOT_USER
        elif method in ("sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageCaption"):
            result = self._record(method, params)
        elif method == "getFile":
            result = {"file_id": params.get("file_id"), "file_unique_id": "u", "file_size": 10,
                      "file_path": f"documents/{params.get('file_id')}"}
        elif method == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.pending)}
        async with self._changed:
            self._changed.notify_all()
        return {"ok": True, "result": result}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        generation = self.generation
        self.polls[generation] = self.polls.get(generation, 0) + 1
        self.first_poll_at.setdefault(generation, time.monotonic())
        offset = int(params.get("offset") or 0)
        if offset > 0:  # everything before `offset` is confirmed and never handed out again
            for update in [u for u in self.pending if u["update_id"] < offset]:
                self.confirmed_by[update["update_id"]] = generation
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        async with self._changed:
            self._changed.notify_all()
        timeout = min(float(params.get("timeout") or 0), 5.0)
        await self.wait_for(lambda: bool(self.pending), timeout)
        batch = self.pending[: int(params.get("limit") or 100)]
        for update in batch:
            self.handed_to.setdefault(update["update_id"], set()).add(generation)
        return batch

    def _record(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id") or 0)
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        buttons = [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]
        text = params.get("text") or params.get("caption") or ""
        self.sent.append(Sent(len(self.sent), method, chat_id, text, buttons))
        message_id = int(params.get("message_id") or 0) or self.next_message_id()
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}}
        if method in ("sendDocument", "sendPhoto"):
            message["document"] = {"file_id": f"doc{message_id}", "file_unique_id": f"d{message_id}"}
            message["caption"] = text
        else:
            message["text"] = text or "-"
        return message

