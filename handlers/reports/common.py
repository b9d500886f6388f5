"""What the report handlers share: showing a screen (and remembering what a typed answer answers), choosing from a
numbered list by button or by typing, and telling the other side."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest, TelegramError

from bot.callbacks import Page
from bot.domain import Actor, Button, DomainError, OutMessage
from bot.i18n import N_
from bot.services.reports.base import Mode, Screen
from bot.services.reports.words import ListWordRefused
from handlers.common import deliver, in_zalo_chat, markup, reply
from handlers.context import BotContext
from handlers.paging import list_for, page_rows
from handlers.reports.render import note_text, render_screen, render_submitted, review_sections, title_of
from handlers.reports.render_review import render_office_notice

ANSWER = "rep_answer"  # payload: report_id, step
PICK = "rep_pick"  # payload: choices (callback data of each numbered line)
COMMENT = "rep_comment"  # payload: report_id, version
WAITING = (Mode.ASK, Mode.REVIEW, Mode.CONFIRM)


def error_text(context: BotContext, actor: Actor, error: DomainError) -> str:
    """A refusal in the reader's language; percentages and questionnaire labels formatted for them."""
    return note_text(context.tr(actor.locale), error.message, error.params)


async def show(update: Update, context: BotContext, actor: Actor, screen: Screen, error: str | None = None,
               in_place: bool = False) -> None:
    """Reply with the screen (`in_place`: edit the pressed message instead); a typed message answers it."""
    tr = context.tr(actor.locale)
    dialogs = context.services.dialogs
    before = dialogs.get(actor.person_id)
    was = before.payload if before and before.kind == ANSWER else {}
    # A question opened from the review ("sửa 13") brings the person back to that question's page afterwards.
    editing = was.get("editing") if screen.mode == Mode.REVIEW or was.get("editing") else None
    if screen.mode == Mode.ASK and (was.get("review") or editing):
        editing = screen.question.id
    if screen.mode in WAITING:
        dialogs.set(actor.person_id, ANSWER, {"report_id": screen.ref.report_id, "step": screen.ref.step,
                                              "review": screen.mode == Mode.REVIEW,
                                              "editing": None if screen.mode == Mode.REVIEW else editing})
    else:
        dialogs.clear(actor.person_id, ANSWER)
    if screen.event == "submitted":
        out = render_submitted(tr, screen)
        await reply(update, context, out.text, out.buttons)
        await notify_office_submitted(context, screen)
        return
    # Zalo cannot edit a page in place: the review comes whole, in one message, instead of a message per section.
    page = None if in_zalo_chat(update) else review_page(screen, editing)
    out = render_screen(tr, screen, error, page)
    if not (in_place and await edit_pressed(update, out)):
        await reply(update, context, out.text, out.buttons)
    if screen.event == "reopened":
        await notify_office_reopened(context, actor, screen)


def review_page(screen: Screen, question_id: str | None) -> int:
    """Back on the review after an edit: the page of the question just answered, else the first."""
    section = next((q.section_id for q in screen.applicable if q.id == question_id), None)
    return next((i for i, (section_id, _n) in enumerate(review_sections(screen)) if section_id == section), 0)


async def edit_pressed(update: Update, out: OutMessage) -> bool:
    """Replace the pressed message's text and buttons (a toggle, a page); False when the channel cannot."""
    query = update.callback_query
    if query is None or query.message is None:
        return False
    try:
        await query.edit_message_text(out.text, reply_markup=markup(out.buttons))
    except BadRequest as error:
        return "not modified" in str(error).lower()  # the same screen again: nothing to change
    except TelegramError:
        return False
    return True


async def show_current(update: Update, context: BotContext, actor: Actor, report_id: int,
                       error: DomainError) -> None:
    """A refused answer or press: the reason, then the current question again (nothing was changed)."""
    text = error_text(context, actor, error)
    if isinstance(error, ListWordRefused):  # the list is the message just above: say only what to type
        await reply(update, context, text)
        return
    try:
        screen = context.services.reports.current(actor, report_id)
    except DomainError:
        await reply(update, context, text)
        return
    await show(update, context, actor, screen, error=text)


async def offer_choices(update: Update, context: BotContext, actor: Actor, text: str,
                        choices: list[tuple[str, str]]) -> None:
    """A numbered list: a button per line, and the number can be typed instead (channels without buttons)."""
    context.services.dialogs.set(actor.person_id, PICK, {"choices": [data for _label, data in choices],
                                                         "labels": [label for label, _data in choices]})
    buttons = page_rows(context.tr(actor.locale), Page.CHOICES, 0, [Button(label, data) for label, data in choices])
    await reply(update, context, text, buttons)


@list_for(Page.CHOICES)
def choice_buttons(context: BotContext, actor: Actor, _argument: str) -> list[Button]:
    """The numbered list the person was last offered (kept in the dialog state until a choice is made)."""
    dialog = context.services.dialogs.get(actor.person_id)
    if dialog is None or dialog.kind != PICK:
        raise DomainError(N_("This choice is no longer valid."))
    payload = dialog.payload
    return [Button(str(label), str(data)) for label, data in zip(payload.get("labels") or [], payload["choices"])]


async def notify_office_submitted(context: BotContext, screen: Screen) -> None:
    reports, ref = context.services.reports, screen.ref
    view = reports.notice(ref.report_id, ref.version)
    for recipient in context.services.people.office_recipients():
        await deliver(context, recipient, render_office_notice(context.tr(recipient.locale), view))


async def notify_office_reopened(context: BotContext, actor: Actor, screen: Screen) -> None:
    ref = screen.ref
    for recipient in context.services.people.office_recipients():
        if recipient.person_id == actor.person_id:
            continue
        tr = context.tr(recipient.locale)
        text = tr.gettext("{name} ({unit}) has taken back version {version} of the {title} to revise it. You will "
                          "be notified when it is submitted again.").format(
            name=actor.full_name, unit=ref.unit_name, version=ref.version, title=title_of(tr, ref))
        await deliver(context, recipient, OutMessage(text))
