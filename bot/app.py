"""The composition root: configuration, database, services and the Telegram application, built in one place."""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.i18n import I18n
from bot.services import Services, build_services
from handlers.commands import publish_default_menus
from handlers.context import AppData, BotApp, BotContext
from handlers.registry import register_all
from storage.db import Database

log = logging.getLogger(__name__)


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
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
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


async def _post_init(app: BotApp) -> None:
    """Publish the strangers' menu."""
    await publish_default_menus(app.bot, app.bot_data.commands, app.bot_data.i18n)


async def _post_shutdown(app: BotApp) -> None:
    app.bot_data.services.db.dispose()


def build_runtime(settings: Settings, clock: Clock | None = None):  # noqa: ANN201
    """Everything for a real deployment: receiver, worker threads and the sender (bot/transport/runtime.py)."""
    from bot.transport.runtime import Runtime

    clock = clock or SystemClock(settings.tz)
    db = Database(settings.effective_database_url)
    services = build_services(settings, db, clock)
    prepare_database(settings, services)
    return Runtime(settings, services, I18n(settings.default_locale))
