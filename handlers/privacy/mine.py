"""/dulieu (/mydata) for everyone registered: what the assistant holds about them, a copy, and requests.

Typed forms (every choice also works by typing): "/dulieu", then 1 / 2 / 3 (4: the Office's list);
"/dulieu xuat", "/dulieu sua <what to correct>", "/dulieu xoa" then "/dulieu xoa xacnhan".
"""

from __future__ import annotations

from telegram import Update

from bot.callbacks import Pv, data
from bot.domain import Actor, Button
from bot.services.privacy.service import RequestInfo
from handlers.common import deliver, reply, reply_out
from handlers.context import BotContext
from handlers.privacy import render

MENU, FIX = "pv_menu", "pv_fix"  # dialogs: a number typed at the menu; the text of a correction


async def show(update: Update, context: BotContext, actor: Actor) -> None:
    """The person's identifiers, what they entered (counted), their rights, and the choices."""
    held = context.services.privacy.summary(actor)
    context.services.dialogs.set(actor.person_id, MENU)
    await reply_out(update, context, render.summary_message(context.tr(actor.locale), held, actor.is_office))


async def send_copy(update: Update, context: BotContext, actor: Actor) -> None:
    """The copy as a JSON document (on Zalo the channel turns it into a short-lived link)."""
    name, content = context.services.privacy.export(actor)
    chat = update.effective_chat.id if update.effective_chat else update.effective_user.id
    await context.bot.send_document(chat, content, filename=name, caption=render.copy_caption(context.tr(actor.locale)))


async def ask_correction(update: Update, context: BotContext, actor: Actor) -> None:
    _ = context.tr(actor.locale).gettext
    context.services.dialogs.set(actor.person_id, FIX)
    await reply(update, context, _("What should be corrected? Write it in one message (for example: \"my name is "
                                   "Nguyễn Văn Anh, not Nguyễn Văn An\"), or /cancel."))


async def ask_erasure(update: Update, context: BotContext, actor: Actor) -> None:
    """Erasure is for good: the person confirms before the request goes to the Office."""
    _ = context.tr(actor.locale).gettext
    await reply(update, context, _(
        "Ask the Administration Office to erase your personal data? Your name, Telegram and Zalo accounts and "
        "messages will be erased and you will no longer be able to use the assistant; the reports and difficulties "
        "of your unit stay, without your name. To confirm, type /mydata erase confirm."),
        [[Button(_("Confirm the erasure request"), data(Pv.ERASE_CONFIRMED, 0))]])


async def file_request(update: Update, context: BotContext, actor: Actor, kind: str, text: str = "") -> None:
    """Record the request, tell the person the deadlines, and tell every Office member."""
    tr = context.tr(actor.locale)
    request, new = context.services.privacy.request(actor, kind, text)
    context.services.dialogs.clear(actor.person_id)
    if not new:
        await reply(update, context, render.being_handled_text(tr, request))
        return
    await reply(update, context, render.request_sent_text(tr, request))
    await tell_office(context, request)


async def tell_office(context: BotContext, request: RequestInfo) -> None:
    for recipient in context.services.people.office_recipients():
        await deliver(context, recipient, render.office_notice(context.tr(recipient.locale), request))
