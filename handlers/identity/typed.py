"""A message that is just a code ("K7QM-4XPD-9HTR"): an invitation typed on Zalo, or a /lienket linking code; from
a stranger, also a sentence with one code in it ("Mã của tôi là K7QM-4XPD-9HTR ạ", `codes.find_code`).

Runs in group -1, before every feature, for texts shaped like a code or holding one (the handler's filter): a stranger's
code is answered here and processing stops; a registered person's text goes on to the features, unless it is a
linking code meant for this chat (then it is answered). Any other text of a stranger is answered by the features'
gate (`handlers.common.registered`: on Zalo, how to type a code).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.services.identity.codes import IN_SENTENCE, TYPED, canonical, find_code
from bot.services.identity.base import CodeStatus
from handlers.common import reply, tr_for
from handlers.context import BotApp, BotContext
from handlers.identity.texts import CODE_REFUSALS
from handlers.start import code_accepted

GROUP = -1
# Answered for registered people too: the code was meant for this chat, and silence would confuse them.
FOR_REGISTERED = (CodeStatus.ALREADY_LINKED, CodeStatus.CONFLICT, CodeStatus.CHANNEL_TAKEN)


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


def register(app: BotApp) -> None:
    shaped = filters.Regex(TYPED) | filters.Regex(IN_SENTENCE)
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & shaped, code_typed),
                    group=GROUP)
