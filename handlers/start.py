"""/start: redeem an invitation (or a /lienket linking code) from a deep link, or greet a registered person."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.domain import Actor
from bot.glossary import person_title
from bot.i18n import N_
from bot.services.identity.codes import canonical
from bot.services.identity.base import CodeStatus, RedeemStatus
from handlers.commands import CommandSpec, help_text, publish_menu
from handlers.common import reply, send_stranger_notice, tr_for
from handlers.context import BotApp, BotContext
from handlers.identity.texts import CODE_REFUSALS, LINKED_TEXT
from handlers.privacy.texts import notice

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


INVITE_REFUSALS = {CodeStatus(status.value): text for status, text in REDEEM_ERRORS.items()}


async def start(update: Update, context: BotContext) -> None:
    """Register through an invite code (or link this channel with a /lienket code), or greet a known person."""
    user = update.effective_user
    code = context.args[0] if context.args else ""
    channel, external_id = context.services.addresses.speaker(user.id)
    actor = context.services.people.actor_for(channel, external_id)
    if code and actor is None:
        locale = context.bot_data.i18n.pick(user.language_code)
        result = context.services.identity.redeem_code(channel, external_id, code[:64], user.full_name, locale)
        # Typeable codes (invitations and /lienket codes) get code wording; older invite links keep theirs.
        refusals = CODE_REFUSALS if canonical(code) else INVITE_REFUSALS
        refusal = refusals.get(result.status) or CODE_REFUSALS.get(result.status)
        if refusal is not None:
            _ = tr_for(update, context).gettext
            await reply(update, context, _(refusal))
            return
        await code_accepted(update, context, result.actor, linked=result.status == CodeStatus.LINKED)
        return
    if actor is None:
        await send_stranger_notice(update, context)
        return
    await publish_menu(context, actor)
    await reply(update, context, welcome(context, actor))


async def code_accepted(update: Update, context: BotContext, actor: Actor, linked: bool) -> None:
    """After an invitation or linking code worked: the command menu, on registration the notice about personal
    data (Luật Bảo vệ dữ liệu cá nhân), then the welcome (and what was linked)."""
    await publish_menu(context, actor)
    if not linked:
        await reply(update, context, notice(context.tr(actor.locale), context.settings))
    text = welcome(context, actor)
    if linked:
        channel, _external = context.services.addresses.speaker(update.effective_user.id)
        name = "Zalo" if channel == "zalo" else "Telegram"
        text = context.tr(actor.locale).gettext(LINKED_TEXT).format(channel=name) + "\n\n" + text
    await reply(update, context, text)


async def show_help(update: Update, context: BotContext) -> None:
    """List the commands this person may use."""
    actor = context.services.people.actor_for(*context.services.addresses.speaker(update.effective_user.id))
    if actor is None:
        await send_stranger_notice(update, context)
        return
    await reply(update, context, welcome(context, actor))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, start))
    app.add_handler(CommandHandler(COMMANDS[1].names, show_help))
