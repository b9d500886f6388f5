"""/start: redeem an invite from a deep link, or greet a registered person with their menu."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.domain import Actor
from bot.glossary import person_title
from bot.i18n import N_
from bot.services.invites import RedeemStatus
from handlers.commands import CommandSpec, help_text, publish_menu
from handlers.common import reply, send_stranger_notice, tr_for
from handlers.context import BotApp, BotContext

COMMANDS = [
    CommandSpec("start", "start", N_("Start, or register with an invitation")),
    CommandSpec("trogiup", "help", N_("What I can do for you")),
]

REDEEM_ERRORS = {
    RedeemStatus.UNKNOWN: N_("This invitation link is not valid. Please ask the Administration Office for a new one."),
    RedeemStatus.EXPIRED: N_("This invitation link has expired. Please ask the Administration Office for a new one."),
    RedeemStatus.USED: N_("This invitation link has already been used. Please ask the Administration Office for a new one."),
    RedeemStatus.REVOKED: N_("This invitation link has been cancelled. Please ask the Administration Office for a new one."),
}


def welcome(context: BotContext, actor: Actor) -> str:
    tr = context.tr(actor.locale)
    _ = tr.gettext
    where = person_title(tr, actor.role, actor.unit_name)  # the title by the unit's kind, and the unit once
    return _("Welcome, {name} ({where}).\n\nYou can use these commands:\n{commands}").format(
        name=actor.full_name, where=where, commands=help_text(context, actor, actor.locale))


async def start(update: Update, context: BotContext) -> None:
    """Register through an invite code, or greet a known person."""
    user = update.effective_user
    code = context.args[0] if context.args else ""
    people = context.services.people
    actor = people.actor_for("telegram", str(user.id))
    if code and actor is None:
        locale = context.bot_data.i18n.pick(user.language_code)
        result = context.services.invites.redeem(code[:64], "telegram", str(user.id), user.full_name, locale)
        if result.status in REDEEM_ERRORS:
            _ = tr_for(update, context).gettext
            await reply(update, context, _(REDEEM_ERRORS[result.status]))
            return
        actor = result.actor
    if actor is None:
        await send_stranger_notice(update, context)
        return
    await publish_menu(context, actor)
    await reply(update, context, welcome(context, actor))


async def show_help(update: Update, context: BotContext) -> None:
    """List the commands this person may use."""
    actor = context.services.people.actor_for("telegram", str(update.effective_user.id))
    if actor is None:
        await send_stranger_notice(update, context)
        return
    await reply(update, context, welcome(context, actor))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, start))
    app.add_handler(CommandHandler(COMMANDS[1].names, show_help))
