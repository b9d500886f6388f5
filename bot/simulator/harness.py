"""Drives the real Application offline: people type, press buttons, send files; the clock moves on command.

The REPL (`python -m bot demo`) and the automated tests both stand on this class.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from telegram import Bot

from bot.app import build_application, prepare_database
from bot.clock import ManualClock
from bot.config import PROJECT_ROOT, Settings
from bot.domain import Role
from bot.i18n import I18n
from bot.services import Services, build_services
from bot.simulator.fake_api import BOT_ID, FakeBotApi, SentMessage
from bot.transport.inbox import Inbox
from bot.transport.policy import TELEGRAM
from bot.transport.recorder import RecordingRequest
from bot.transport.sender import Sender
from bot.transport.telegram import Processor, inbound, telegram_send
from bot.transport.wiring import blocked_hook, message_hook, outcome_hook
from handlers.context import BotApp
from storage.db import Database

DEMO_PEOPLE = PROJECT_ROOT / "config" / "demo_people.yaml"
TICK = timedelta(hours=1)
SIM_GROUP_CHAT_ID = -1000000001  # the leadership group of the simulator


@dataclass(frozen=True)
class Persona:
    key: str
    user_id: int
    name: str
    language_code: str = "vi"


class ChatSimulator:
    """A whole bot on a fake Bot API; `restart()` rebuilds it on the same database, as after a crash.

    Every update takes the live path: stored in the inbox, claimed, processed in one transaction whose calls
    land in the outbox, then the outbox is drained through the sender (deterministically, without pacing).
    """

    def __init__(self, settings: Settings, db: Database, clock: ManualClock, *, migrate: bool = False) -> None:
        self.settings, self.db, self.clock = settings, db, clock
        self.api = FakeBotApi(now=lambda: clock.now().timestamp())
        self.personas: dict[str, Persona] = {}
        self.group_chat_id = SIM_GROUP_CHAT_ID
        self._update_ids = itertools.count(1)
        self._migrate = migrate
        self.i18n = I18n(settings.default_locale)
        self.services: Services = build_services(settings, db, clock)
        self.app: BotApp | None = None
        self.inbox = Inbox(db)
        self.owner = "sim"
        self.processor: Processor | None = None
        self.sender: Sender | None = None
        self._sending_bot: Bot | None = None

    async def start(self) -> None:
        prepare_database(self.settings, self.services, migrate=self._migrate)
        await self._boot()

    async def _boot(self) -> None:
        self.services = build_services(self.settings, self.db, self.clock)
        self.recording = RecordingRequest(self.api, self.db)
        self.app = build_application(self.settings, self.services, self.i18n, request=self.recording, live=False)
        await self.app.initialize()
        self._sending_bot = Bot(self.app.bot.token, request=self.api, get_updates_request=self.api)
        await self._sending_bot.initialize()
        self.processor = Processor(self.app, self.db, self.inbox, self.owner)
        self.sender = Sender(self.db, TELEGRAM, telegram_send(self._sending_bot), self.owner,
                             on_blocked=blocked_hook(self.services), on_outcome=outcome_hook(self.services),
                             on_message=message_hook(self.services))
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.sender.drain()

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.shutdown()
            await self._sending_bot.shutdown()
            self.app = None

    async def restart(self) -> None:
        """Throw the Application away (nothing in memory survives) and build a new one."""
        await self.app.shutdown()
        await self._sending_bot.shutdown()
        await self._boot()

    # People ---------------------------------------------------------------------------------------
    def add_persona(self, key: str, user_id: int, name: str, language_code: str = "vi") -> Persona:
        persona = Persona(key, user_id, name, language_code)
        self.personas[key] = persona
        return persona

    def load_demo_people(self, path: Path = DEMO_PEOPLE) -> None:
        """Register the invented demo people directly (as `python -m bot admin add` would)."""
        entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("people", [])
        for entry in entries:
            unit = self.services.org.find_unit(entry["unit"]) if entry.get("unit") else None
            if self.services.people.actor_for("telegram", str(entry["id"])) is None:
                self.services.people.add_person(full_name=entry["name"], role=Role(entry["role"]),
                                                telegram_id=str(entry["id"]), unit_id=unit.unit_id if unit else None)
            self.add_persona(entry["key"], int(entry["id"]), entry["name"])

    # What people do -------------------------------------------------------------------------------
    def _user(self, persona: Persona) -> dict[str, Any]:
        return {"id": persona.user_id, "is_bot": False, "first_name": persona.name,
                "language_code": persona.language_code}

    def _chat(self, persona: Persona) -> dict[str, Any]:
        return {"id": persona.user_id, "type": "private", "first_name": persona.name}

    async def feed(self, payload: dict[str, Any]) -> list[SentMessage]:
        """Deliver any update, given as the JSON dict Telegram sends (without `update_id`)."""
        return await self._feed(payload)

    async def _feed(self, payload: dict[str, Any]) -> list[SentMessage]:
        before = len(self.api.outbox)
        payload.setdefault("update_id", self._next_update_id())
        self.deliver(payload)
        await self.process()
        return self.api.outbox[before:]

    def _next_update_id(self) -> int:
        """Increasing across restarts on one database, as Telegram's are."""
        return next(self._update_ids)

    def deliver(self, payload: dict[str, Any]) -> bool:
        """What the webhook or the polling loop does on arrival: store, nothing else."""
        return self.inbox.store(inbound(payload))

    async def process(self, drain: bool = True) -> int:
        """Process every claimable update, then send what they queued."""
        count = 0
        while await self.processor.process_next():
            count += 1
        if drain:
            await self.sender.drain()
        return count

    def _message(self, persona: Persona, **content: Any) -> dict[str, Any]:
        return {"message_id": next(self.api.message_ids), "date": int(self.clock.now().timestamp()),
                "chat": self._chat(persona), "from": self._user(persona), **content}

    async def send(self, persona: Persona | str, text: str) -> list[SentMessage]:
        """The person types `text` (commands included) in their private chat with the bot."""
        return await self._feed(self.typed(persona, text))

    def typed(self, persona: Persona | str, text: str, update_id: int | None = None) -> dict[str, Any]:
        """The update Telegram would deliver when the person types `text` (not delivered yet)."""
        persona = self._persona(persona)
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        payload: dict[str, Any] = {"message": self._message(persona, **content)}
        if update_id is not None:
            payload["update_id"] = update_id
        return payload

    def message_payload(self, persona: Persona | str, text: str, chat: dict[str, Any] | None = None,
                        **extra: Any) -> dict[str, Any]:
        """The `message` object of a typed text (a command gets its bot_command entity), in `chat` if given."""
        persona = self._persona(persona)
        content: dict[str, Any] = {"text": text, **extra}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message = self._message(persona, **content)
        if chat is not None:
            message["chat"] = chat
        return message

    async def send_group(self, persona: Persona | str, text: str) -> list[SentMessage]:
        """The person types `text` in the simulator's group chat."""
        chat = {"id": self.group_chat_id, "type": "supergroup", "title": "Lãnh đạo Sở"}
        return await self._feed({"message": self.message_payload(persona, text, chat)})

    async def edit(self, persona: Persona | str, text: str, message_id: int = 1) -> list[SentMessage]:
        """The person edits a message they sent earlier so that it now reads `text`."""
        message = self.message_payload(persona, text, message_id=message_id,
                                       edit_date=int(self.clock.now().timestamp()))
        return await self._feed({"edited_message": message})

    async def forward(self, persona: Persona | str, text: str, sender: Persona | str | None = None) -> list[SentMessage]:
        """The person forwards a text message written by `sender` (another persona, or a hidden user)."""
        origin: dict[str, Any] = {"type": "hidden_user", "sender_user_name": "Ẩn danh",
                                  "date": int(self.clock.now().timestamp()) - 60}
        if sender is not None:
            origin = {"type": "user", "date": origin["date"], "sender_user": self._user(self._persona(sender))}
        return await self._feed({"message": self.message_payload(persona, text, forward_origin=origin)})

    async def send_file(self, persona: Persona | str, file_name: str, mime_type: str = "application/pdf",
                        size: int = 24_000, caption: str | None = None) -> list[SentMessage]:
        persona = self._persona(persona)
        number = next(self.api.file_ids)
        document = {"file_id": f"SIMFILE{number}", "file_unique_id": f"simu{number}", "file_name": file_name,
                    "mime_type": mime_type, "file_size": size}
        extra = {"caption": caption} if caption else {}
        return await self._feed({"message": self._message(persona, document=document, **extra)})

    async def send_photo(self, persona: Persona | str, caption: str | None = None) -> list[SentMessage]:
        persona = self._persona(persona)
        number = next(self.api.file_ids)
        photo = [{"file_id": f"SIMPHOTO{number}", "file_unique_id": f"simp{number}", "width": 1280,
                  "height": 960, "file_size": 180_000}]
        extra = {"caption": caption} if caption else {}
        return await self._feed({"message": self._message(persona, photo=photo, **extra)})

    async def send_sticker(self, persona: Persona | str) -> list[SentMessage]:
        persona = self._persona(persona)
        sticker = {"file_id": "STK", "file_unique_id": "stk", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False, "type": "regular"}
        return await self._feed({"message": self._message(persona, sticker=sticker)})

    async def press(self, persona: Persona | str, message: SentMessage, button: str | int) -> list[SentMessage]:
        """The person presses a button: by its label (or part of it), or by its 1-based number."""
        persona = self._persona(persona)
        flat = message.flat_buttons
        data = flat[button - 1][1] if isinstance(button, int) else message.button_data(button)
        return await self.press_data(persona, data, message)

    async def press_data(self, persona: Persona | str, data: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Deliver a callback query with arbitrary data (stale or forged buttons included)."""
        persona = self._persona(persona)
        message = message or SentMessage(persona.user_id, next(self.api.message_ids), "")
        query = {"id": str(next(self._update_ids)), "from": self._user(persona), "chat_instance": "sim",
                 "data": data, "message": self.api._message(message)}
        return await self._feed({"callback_query": query})

    async def advance(self, delta: timedelta, step: timedelta = TICK) -> list[SentMessage]:
        """Move the clock forward in steps, running the periodic tasks at each step, as the JobQueue would."""
        before = len(self.api.outbox)
        end = self.clock.now() + delta
        while self.clock.now() < end:
            self.clock.set(min(self.clock.now() + step, end))
            await self.app.bot_data.ticker.run_all()
            await self.sender.drain()
        return self.api.outbox[before:]

    async def tick(self) -> list[SentMessage]:
        """Run the periodic tasks once at the current time."""
        before = len(self.api.outbox)
        await self.app.bot_data.ticker.run_all()
        await self.sender.drain()
        return self.api.outbox[before:]

    def _persona(self, persona: Persona | str) -> Persona:
        return self.personas[persona] if isinstance(persona, str) else persona

    @property
    def bot_id(self) -> int:
        return BOT_ID
