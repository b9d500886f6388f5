"""The way in: /start (an invitation or a /lienket linking code through a deep link, or the greeting of a registered
person), /trogiup (/help), and a message that is just a code ("K7QM-4XPD-9HTR"): an invitation typed on Zalo, or a
linking code; from a stranger, also a sentence with one code in it ("Mã của tôi là K7QM-4XPD-9HTR ạ",
`codes.find_code`).

Typed codes are looked at in group -1, before every feature, for texts shaped like a code or holding one (the
handler's filter): a stranger's code is answered here and processing stops; a registered person's text goes on to the
features, unless it is a linking code meant for this chat (then it is answered). Any other text of a stranger is
answered by the features' gate (`handlers.common.registered`: on Zalo, how to type a code).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from bot.domain import Actor
from bot.i18n import N_
from bot.services.identity.base import CodeStatus
from bot.services.identity.codes import IN_SENTENCE, TYPED, canonical, find_code
from handlers.commands import CommandSpec, help_text, publish_menu
from handlers.common import reply, send_stranger_notice, tr_for
from handlers.context import BotApp, BotContext
from handlers.identity.render import CODE_REFUSALS, INVITE_REFUSALS, accepted, welcome
from handlers.privacy.render import notice

COMMANDS = [
    CommandSpec("start", "start", N_("Start, or register with an invitation")),
    CommandSpec("trogiup", "help", N_("What I can do for you")),
]
CODE_GROUP = -1  # typed codes: before every feature (after the arrival rules, group -2)
# Answered for registered people too: the code was meant for this chat, and silence would confuse them.
FOR_REGISTERED = (CodeStatus.ALREADY_LINKED, CodeStatus.CONFLICT, CodeStatus.CHANNEL_TAKEN)


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
    await reply(update, context, welcome(context.tr(actor.locale), actor, help_text(context, actor, actor.locale)))


async def code_typed(update: Update, context: BotContext) -> None:
    """Redeem a typed code for a stranger; let every other message through to the features."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services = context.services
    code = message.text if canonical(message.text) is not None else None
    within = find_code(message.text) if code is None else None  # "Mã của tôi là K7QM-4XPD-9HTR ạ"
    if code is None and within is None:
        return  # shaped like a code, but not one (a letter outside the alphabet): an ordinary text
    channel, external_id = services.addresses.speaker(user.id)
    known = services.people.actor_for(channel, external_id)
    if code is None:
        if known is not None:
            return  # a registered person's sentence goes on to the features, whatever it contains
        code = within  # a stranger's sentence with a code in it: the code is what they came to type
    locale = known.locale if known else context.bot_data.i18n.pick(user.language_code)
    result = services.identity.redeem_code(channel, external_id, code, user.full_name, locale)
    if known is not None and result.status not in FOR_REGISTERED:
        return  # ordinary text of a registered person (an answer that happens to look like a code)
    if result.status in (CodeStatus.REGISTERED, CodeStatus.LINKED) and result.actor is not None:
        await code_accepted(update, context, result.actor, linked=result.status == CodeStatus.LINKED)
    else:
        _ = tr_for(update, context, known).gettext
        await reply(update, context, _(CODE_REFUSALS.get(result.status, CODE_REFUSALS[CodeStatus.UNKNOWN])))
    raise ApplicationHandlerStop


async def code_accepted(update: Update, context: BotContext, actor: Actor, linked: bool) -> None:
    """After an invitation or linking code worked: the command menu, on registration the notice about personal
    data (Luật Bảo vệ dữ liệu cá nhân), then the welcome (and what was linked)."""
    tr = context.tr(actor.locale)
    await publish_menu(context, actor)
    if not linked:
        await reply(update, context, notice(tr, context.settings))
    channel = context.services.addresses.speaker(update.effective_user.id)[0] if linked else None
    await reply(update, context, accepted(tr, actor, help_text(context, actor, actor.locale), channel))


async def show_help(update: Update, context: BotContext) -> None:
    """List the commands this person may use."""
    actor = context.services.people.actor_for(*context.services.addresses.speaker(update.effective_user.id))
    if actor is None:
        await send_stranger_notice(update, context)
        return
    await reply(update, context, welcome(context.tr(actor.locale), actor, help_text(context, actor, actor.locale)))


def register(app: BotApp) -> None:
    shaped = filters.Regex(TYPED) | filters.Regex(IN_SENTENCE)
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & shaped, code_typed),
                    group=CODE_GROUP)
    app.add_handler(CommandHandler(COMMANDS[0].names, start))
    app.add_handler(CommandHandler(COMMANDS[1].names, show_help))
