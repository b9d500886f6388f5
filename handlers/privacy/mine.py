"""/dulieu (/mydata) for everyone registered: what the assistant holds about them, a copy, and requests.

Typed forms (every choice also works by typing): "/dulieu", then 1 / 2 / 3 (4: the Office's list);
"/dulieu xuat", "/dulieu sua <what to correct>", "/dulieu xoa" then "/dulieu xoa xacnhan".
"""

from __future__ import annotations

from telegram import Update

from bot.callbacks import Pv, data
from bot.domain import Actor, Button, OutMessage
from bot.glossary import person_title
from bot.services.privacy.service import RequestInfo
from handlers.common import deliver, reply
from handlers.context import BotContext
from handlers.privacy.render import KIND_LABELS, deadlines_line, request_line, rights

MENU, FIX = "pv_menu", "pv_fix"  # dialogs: a number typed at the menu; the text of a correction
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
CHANNELS = {"telegram": "Telegram", "zalo": "Zalo"}


async def show(update: Update, context: BotContext, actor: Actor) -> None:
    """The person's identifiers, what they entered (counted), their rights, and the choices."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    held = context.services.privacy.summary(actor)
    none = _("not linked")
    lines = [_("Personal data the assistant holds about you:"),
             "- " + _("Full name: {name}").format(name=held.full_name),
             "- " + _("Role: {title}").format(title=person_title(tr, held.role, held.unit_name)),
             "- " + _("Telegram account: {id}").format(id=held.telegram_id or none),
             "- " + _("Zalo account: {id}").format(id=held.zalo_id or none),
             "- " + _("Language: {language}; reminders on {channel}").format(
                 language=LANGUAGES.get(held.locale, held.locale),
                 channel=CHANNELS.get(held.preferred_channel, held.preferred_channel)),
             "- " + _("Registered at {time}").format(time=tr.datetime(held.registered_at)),
             "- " + _("What you entered: {answers} report answers, {versions} reports sent, {issues} difficulties "
                      "raised; {entries} entries in the activity log").format(
                 answers=held.answers, versions=held.versions, issues=held.difficulties,
                 entries=held.audit_entries),
             "", rights(tr)]
    for request in held.open_requests:
        lines.append(_("Your request for {kind} is being handled. {deadlines}").format(
            kind=_(KIND_LABELS[request.kind]), deadlines=deadlines_line(tr, request)))
    choices = [_("Take a copy of your data (JSON file)"), _("Ask for a correction"), _("Ask for erasure")]
    if actor.is_office:
        choices.append(_("Open requests from people"))
    lines += [""] + [f"{n}. {label}" for n, label in enumerate(choices, start=1)] + ["", _("Type a number to choose.")]
    codes = [Pv.EXPORT, Pv.CORRECT, Pv.ERASE, Pv.REQUESTS]
    buttons = [[Button(label, data(code, 0))] for label, code in zip(choices, codes)]
    context.services.dialogs.set(actor.person_id, MENU)
    await reply(update, context, "\n".join(lines), buttons)


async def send_copy(update: Update, context: BotContext, actor: Actor) -> None:
    """The copy as a JSON document (on Zalo the channel turns it into a short-lived link)."""
    _ = context.tr(actor.locale).gettext
    name, content = context.services.privacy.export(actor)
    chat = update.effective_chat.id if update.effective_chat else update.effective_user.id
    await context.bot.send_document(chat, content, filename=name, caption=_(
        "Your personal data as the assistant holds it (JSON, readable in any text editor)."))


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
    _ = tr.gettext
    request, new = context.services.privacy.request(actor, kind, text)
    context.services.dialogs.clear(actor.person_id)
    if not new:
        await reply(update, context, _("Your request for {kind} is being handled. {deadlines}").format(
            kind=_(KIND_LABELS[kind]), deadlines=deadlines_line(tr, request)))
        return
    await reply(update, context, _("Your request for {kind} has been sent to the Administration Office (no. {n}). "
                                   "{deadlines}").format(kind=_(KIND_LABELS[kind]), n=request.request_id,
                                                         deadlines=deadlines_line(tr, request)))
    await tell_office(context, request)


async def tell_office(context: BotContext, request: RequestInfo) -> None:
    for recipient in context.services.people.office_recipients():
        tr = context.tr(recipient.locale)
        _ = tr.gettext
        text = "\n".join([request_line(tr, request), "", _("Type /mydata requests to handle it.")])
        rows = [[Button(_("Received"), data(Pv.ACKNOWLEDGE, request.request_id)),
                 Button(_("Erase now") if request.kind == "erase" else _("Correction made"),
                        data(Pv.DONE, request.request_id))]]
        await deliver(context, recipient, OutMessage(text, rows))
