"""The Office's side of /dulieu: open requests with their deadlines, "received", "correction made", erasure.

Typed forms: "/dulieu yeucau", "/dulieu tiepnhan <n>", "/dulieu xong <n>" (an erasure then asks to confirm:
"/dulieu xong <n> xacnhan").
"""

from __future__ import annotations

from telegram import Update

from bot.callbacks import Pv, data
from bot.domain import Actor, Button, OutMessage, Recipient
from bot.services.privacy.service import RequestInfo
from handlers.common import deliver, reply, reply_out
from handlers.context import BotContext
from handlers.privacy import render


async def show_requests(update: Update, context: BotContext, actor: Actor) -> None:
    tr = context.tr(actor.locale)
    _ = tr.gettext
    requests = context.services.privacy.open_requests(actor)
    if not requests:
        await reply(update, context, _("No request about personal data is waiting."))
        return
    await reply_out(update, context, render.requests_message(tr, requests))


async def acknowledge(update: Update, context: BotContext, actor: Actor, request_id: int) -> None:
    request = context.services.privacy.acknowledge(actor, request_id)
    _ = context.tr(actor.locale).gettext
    await reply(update, context, _("Request no. {n} marked as received; the person has been told.").format(
        n=request_id))
    await tell_person(context, request, "acknowledged")


async def done(update: Update, context: BotContext, actor: Actor, request_id: int, confirmed: bool) -> None:
    """A correction: marked as made. An erasure: asks to confirm first, then erases."""
    _ = context.tr(actor.locale).gettext
    request = next((r for r in context.services.privacy.open_requests(actor) if r.request_id == request_id), None)
    if request is None:
        await reply(update, context, _("This request has already been handled."))
        return
    if request.kind == "correct":
        await tell_person(context, context.services.privacy.close(actor, request_id), "done")
        await reply(update, context, _("Request no. {n} is closed; the person has been told.").format(n=request_id))
        return
    if not confirmed:
        await reply(update, context, _(
            "Erase the personal data of {name} now? Their name, accounts, codes and messages are erased for good and "
            "they can no longer use the assistant; their unit's reports and difficulties stay, without the name. To "
            "confirm, type /mydata done {n} confirm.").format(name=request.person_name, n=request_id),
            [[Button(_("Erase for good"), data(Pv.ERASE_NOW, request_id))]])
        return
    recipient = context.services.people.recipient(request.person_id)
    erased = context.services.privacy.erase(actor, request.person_id, request_id)
    # The confirmation does not name them: it is stored like every message, and the name is what was erased.
    await reply(update, context, _("Request no. {n}: the personal data of person #{id} has been erased ({rows} "
                                   "stored messages and codes removed). The erasure is in the activity log.").format(
        n=request_id, id=erased.person_id, rows=sum(v for k, v in erased.removed.items() if k != "audit_values")))
    if recipient is not None and recipient.telegram_id:
        # The last message the assistant sends them, to the Telegram chat only: a Zalo chat is reached through
        # its address row, which the erasure removed (a person on Zalo alone was told when they asked).
        await context.bot.send_message(int(recipient.telegram_id), context.tr(recipient.locale).gettext(render.ERASED))


async def tell_person(context: BotContext, request: RequestInfo, state: str) -> None:
    recipient: Recipient | None = context.services.people.recipient(request.person_id)
    if recipient is None:
        return
    await deliver(context, recipient, OutMessage(render.request_notice(context.tr(recipient.locale), request, state)))
