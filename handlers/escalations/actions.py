"""Acting on an escalation: buttons, typed commands and typed answers all end in `run_action`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InputFile, Update

from bot.callbacks import Esc, data
from bot.channels.zalo.updates import photo_url_of
from bot.domain import Actor, Button, DomainError, OutMessage, PermissionDenied, Recipient, Role
from bot.i18n import N_, Translator
from bot.services import Services
from bot.services.dialogs import Dialog
from bot.services.escalations.core import QUICK_REPLIES, Superseded, EscalationView
from bot.text import clean_line, fold, nfc, parse_id
from handlers.common import answer_query, deliver, drop_buttons, keep_file, reply
from handlers.context import BotContext
from handlers.escalations.notify import Notifier
from handlers.escalations.render import (ACTS, QUICK, action_buttons, attachment_caption, available, done_text,
                                         superseded_text)

TEXT_DIALOG = "esc_text"
# The skip buttons' own labels count too ("No file", "Forward without a note", "Close without a note", folded, in
# both languages): Zalo shows them as words to type. tests/test_escalation_sim.py keeps them in step with the catalogs.
SKIP_WORDS = {"-", "0", "khong", "no", "none", "bo qua", "skip", "khong co tep", "no file",
              "trinh khong kem y kien", "forward without a note", "dong khong kem ghi chu", "close without a note"}
# Codes that need a typed text: the prompt, and whether the text may be skipped.
PROMPTS: dict[str, tuple[str, bool]] = {
    "fwd": (N_("Please type the note of the Administration Office for the Director on #{id}, or type \"no\" to "
               "forward it without a note (or /cancel)."), True),
    "ans": (N_("Please type the answer of the Administration Office to #{id} (or /cancel)."), False),
    "ask": (N_("Please type what information the unit should add to #{id} (or /cancel)."), False),
    "cls": (N_("Please type a short closing note for #{id} (how it was resolved), or type \"no\" to close it "
               "without a note (or /cancel)."), True),
    "dup": (N_("Please type the number of the item that #{id} duplicates, for example 7 (or /cancel)."), False),
    "ins": (N_("Please type your instruction on #{id} (or /cancel)."), False),
    "add": (N_("Please type the information to add to #{id}, or send a file or photo (or /cancel)."), False),
    "rep": (N_("Please type your reply on #{id} (or /cancel)."), False),
}
async def say_private(update: Update, context: BotContext, actor: Actor, text: str,
                      buttons: list[list[Button]] | None = None) -> None:
    """Prompts that wait for typing go to the person's private chat, even when the press came from a group."""
    chat = update.effective_chat
    if chat is None or chat.type == "private":
        await reply(update, context, text, buttons)
        return
    recipient = context.services.people.recipient(actor.person_id)
    if recipient is not None:
        await deliver(context, recipient, OutMessage(text, buttons or []))
    await answer_query(update, context.tr(actor.locale).gettext("Please continue in your private chat with me."))


async def ask_for_text(update: Update, context: BotContext, actor: Actor, code: str, item_id: int) -> None:
    """Check the action is possible now, then wait for the person's text in the dialog state."""
    context.services.escalations.require(actor, item_id, ACTS[code][0])
    context.services.dialogs.set(actor.person_id, TEXT_DIALOG, {"item": item_id, "act": code})
    _ = context.tr(actor.locale).gettext
    skip = {Esc.FORWARD: (N_("Forward without a note"), Esc.FORWARD_NO_NOTE),
            Esc.CLOSE: (N_("Close without a note"), Esc.CLOSE_NO_NOTE)}.get(code)
    buttons = [[Button(_(skip[0]), data(skip[1], item_id, 0))]] if skip else None
    await say_private(update, context, actor, _(PROMPTS[code][0]).format(id=item_id), buttons)


async def run_action(update: Update, context: BotContext, actor: Actor, code: str, item_id: int,
                     text: str | None = None, arg: Any = None, attachment: dict | None = None) -> EscalationView | None:
    """Carry out one action, tell the person, notify the others; a lost race or a closed item gets a clear answer."""
    tr = context.tr(actor.locale)
    notifier = Notifier(context.bot, context.bot_data)
    action = ACTS[code][0] if code in ACTS else {"fwd0": "forward", "cls0": "close"}[code]
    try:
        view = call_action(context.services, context.tr, actor, code, item_id, text, arg, attachment)
    except Superseded as refused:
        context.services.dialogs.clear(actor.person_id, TEXT_DIALOG)
        await reply(update, context, superseded_text(tr, refused))
        if refused.kept:
            await notifier.announce(refused.item, "comment", actor, refused.kept_text or _file_name(attachment))
        return None
    context.services.dialogs.clear(actor.person_id, TEXT_DIALOG)
    message = done_text(tr, action, view)
    codes = available(actor, view)  # what this person may do next, e.g. forward after receiving
    await reply(update, context, message, action_buttons(tr, actor, view, codes, deputies(context)))
    await notifier.announce(view, action, actor, view.instruction if action == "instruct" else text
                            or _file_name(attachment))
    return view


