"""/lienket (/link): see one's Telegram and Zalo accounts, get a linking code, remove one, choose the preferred one.

Typed forms (every choice can be typed): "/lienket", "/lienket bo zalo", "/lienket uutien telegram".
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Lk, data, parse
from bot.domain import Actor, Button
from bot.i18n import N_
from bot.services.identity.base import CHANNEL_NAMES, Identities
from bot.text import fold
from handlers.commands import CommandSpec, everyone
from handlers.common import answer_query, drop_buttons, registered, reply
from handlers.context import BotApp, BotContext

COMMANDS = [CommandSpec("lienket", "link", N_("Link your Telegram and Zalo accounts"), everyone)]
CHANNEL_WORDS = {"zalo": "zalo", "z": "zalo", "telegram": "telegram", "tele": "telegram", "tg": "telegram",
                 "t": "telegram"}
REMOVE_WORDS = {"bo", "xoa", "go", "huy", "remove", "unlink"}
PREFER_WORDS = {"uutien", "chon", "prefer", "preferred"}
CODES = {"telegram": "t", "zalo": "z"}
CHANNEL_OF_CODE = {code: channel for channel, code in CODES.items()}


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


def status_lines(context: BotContext, actor: Actor, ids: Identities) -> list[str]:
    """Which accounts are linked, and which one receives reminders."""
    _ = context.tr(actor.locale).gettext
    lines = [_("Your accounts with the assistant:")]
    for channel in ("telegram", "zalo"):
        state = _("linked") if ids.has(channel) else _("not linked")
        if ids.has(channel) and ids.preferred_channel == channel:
            state = _("linked, receives reminders and notifications")
        lines.append(f"- {CHANNEL_NAMES[channel]}: {state}")
    return lines


async def show(update: Update, context: BotContext, actor: Actor) -> None:
    """The accounts, a linking code for the missing one, and the typed forms of every choice."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    identity = context.services.identity
    ids = identity.identities(actor.person_id)
    lines = status_lines(context, actor, ids)
    buttons: list[list[Button]] = []
    missing = next((c for c in ("zalo", "telegram") if not ids.has(c)), None)
    if missing is not None:
        code = identity.issue_link_code(actor)
        lines.append("")
        if missing == "zalo":
            lines.append(_("To use the assistant on Zalo as well: on Zalo, send the code {code} to Trợ lý Thi đua.")
                         .format(code=code.code))
        else:
            link = f"https://t.me/{context.bot.username}?start={code.code}"
            lines.append(_("To use the assistant on Telegram as well: open {link} and press Start, or send the "
                           "code {code} to the bot on Telegram.").format(link=link, code=code.code))
        lines.append(_("The code works once, until {time}. Never give it to anyone else.").format(
            time=tr.datetime(code.expires_at)))
    else:
        other = "zalo" if ids.preferred_channel == "telegram" else "telegram"
        lines += ["", _("To receive reminders on {channel} instead, type /link prefer {word}.").format(
            channel=CHANNEL_NAMES[other], word=other)]
        buttons.append([Button(_("Reminders on {channel}").format(channel=CHANNEL_NAMES[other]),
                               data(Lk.PREFER, CODES[other]))])
        for channel in ("telegram", "zalo"):
            lines.append(_("To remove your {channel} account, type /link remove {word}.").format(
                channel=CHANNEL_NAMES[channel], word=channel))
            buttons.append([Button(_("Remove {channel}").format(channel=CHANNEL_NAMES[channel]),
                                   data(Lk.REMOVE, CODES[channel]))])
    await reply(update, context, "\n".join(lines), buttons)


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
