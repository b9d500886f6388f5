"""The command list: each feature declares its commands; each person's Telegram menu shows only theirs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.domain import Actor
from bot.i18n import I18n, Translator
from handlers.context import BotContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandSpec:
    """A command with its Vietnamese and English names; `audience` None means strangers see it too.

    `in_groups`: whether it works in a group chat. Only what a group may read (the status board and the chart)
    does; everything personal or administrative is refused there by `handlers.arrival`, with a note.
    """

    vi: str
    en: str
    description: str  # msgid, marked with N_
    audience: Callable[[Actor], bool] | None = None
    in_groups: bool = False

    @property
    def names(self) -> list[str]:
        return [self.vi] if self.vi == self.en else [self.vi, self.en]

    def name_for(self, locale: str) -> str:
        return self.vi if locale == "vi" else self.en


def everyone(_actor: Actor) -> bool:
    return True


def menu_for(specs: Sequence[CommandSpec], tr: Translator, actor: Actor | None) -> list[BotCommand]:
    """The commands one person may use, named and described in their language."""
    visible = [s for s in specs if (s.audience is None) or (actor is not None and s.audience(actor))]
    return [BotCommand(s.name_for(tr.locale), tr.gettext(s.description)) for s in visible]


def stranger_specs(specs: Sequence[CommandSpec]) -> list[CommandSpec]:
    return [s for s in specs if s.audience is None]


async def publish_default_menus(bot, specs: Sequence[CommandSpec], i18n: I18n) -> None:  # noqa: ANN001
    """What strangers see: /start, /help and /language, in Vietnamese (default) and English."""
    try:
        await bot.set_my_commands(menu_for(stranger_specs(specs), i18n.get("vi"), None), scope=BotCommandScopeDefault())
        await bot.set_my_commands(menu_for(stranger_specs(specs), i18n.get("en"), None), scope=BotCommandScopeDefault(),
                                  language_code="en")
    except TelegramError:
        log.exception("could not publish the default command menu")


async def publish_menu(context: BotContext, actor: Actor) -> None:
    """Give one person's private chat exactly the commands of their role, in their language."""
    if not actor.telegram_id:
        return
    commands = menu_for(context.bot_data.commands, context.tr(actor.locale), actor)
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(int(actor.telegram_id)))
    except (TelegramError, ValueError):
        log.exception("could not publish the command menu for person %s", actor.person_id)


def help_text(context: BotContext, actor: Actor | None, locale: str) -> str:
    tr = context.tr(locale)
    lines = [f"/{c.command} - {c.description}" for c in menu_for(context.bot_data.commands, tr, actor)]
    return "\n".join(lines)