def call_action(services: Services, tr: Callable[[str | None], Translator], actor: Actor, code: str, item_id: int,
                text: str | None = None, arg: Any = None, attachment: dict | None = None) -> EscalationView:
    """The service call behind one action code: the chat's buttons and typed words, and the desk's forms
    (bot/web/pages/difficulties.py)."""
    svc = services.escalations
    if code == "rcv":
        return svc.receive(actor, item_id)
    if code in ("fwd", "fwd0"):
        return svc.forward(actor, item_id, text)
    if code == "ans":
        return svc.answer(actor, item_id, text or "")
    if code == "ask":
        return svc.ask_info(actor, item_id, text or "")
    if code in ("cls", "cls0"):
        return svc.close(actor, item_id, text)
    if code == "dup":
        return svc.close_duplicate(actor, item_id, int(arg), text)
    if code in QUICK:
        label = tr(actor.locale).gettext(QUICK_REPLIES[QUICK[code]])
        return svc.instruct(actor, item_id, f"{label} {text}".strip() if text else label, kind=QUICK[code])
    if code == "ins":
        return svc.instruct(actor, item_id, text or "")
    if code == "asg":
        return svc.assign(actor, item_id, int(arg))
    if code == "fu":
        return svc.request_follow_up(actor, item_id)
    if code == "add":
        return svc.add_info(actor, item_id, text, attachment)
    if code == "ok":
        return svc.confirm(actor, item_id, text)
    return svc.reply(actor, item_id, text or "")


def _file_name(attachment: dict | None) -> str | None:
    return f"[{attachment.get('file_name') or 'file'}]" if attachment else None


def optional(text: str) -> str | None:
    """"không", "-", "skip"... mean no text."""
    return None if fold(text) in SKIP_WORDS else text


def duplicate_target(text: str) -> tuple[int, str | None]:
    """"7" or "#7 same as the disbursement item" -> (7, note)."""
    first, _, rest = nfc(text).strip().partition(" ")
    number = parse_id(first)
    if number is None:
        raise DomainError(N_("Please type the number of the original item, for example 7."))
    return number, rest.strip() or None


async def press_action(update: Update, context: BotContext, actor: Actor, code: str, item_id: int, arg: str) -> None:
    """A button on an item: act at once, or ask for the text first."""
    if code in PROMPTS:
        await ask_for_text(update, context, actor, code, item_id)
        return
    await drop_buttons(update)
    if code == "asg":
        if (person_id := parse_id(arg)) is None:
            raise PermissionDenied()
        await run_action(update, context, actor, code, item_id, arg=person_id)
        return
    await run_action(update, context, actor, code, item_id)


async def text_answered(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """The text typed after an action button (note, answer, instruction, information, reply)."""
    item_id, code = int(dialog.payload.get("item", 0)), str(dialog.payload.get("act", ""))
    if code not in PROMPTS:
        context.services.dialogs.clear(actor.person_id, TEXT_DIALOG)
        await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))
        return
    text = update.effective_message.text or ""
    try:
        if code == "dup":
            of_id, note = duplicate_target(text)
            await run_action(update, context, actor, code, item_id, note, arg=of_id)
        else:
            await run_action(update, context, actor, code, item_id, optional(text) if PROMPTS[code][1] else text)
    except PermissionDenied:
        context.services.dialogs.clear(actor.person_id, TEXT_DIALOG)
        raise


async def file_answered(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """A file or photo sent as added information (the caption, if any, is its text)."""
    if dialog.payload.get("act") != "add":
        raise DomainError(N_("Please answer in text here; a file is not expected for this question."))
    message = update.effective_message
    attachment = attachment_of(message)
    await run_action(update, context, actor, "add", int(dialog.payload.get("item", 0)), message.caption,
                     attachment=attachment)
    await keep_file(context, attachment)


def attachment_of(message: Any) -> dict | None:
    """Telegram file id and metadata of a document or the largest photo (the file itself stays on Telegram)."""
    if message.document is not None:
        doc = message.document
        return {"file_id": doc.file_id, "file_name": clean_line(doc.file_name or "")[:200] or "file",
                "mime_type": doc.mime_type, "size": doc.file_size, "kind": "document"}
    if message.photo:
        photo = message.photo[-1]
        return {"file_id": photo.file_id, "file_name": "photo.jpg", "mime_type": "image/jpeg",
                "size": photo.file_size, "kind": "photo"}
    return None


async def send_attachment(update: Update, context: BotContext, actor: Actor, item_id: int, event_id: int) -> None:
    """Send back a file attached to the item or to one history entry (access checked by the service)."""
    found = context.services.escalations.event_attachment(actor, item_id, event_id)
    if not found:
        await reply(update, context, context.tr(actor.locale).gettext("This file is no longer available."))
        return
    chat_id = update.effective_chat.id
    if found.get("kind") == "photo":
        # A photo sent on Zalo: the copy in the file store (uploaded to Telegram, a file link on Zalo), else its
        # Zalo URL, which Telegram (and Zalo) can fetch while it lives.
        kept = context.services.files.open(str(found["file_id"]))
        photo: Any = InputFile(kept, filename="photo.jpg") if kept is not None else (
            photo_url_of(found["file_id"]) or found["file_id"])
        await context.bot.send_photo(chat_id, photo, caption=attachment_caption(item_id))
    else:
        await context.bot.send_document(chat_id, found["file_id"], caption=attachment_caption(item_id))


def deputies(context: BotContext) -> list[Recipient]:
    """Active deputy directors, for the Director's "assign" buttons."""
    return context.services.people.leadership_recipients((Role.DEPUTY_DIRECTOR,))
