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
from pydantic import SecretStr
from sqlmodel import func, select
from telegram import Bot

from bot.app import Wiring, boot_services
from bot.clock import ManualClock
from bot.config import PROJECT_ROOT, Settings
from bot.domain import Role
from bot.i18n import I18n
from bot.services import Services, build_services
from bot.simulator.fake_api import BOT_ID, FakeBotApi, SentMessage
from bot.transport.inbox import Inbox, Processor
from bot.transport.policy import TELEGRAM
from bot.transport.sender import Sender
from bot.transport.telegram import CHANNEL as TELEGRAM_CHANNEL
from bot.transport.telegram import inbound, telegram_send
from bot.transport.zalo import CHANNEL as ZALO_CHANNEL
from bot.channels.zalo.request import ZaloRequest
from bot.transport.zalo import ZaloSide, zalo_send
from bot.simulator.zalo_fake import TOKEN as ZALO_TOKEN
from bot.simulator.zalo_fake import ZaloFakeApi, ZaloSentMessage, zalo_id
from handlers.context import BotApp
from storage.db import Database
from storage.models import InboxUpdate

DEMO_PEOPLE = PROJECT_ROOT / "config" / "demo_people.yaml"
TICK = timedelta(hours=1)
SIM_GROUP_CHAT_ID = -1000000001  # the leadership group of the simulator


@dataclass(frozen=True)
class Persona:
    """A simulated person: a Telegram user id, and on Zalo a hex id; `channel` is where they type now."""

    key: str
    user_id: int
    name: str
    language_code: str = "vi"
    zalo_id: str = ""
    channel: str = "telegram"


def zalo_choice(text: str, label: str) -> int:
    """The number a Zalo menu shows for the choice whose label contains `label` ("3. ✓ Gửi báo cáo")."""
    for line in text.splitlines():
        number, dot, rest = line.partition(". ")
        if dot and number.strip().isdigit() and label in rest:
            return int(number)
    raise KeyError(f"no numbered choice {label!r} in {text!r}")


def _value(setting: Any) -> str:
    return setting.get_secret_value() if isinstance(setting, SecretStr) else str(setting or "")


