"""/banlamviec (/desk) in a private chat, on Telegram or Zalo: the desk's one-time sign-in link.

Refused in groups (handlers.arrival: `in_groups` is False) and, by the service, for roles without a desk.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.domain import Actor
from bot.i18n import N_
from bot.services.desk import can_use_desk
from handlers.commands import CommandSpec
from handlers.common import registered, reply
from handlers.context import BotApp, BotContext
from handlers.desk import render

COMMANDS = [CommandSpec("banlamviec", "desk", N_("Open the desk in a web browser (a one-time link)"), can_use_desk)]


def login_url(base: str, secret: str) -> str:
    return f"{base}/desk/login/{secret}"


@registered()
async def desk_command(update: Update, context: BotContext, actor: Actor) -> None:
    """A fresh link; an earlier unused one stops working (the service refuses people without a desk)."""
    secret, expires = context.services.desk.issue_link(actor)
    link = login_url(context.bot_data.settings.desk_url, secret)
    await reply(update, context, render.link_text(context.tr(actor.locale), link, expires))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, desk_command))
