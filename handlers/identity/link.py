"""/lienket (/link): see one's Telegram and Zalo accounts, get a linking code, remove one, choose the preferred one.

Typed forms (every choice can be typed): "/lienket", "/lienket bo zalo", "/lienket uutien telegram".
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Lk, parse
from bot.domain import Actor
from bot.i18n import N_
from bot.services.identity.base import CHANNEL_NAMES
from bot.text import fold
from handlers.commands import CommandSpec, everyone
from handlers.common import answer_query, drop_buttons, registered, reply, reply_out
from handlers.context import BotApp, BotContext
from handlers.identity.render import CHANNEL_OF_CODE, accounts, invite_link

COMMANDS = [CommandSpec("lienket", "link", N_("Link your Telegram and Zalo accounts"), everyone)]
CHANNEL_WORDS = {"zalo": "zalo", "z": "zalo", "telegram": "telegram", "tele": "telegram", "tg": "telegram",
                 "t": "telegram"}
REMOVE_WORDS = {"bo", "xoa", "go", "huy", "remove", "unlink"}
PREFER_WORDS = {"uutien", "chon", "prefer", "preferred"}


def parse_words(words: list[str]) -> tuple[str, str] | None:
    """("remove"|"prefer", channel) from typed words such as "bỏ zalo", "ưu tiên telegram"; None if unclear."""
    folded = fold(" ".join(words)).split()
    if len(folded) < 2 or folded[-1] not in CHANNEL_WORDS:
        return None
    action = "".join(folded[:-1])
    if action in REMOVE_WORDS:
        return "remove", CHANNEL_WORDS[folded[-1]]
    if action in PREFER_WORDS:
        return "prefer", CHANNEL_WORDS[folded[-1]]
    return None


async def show(update: Update, context: BotContext, actor: Actor) -> None:
    """The accounts, a linking code for the missing one, and the typed forms of every choice."""
    identity = context.services.identity
    ids = identity.identities(actor.person_id)
    code = None if ids.has("telegram") and ids.has("zalo") else identity.issue_link_code(actor)
    link = invite_link(context.bot.username, code.code) if code is not None and not ids.has("telegram") else None
    await reply_out(update, context, accounts(context.tr(actor.locale), ids, code, link))


async def act(update: Update, context: BotContext, actor: Actor, action: str, channel: str) -> None:
    """Remove one of the person's own accounts, or make one the preferred channel."""
    _ = context.tr(actor.locale).gettext
    identity = context.services.identity
    if action == "remove":
        ids = identity.unlink(actor, actor.person_id, channel)
        text = _("Your {channel} account has been removed from your profile. Reminders now go to {other}.").format(
            channel=CHANNEL_NAMES[channel], other=CHANNEL_NAMES[ids.preferred_channel])
    else:
        identity.set_preferred(actor, channel)
        text = _("Reminders and notifications will now reach you on {channel}.").format(channel=CHANNEL_NAMES[channel])
    await reply(update, context, text)


@registered()
async def link_command(update: Update, context: BotContext, actor: Actor) -> None:
    """Show the accounts and a linking code; "/link remove zalo" and "/link prefer zalo" act directly."""
    if not context.args:
        await show(update, context, actor)
        return
    parsed = parse_words(context.args)
    if parsed is None:
        _ = context.tr(actor.locale).gettext
        await reply(update, context, _("I did not understand. Type /link to see your accounts, "
                                       "/link remove zalo or /link prefer telegram."))
        return
    await act(update, context, actor, *parsed)


@registered()
async def link_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """A button of /link: remove an account or prefer a channel."""
    await answer_query(update)
    code, fields = parse(update.callback_query.data, Lk) or (None, [])
    channel = CHANNEL_OF_CODE.get(fields[0]) if len(fields) == 1 else None
    if code is None or channel is None:
        await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))
        return
    await drop_buttons(update)
    await act(update, context, actor, "remove" if code == Lk.REMOVE else "prefer", channel)


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, link_command))
    app.add_handler(CallbackQueryHandler(link_pressed, pattern=r"^lk:"))