class ChatSimulator:
    """A whole bot on a fake Bot API; `restart()` rebuilds it on the same database, as after a crash.

    The process is put together by `Wiring`, as live; only the network is fake. Every update takes the live path:
    stored in the inbox, claimed, processed in one transaction whose calls land in the outbox, then the outbox is
    drained through the sender (deterministically, without pacing).
    Zalo personas write through the stand-in `ZaloFakeApi`: its webhook delivery reaches the same receiver code
    as live (`ZaloSide.receive`), and the "zalo" outbox is drained through `ZaloRequest` to the stand-in.
    """

    def __init__(self, settings: Settings, db: Database, clock: ManualClock, *, migrate: bool = False) -> None:
        zalo = {"zalo_bot_token": SecretStr(ZALO_TOKEN), "zalo_webhook_url": "https://simulator.invalid",
                "zalo_webhook_secret": SecretStr("simulator-zalo-secret")}
        settings = settings.model_copy(update={k: v for k, v in zalo.items() if not _value(getattr(settings, k))})
        self.settings, self.db, self.clock = settings, db, clock
        self.api = FakeBotApi(now=lambda: clock.now().timestamp())
        self.zalo_api = ZaloFakeApi(settings.zalo_bot_token.get_secret_value(),
                                    now=lambda: clock.now().timestamp())
        self.zalo_api.webhook_url = settings.zalo_webhook_url
        self.zalo_api.webhook_secret = settings.zalo_webhook_secret.get_secret_value()
        self.zalo_api.webhook_sink = self._zalo_webhook
        self.personas: dict[str, Persona] = {}
        self.group_chat_id = SIM_GROUP_CHAT_ID
        self._update_ids = itertools.count(1)
        self._migrate = migrate
        self.i18n = I18n.of(settings)
        self.services: Services = build_services(settings, db, clock)
        self.app: BotApp | None = None
        self.inbox = Inbox(db)
        self.owner = "sim"
        self.processor: Processor | None = None
        self.sender: Sender | None = None
        self._sending_bot: Bot | None = None
        self.zalo: ZaloSide | None = None
        self.zalo_processor: Processor | None = None
        self.zalo_sender: Sender | None = None
        self.wiring: Wiring | None = None
        self._zalo_request: ZaloRequest | None = None

    async def start(self) -> None:
        await self._boot(migrate=self._migrate)
        self._continue_ids()

    def _continue_ids(self) -> None:
        """A simulator started again on a database an earlier run used (`make run` twice): Telegram update ids
        continue after the stored ones and Zalo message ids get this run's own prefix. The inbox rightly drops an
        id it has stored (a redelivery), so ids from 1 again made every message typed silently go unanswered."""
        with self.db.session() as session:
            last_row = session.exec(select(func.max(InboxUpdate.id))).one()
            last_update = session.exec(select(func.max(InboxUpdate.seq)).where(InboxUpdate.channel == "telegram")).one()
        if last_row is None:
            return
        self._update_ids = itertools.count((last_update or 0) + 1)  # a Telegram update's seq is its update_id
        self.zalo_api.run = f"r{last_row}-"

    async def _boot(self, migrate: bool = False) -> None:
        """What a process does when it starts (bot.app.Wiring, as live), on the fake Bot API and the Zalo stand-in:
        its own services, the database prepared, the Application, the processors and the two senders."""
        self.services = boot_services(self.settings, self.db, self.clock, migrate=migrate)
        self.zalo = ZaloSide.from_settings(self.settings, self.db, self.clock, self.i18n,
                                           transport=self.zalo_api.transport(),
                                           download=self.zalo_api.media_transport())
        self.wiring = Wiring(self.settings, self.services, self.i18n, self.zalo)
        self.app = self.wiring.application(self.api)
        await self.app.initialize()
        self._sending_bot = Bot(self.app.bot.token, request=self.api, get_updates_request=self.api)
        await self._sending_bot.initialize()
        self.processor, self.zalo_processor = self.wiring.processors(self.app, self.inbox, self.owner)
        self._zalo_request = self.zalo.request()
        self.sender = self.wiring.sender(TELEGRAM_CHANNEL, TELEGRAM, telegram_send(self._sending_bot), self.owner)
        self.zalo_sender = self.wiring.sender(ZALO_CHANNEL, self.zalo.policy, zalo_send(self._zalo_request),
                                              self.owner)
        await self.wiring.started(self.app)
        await self.drain()

    async def drain(self) -> int:
        """Send everything both outboxes hold (without pacing)."""
        return await self.sender.drain() + await self.zalo_sender.drain()

    async def _shutdown(self) -> None:
        await self.app.shutdown()
        await self._sending_bot.shutdown()
        await self._zalo_request.shutdown()  # the sender's; the Application's own is shut down with it

    async def stop(self) -> None:
        if self.app is not None:
            await self._shutdown()
            self.app = None

    async def restart(self) -> None:
        """Throw the Application away (nothing in memory survives) and build a new one."""
        await self._shutdown()
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
        """Process every claimable update of both channels, then send what they queued."""
        count = 0
        while await self.processor.process_next() or await self.zalo_processor.process_next():
            count += 1
        if drain:
            await self.drain()
        return count

    # Zalo -------------------------------------------------------------------------------------------
    def add_zalo_persona(self, key: str, name: str, user_id: int = 0, language_code: str = "vi",
                         zalo_user: str = "") -> Persona:
        """A person who writes on Zalo (`user_id` is the Telegram id they may link later)."""
        known = self.personas.get(key)
        persona = Persona(key, user_id or (known.user_id if known else 0), name, language_code,
                          zalo_user or zalo_id(f"sim-{key}"), "zalo")
        self.personas[key] = persona
        return persona

    def switch(self, persona: Persona | str, channel: str) -> Persona:
        """Where the person types from now on ("telegram" or "zalo"); a Zalo id is made on first use."""
        persona = self._persona(persona)
        zalo = persona.zalo_id or (zalo_id(f"sim-{persona.key}") if channel == "zalo" else "")
        persona = Persona(persona.key, persona.user_id, persona.name, persona.language_code, zalo, channel)
        self.personas[persona.key] = persona
        return persona

    async def _zalo_webhook(self, headers: dict[str, str], body: bytes) -> int:
        """The stand-in's webhook delivery, answered by the live receiver code."""
        status, _stored = self.zalo.receive(self.inbox, headers, body)
        return status

    async def zalo_feed(self, update: dict[str, Any]) -> list[ZaloSentMessage]:
        """Deliver a Zalo update through the webhook, process it, send; returns what Zalo chats received."""
        before = len(self.zalo_api.sent)
        await self.zalo_api.push(update)
        await self.process()
        return self.zalo_api.sent[before:]

    async def zalo_send(self, persona: Persona | str, text: str) -> list[ZaloSentMessage]:
        """The person types `text` in their Zalo chat with the bot."""
        persona = self._persona(persona)
        return await self.zalo_feed(self.zalo_api.user_update(persona.zalo_id, text, name=persona.name))

    async def zalo_send_photo(self, persona: Persona | str, caption: str | None = None) -> list[ZaloSentMessage]:
        """The person sends a photo on Zalo (the stand-in serves its bytes at a public URL)."""
        persona = self._persona(persona)
        url = self.zalo_api.host_photo()
        return await self.zalo_feed(self.zalo_api.user_update(persona.zalo_id, name=persona.name, photo_url=url,
                                                              caption=caption))

    async def zalo_send_sticker(self, persona: Persona | str) -> list[ZaloSentMessage]:
        persona = self._persona(persona)
        return await self.zalo_feed(self.zalo_api.user_update(persona.zalo_id, name=persona.name, sticker="hi"))

    def zalo_texts(self, persona: Persona | str) -> list[str]:
        """Everything the person's Zalo chat shows, oldest first."""
        return self.zalo_api.texts_to(self._persona(persona).zalo_id)

    def _message(self, persona: Persona, **content: Any) -> dict[str, Any]:
        return {"message_id": next(self.api.message_ids), "date": int(self.clock.now().timestamp()),
                "chat": self._chat(persona), "from": self._user(persona), **content}

    async def send(self, persona: Persona | str, text: str) -> list[SentMessage]:
        """The person types `text` (commands included) in their private chat with the bot, on their channel
        (a Zalo persona gets what Zalo chats received: `ZaloSentMessage`s, which also have `.text`)."""
        if self._persona(persona).channel == "zalo":
            return await self.zalo_send(persona, text)
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
        """The person presses a button: by its label (or part of it), or by its 1-based number. On Zalo there are
        no buttons: the person types the number the menu shows for that label."""
        persona = self._persona(persona)
        if persona.channel == "zalo":
            return await self.zalo_send(persona, str(button if isinstance(button, int)
                                                     else zalo_choice(message.text, button)))
        flat = message.flat_buttons
        data = flat[button - 1][1] if isinstance(button, int) else message.button_data(button)
        return await self.press_data(persona, data, message)

    async def press_data(self, persona: Persona | str, data: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Deliver a callback query with arbitrary data (stale or forged buttons included)."""
        persona = self._persona(persona)
        message = message or SentMessage(persona.user_id, next(self.api.message_ids), "")
        query = {"id": str(next(self._update_ids)), "from": self._user(persona), "chat_instance": "sim",
                 "data": data, "message": self.api.message_json(message)}
        return await self._feed({"callback_query": query})

    async def advance(self, delta: timedelta, step: timedelta = TICK) -> list[SentMessage]:
        """Move the clock forward in steps, running the periodic tasks at each step, as the ticker thread does live."""
        before = len(self.api.outbox)
        end = self.clock.now() + delta
        while self.clock.now() < end:
            self.clock.set(min(self.clock.now() + step, end))
            await self.app.bot_data.ticker.run_all()
            await self.drain()
        return self.api.outbox[before:]

    async def tick(self) -> list[SentMessage]:
        """Run the periodic tasks once at the current time."""
        before = len(self.api.outbox)
        await self.app.bot_data.ticker.run_all()
        await self.drain()
        return self.api.outbox[before:]

    def _persona(self, persona: Persona | str) -> Persona:
        return self.personas[persona] if isinstance(persona, str) else persona

    @property
    def bot_id(self) -> int:
        return BOT_ID
