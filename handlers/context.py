"""The typed callback context and the application data every handler reads (PTB's contexttypesbot style)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.domain import Actor
from bot.i18n import I18n, Translator
from bot.services import Services
from bot.services.dialogs import Dialog
from bot.ticker import Ticker

if TYPE_CHECKING:
    from handlers.commands import CommandSpec


@dataclass(frozen=True)
class DialogRoute:
    """How a feature answers the typed text (and optionally the file) that its pending dialog waits for."""

    on_text: Callable[[Update, "BotContext", Actor, Dialog], Awaitable[None]]
    on_file: Callable[[Update, "BotContext", Actor, Dialog], Awaitable[None]] | None = None


class AppData:
    """Application-wide objects, set once by the composition root (this is PTB's bot_data)."""

    settings: Settings
    services: Services
    i18n: I18n
    ticker: Ticker

    def __init__(self) -> None:
        self.commands: list[CommandSpec] = []
        self.dialog_routes: dict[str, DialogRoute] = {}
        self.ticker = Ticker()


class BotContext(CallbackContext[ExtBot, dict, dict, AppData]):
    """CallbackContext with typed access to services, settings and translations."""

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    def tr(self, locale: str | None) -> Translator:
        return self.bot_data.i18n.get(locale)


BotApp = Application[ExtBot, BotContext, dict, dict, AppData, object]
