"""The composition root: services, the Application, its processors and the senders, put together in one place.

`Wiring` is the one way a process is assembled: the live runtime (bot/transport/runtime.py), the simulator
(bot/simulator/harness.py) and the tests call it, and differ only in the network they hand it (the Bot API
request, the Zalo transports).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram.ext import Application, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.channels.zalo.request import ChannelRouter
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.i18n import I18n
from bot.services.channels.addresses import zalo_route
from bot.services import Services, build_services
from bot.transport.inbox import Inbox, Processor
from bot.transport.policy import ChannelPolicy
from bot.transport.outbox import RecordingRequest
from bot.transport.sender import Sender, SendFn
from bot.transport.telegram import CHANNEL as TELEGRAM
from bot.transport.telegram import decode as telegram_decode
from bot.transport.wiring import blocked_hook, fallback_hook, message_hook, outcome_hook
from bot.transport.zalo import CHANNEL as ZALO
from bot.transport.zalo import ZaloSide
from handlers.commands import publish_default_menus
from handlers.context import AppData, BotApp, BotContext
from handlers.registry import register_all
from storage.db import Database

log = logging.getLogger(__name__)


def boot_services(settings: Settings, db: Database, clock: Clock, migrate: bool = True) -> Services:
    """What a process does first: its services, on a database made ready (see prepare_database)."""
    services = build_services(settings, db, clock)
    prepare_database(settings, services, migrate=migrate)
    return services


def prepare_database(settings: Settings, services: Services, migrate: bool = True) -> None:
    """Schema up to date, units loaded on first start, default periods and the questionnaires present."""
    if migrate:
        services.db.upgrade()
    if not services.org.has_units() and settings.organization_file.exists():
        services.org.load_file(settings.organization_file)
    services.periods.ensure_defaults()
    # Questionnaire files stored now, committed before any update: the first report started need not do it.
    services.reports.store.sync()


def build_application(
    settings: Settings,
    services: Services,
    i18n: I18n,
    *,
    request: BaseRequest | None = None,
) -> BotApp:
    """The Telegram Application with every handler; `request` is the Bot API it talks to (the outbox recorder live,
    the fake Bot API in the simulator). It has no JobQueue and no rate limiter: periodic tasks run on
    `bot_data.ticker` (stepped by `Runtime._tick` live, by hand in the simulator), and the outbox sender's budget
    paces what leaves (bot/transport/sender.py)."""
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token or "123456:SIMULATOR")
        .context_types(ContextTypes(context=BotContext, bot_data=AppData))
        .defaults(Defaults(tzinfo=settings.tz))
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: BotApp = builder.job_queue(None).build()
    app.bot_data.settings = settings
    app.bot_data.services = services
    app.bot_data.i18n = i18n
    register_all(app)
    return app


@dataclass
class Wiring:
    """How one process is put together, the same live, in the simulator and in tests; only the network differs.

    `zalo` is None for a Telegram-only process (no ZALO_BOT_TOKEN)."""

    settings: Settings
    services: Services
    i18n: I18n
    zalo: ZaloSide | None = None

    def application(self, telegram: BaseRequest) -> BotApp:
        """An Application for one event loop. Its calls become outbox rows, a Zalo chat's for the Zalo sender; its
        reads (getFile, getMe) go to `telegram`, or to Zalo for a Zalo chat."""
        db = self.services.db
        if self.zalo is None:
            request = RecordingRequest(telegram, db, TELEGRAM)
        else:
            request = RecordingRequest(ChannelRouter(telegram, self.zalo.request()), db, TELEGRAM, route=zalo_route)
        app = build_application(self.settings, self.services, self.i18n, request=request)
        if self.zalo is not None:
            self.zalo.add_tasks(app.bot_data.ticker)
        return app

    def processors(self, app: BotApp, inbox: Inbox, owner: str) -> list[Processor]:
        """What claims and processes stored updates with `app`: Telegram's, then Zalo's when Zalo is set up."""
        processors = [Processor(app, self.services.db, inbox, owner, TELEGRAM, telegram_decode)]
        if self.zalo is not None:
            processors.append(Processor(app, self.services.db, inbox, owner, ZALO, self.zalo.decode))
        return processors

    def sender(self, channel: str, policy: ChannelPolicy, send: SendFn, owner: str) -> Sender:
        """The outbox sender of one channel, told back into the services: who blocked the bot, how a reminder or
        a group post ended, where a failed notification goes next, and (Telegram: the status board is edited
        there) the id a post got."""
        services = self.services
        return Sender(services.db, policy, send, owner, on_blocked=blocked_hook(services, channel),
                      on_outcome=outcome_hook(services, channel), on_failed=fallback_hook(services, channel),
                      on_message=message_hook(services) if channel == TELEGRAM else None,
                      lease_seconds=self.settings.sender_lease_seconds, clock=services.clock)

    async def started(self, app: BotApp) -> None:
        """Once per process start: the strangers' command menu."""
        await publish_default_menus(app.bot, app.bot_data.commands, app.bot_data.i18n)


def build_runtime(settings: Settings, clock: Clock | None = None, migrate: bool = True):  # noqa: ANN201
    """Everything for a real deployment: receiver, worker threads and the sender, or the desk alone
    (bot/transport/runtime.py); the desk process does not migrate (`migrate=False`: the bot process does)."""
    from bot.transport.runtime import Runtime

    clock = clock or SystemClock(settings.tz)
    services = boot_services(settings, Database(settings.effective_database_url), clock, migrate=migrate)
    return Runtime(settings, services, I18n.of(settings))
