"""/nguoidung (/people): who is registered and on which channels; the Office removes someone's access, or one of
their accounts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Ppl, parse
from bot.domain import Actor
from bot.i18n import N_
from bot.services.identity.base import CHANNEL_NAMES
from bot.text import fold
from handlers.commands import CommandSpec
from handlers.common import answer_query, drop_buttons, int_or_none, registered, reply, reply_out
from handlers.context import BotApp, BotContext
from handlers.identity.link import CHANNEL_WORDS, REMOVE_WORDS
from handlers.identity.render import CHANNEL_OF_CODE, people_text, remove_question, unlink_question

COMMANDS = [
    CommandSpec("nguoidung", "people", N_("Registered people; remove someone's access"), lambda a: a.sees_all_units),
]


def _sees_all(actor: Actor) -> bool:
    return actor.sees_all_units


@registered(_sees_all)
async def people_command(update: Update, context: BotContext, actor: Actor) -> None:
    """List registered people; "/people remove <number>" asks to remove one's access, "/people unlink <number>
    zalo" one of their accounts."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    people = context.services.people.list_people(actor)
    if len(context.args) == 3 and fold(context.args[0]) in REMOVE_WORDS and actor.is_office:
        await ask_unlink(update, context, actor, people, context.args[1], context.args[2])
        return
    if len(context.args) == 2 and fold(context.args[0]) in ("xoa", "remove") and actor.is_office:
        person_id = int_or_none(context.args[1].lstrip("#"))
        target = next((p for p in people if p.person_id == person_id), None)
        if target is None:
            await reply(update, context, _("No registered person has number {n}.").format(n=context.args[1]))
            return
        await reply_out(update, context, remove_question(tr, target))
        return
    await reply(update, context, people_text(tr, people, with_actions=actor.is_office))


async def ask_unlink(update: Update, context: BotContext, actor: Actor, people: list, number: str, word: str) -> None:
    """Confirm before the Office removes a person's Telegram or Zalo account."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    person_id = int_or_none(number.lstrip("#"))
    target = next((p for p in people if p.person_id == person_id), None)
    channel = CHANNEL_WORDS.get(fold(word))
    if target is None:
        await reply(update, context, _("No registered person has number {n}.").format(n=number))
        return
    if channel is None:
        await reply(update, context, _("Unknown channel. Choose telegram or zalo."))
        return
    await reply_out(update, context, unlink_question(tr, target, channel))


@registered(lambda a: a.is_office)
async def people_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Confirmed removal of a person's access, or of one of their accounts."""
    await answer_query(update)
    await drop_buttons(update)
    _ = context.tr(actor.locale).gettext
    code, fields = parse(update.callback_query.data, Ppl) or (None, [])
    if (code == Ppl.UNLINK and len(fields) == 2 and (person_id := int_or_none(fields[0]))
            and fields[1] in CHANNEL_OF_CODE):
        channel = CHANNEL_OF_CODE[fields[1]]
        ids = context.services.identity.unlink(actor, person_id, channel)
        await reply(update, context, _("The {channel} account of {name} has been removed.").format(
            channel=CHANNEL_NAMES[channel], name=ids.full_name))
        return
    person_id = int_or_none(fields[0]) if code == Ppl.REMOVE and len(fields) == 1 else None
    if person_id is None:
        await reply(update, context, _("This button is no longer valid."))
        return
    person = context.services.people.deactivate(actor, person_id)
    await reply(update, context, _("{name} can no longer use the bot.").format(name=person.full_name))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, people_command))
    app.add_handler(CallbackQueryHandler(people_pressed, pattern=r"^ppl:"))
