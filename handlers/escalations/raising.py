"""Raising a difficulty step by step: title, description, optional file, urgency; every step typeable."""

from __future__ import annotations

import uuid

from telegram import Update

from bot.callbacks import Esc, data
from bot.contracts import Q_DIFFICULTIES
from bot.domain import Actor, Button, DomainError, PermissionDenied
from bot.i18n import N_
from bot.services.dialogs import Dialog
from bot.services.escalations.core import TEXT_LIMIT, TITLE_LIMIT, checked_text, checked_title
from bot.text import fold
from handlers.common import drop_buttons, keep_file, reply
from handlers.context import BotContext
from handlers.escalations.actions import SKIP_WORDS, attachment_of
from handlers.escalations.notify import Notifier
from handlers.escalations.render import raise_from_report_intro, raise_intro

NEW_DIALOG = "esc_new"
NORMAL_WORDS = {"1", "binh thuong", "thuong", "normal", "n"}
URGENT_WORDS = {"2", "khan", "gap", "khan cap", "urgent", "u"}


def draft_key(actor: Actor, key: str) -> str:
    return f"{actor.person_id}:{key}"


async def start_raise(update: Update, context: BotContext, actor: Actor) -> None:
    """First question: the title; the draft lives in the dialog state until the last answer."""
    if not actor.reports_for_unit:
        raise PermissionDenied(N_("Only a unit head or deputy can raise a difficulty for their unit."))
    key = uuid.uuid4().hex[:12]
    context.services.dialogs.set(actor.person_id, NEW_DIALOG, {"step": "title", "key": key})
    await reply(update, context, raise_intro(context.tr(actor.locale), actor.unit_name, TITLE_LIMIT))


async def start_from_report(update: Update, context: BotContext, actor: Actor, report_id: int,
                            version: int) -> None:
    """Raise the difficulties a submitted report lists: its answer becomes the description; only a title is asked."""
    view = context.services.reports.view(actor, report_id, version)  # checks who may read it
    if not actor.acts_for(view.ref.unit_id):
        raise PermissionDenied(N_("Only a unit head or deputy can raise a difficulty for their unit."))
    text = view.answers.get(Q_DIFFICULTIES)
    if not isinstance(text, str) or not text.strip():
        raise DomainError(N_("This report lists no difficulties."))
    payload = {"step": "title", "key": f"r{report_id}v{view.shown_version}", "desc": checked_text(text, required=True)}
    context.services.dialogs.set(actor.person_id, NEW_DIALOG, payload)
    await reply(update, context, raise_from_report_intro(context.tr(actor.locale), payload["desc"], TITLE_LIMIT))


async def ask_file(update: Update, context: BotContext, actor: Actor, payload: dict) -> None:
    """The optional file step."""
    payload["step"] = "file"
    context.services.dialogs.set(actor.person_id, NEW_DIALOG, payload)
    _ = context.tr(actor.locale).gettext
    await reply(update, context, _("Step 3 of 4: send a file or photo if you have one, or type \"no\" "
                                   "(no file)."), [[Button(_("No file"), data(Esc.NO_FILE, payload['key'], 0))]])


async def raise_text(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """A typed answer to the current step; a refused answer leaves the step pending (the person types again)."""
    _ = context.tr(actor.locale).gettext
    text, payload = update.effective_message.text or "", dict(dialog.payload)
    step = payload.get("step")
    if step == "title" and payload.get("desc"):  # raised from a report: the description is its answer
        payload.update(title=checked_title(text))
        await ask_file(update, context, actor, payload)
    elif step == "title":
        payload.update(step="desc", title=checked_title(text))
        context.services.dialogs.set(actor.person_id, NEW_DIALOG, payload)
        await reply(update, context, _("Step 2 of 4: please describe the difficulty: what happened, what it "
                                       "affects, and what you propose (at most {limit} characters).").format(
            limit=TEXT_LIMIT))
    elif step == "desc":
        payload.update(desc=checked_text(text, required=True))
        await ask_file(update, context, actor, payload)
    elif step == "file":
        if fold(text) not in SKIP_WORDS:
            raise DomainError(N_("Please send a file or photo, or type \"no\" if there is none."))
        await ask_urgency(update, context, actor, payload)
    elif step == "urgency":
        word = fold(text)
        if word not in NORMAL_WORDS | URGENT_WORDS:
            raise DomainError(N_("Please type 1 (normal) or 2 (urgent)."))
        await finish(update, context, actor, payload, urgent=word in URGENT_WORDS)


async def raise_file(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """The optional file of step 3."""
    payload = dict(dialog.payload)
    if payload.get("step") != "file":
        raise DomainError(N_("Please type the answer in text first; you can attach a file at step 3."))
    payload["attachment"] = attachment_of(update.effective_message)
    await ask_urgency(update, context, actor, payload)
    await keep_file(context, payload["attachment"])


async def ask_urgency(update: Update, context: BotContext, actor: Actor, payload: dict) -> None:
    _ = context.tr(actor.locale).gettext
    payload["step"] = "urgency"
    context.services.dialogs.set(actor.person_id, NEW_DIALOG, payload)
    key = payload["key"]
    await reply(update, context, _("Step 4 of 4: how urgent is it? Type 1 (normal) or 2 (urgent)."),
                [[Button(_("1. Normal"), data(Esc.URGENCY, key, "n")), Button(_("2. Urgent"), data(Esc.URGENCY, key, "u"))]])


async def raise_pressed(update: Update, context: BotContext, actor: Actor, code: str, key: str, arg: str) -> None:
    """"No file" and the urgency buttons; a second press after sending finds the item already sent."""
    await drop_buttons(update)
    _ = context.tr(actor.locale).gettext
    dialog = context.services.dialogs.get(actor.person_id)
    if dialog is None or dialog.kind != NEW_DIALOG or dialog.payload.get("key") != key:
        sent = context.services.escalations.by_draft(draft_key(actor, key))
        await reply(update, context, _("Difficulty #{id} has already been sent.").format(id=sent.item_id) if sent
                    else _("This button is no longer valid."))
        return
    payload = dict(dialog.payload)
    if code == "noatt" and payload.get("step") == "file":
        await ask_urgency(update, context, actor, payload)
    elif code == "urg" and payload.get("step") == "urgency" and arg in ("n", "u"):
        await finish(update, context, actor, payload, urgent=arg == "u")
    else:
        await reply(update, context, _("This button is no longer valid."))


async def finish(update: Update, context: BotContext, actor: Actor, payload: dict, urgent: bool) -> None:
    """Create the item in one transaction (once per draft), then clear the dialog and tell the Office."""
    _ = context.tr(actor.locale).gettext
    view, created = context.services.escalations.raise_item(
        actor, title=payload.get("title", ""), description=payload.get("desc", ""), urgent=urgent,
        attachment=payload.get("attachment"), draft_key=draft_key(actor, payload["key"]))
    context.services.dialogs.clear(actor.person_id, NEW_DIALOG)
    if not created:
        await reply(update, context, _("Difficulty #{id} has already been sent.").format(id=view.item_id))
        return
    await reply(update, context, _(
        "Thank you. Your difficulty #{id} has been sent to the Administration Office, which will forward it to the "
        "Director or answer it. You will be told of every step; type /issue to follow your items."
    ).format(id=view.item_id))
    await Notifier(context.bot, context.bot_data).raised(view)
