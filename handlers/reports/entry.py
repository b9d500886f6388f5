"""/baocao (/report): a unit head or deputy fills in the unit's report, one question at a time.

Buttons: rep:open:<period_id> (also on reminders), rep:a:<report_id>:<step>:<action>, rep:rev:<report_id>:<version>.
Typed answers reach `answer_typed` through the `rep_answer` dialog; files reach `file_sent`.

Also what the report handlers share (handlers/reports/review.py uses it too): showing a screen (and remembering what
a typed answer answers), choosing from a numbered list by button or by typing, and telling the other side.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.callbacks import Page, Rep
from bot.domain import Actor, Button, DomainError, OutMessage, Role
from bot.i18n import N_
from bot.questionnaire.model import QType
from bot.services.reports.base import Mode, Screen
from bot.services.dialogs import Dialog
from bot.services.reports.edit import ListWordRefused, typed_page
from handlers.commands import CommandSpec
from handlers.common import (answer_query, deliver, drop_buttons, in_zalo_chat, int_or_none, keep_file, markup,
                             registered, reply)
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.paging import list_for, page_rows
from handlers.reports.render import (note_text, open_periods_menu, render_review, render_screen, render_submitted,
                                     review_sections)
from handlers.reports.render_review import render_office_notice, render_reopened_notice

IN_PLACE = re.compile(r"^(o|pg)\d+$")  # a choice toggle or a review page: the pressed message is edited
COMMANDS = [CommandSpec("baocao", "report", N_("Fill in your unit's six-month or annual report"),
                        lambda a: a.reports_for_unit)]


@registered()
async def report_command(update: Update, context: BotContext, actor: Actor) -> None:
    """List the periods open for the person's unit; open the report directly when there is only one."""
    _ = context.tr(actor.locale).gettext
    if not actor.reports_for_unit:
        await reply(update, context, _("Only unit heads and their deputies fill in reports. To read the units' "
                                       "reports, type /viewreport."))
        return
    periods = context.services.reports.open_periods(actor)
    if not periods:
        await reply(update, context, _("No reporting period is open for your unit at the moment. You will be "
                                       "reminded when the next one opens."))
        return
    if len(periods) == 1:
        await show(update, context, actor, context.services.reports.open(actor, periods[0][0].period_id))
        return
    text, choices = open_periods_menu(context.tr(actor.locale), actor.unit_name, periods)
    await offer_choices(update, context, actor, text, choices)


@registered()
async def report_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Every rep:open / rep:a / rep:rev button, treated as possibly stale or forged."""
    await answer_query(update)
    data = update.callback_query.data or ""
    parsed = callbacks.parse(data, Rep)
    if parsed and parsed[0] == Rep.ANSWER and not (parsed[1] and IN_PLACE.match(parsed[1][-1])):
        await drop_buttons(update)
    if not await dispatch_fill(update, context, actor, data, pressed=True):
        await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))


async def dispatch_fill(update: Update, context: BotContext, actor: Actor, data: str, pressed: bool = False) -> bool:
    """Carry out a filling button (pressed or chosen by number); False when the data is not one of ours.

    A pressed choice toggle or review page edits the message in place (one screen, not a new copy each time)."""
    parsed = callbacks.parse(data, Rep)
    if parsed is None:
        return False
    code, fields = parsed
    numbers = [int_or_none(f) for f in fields]
    reports = context.services.reports
    if code == Rep.OPEN and len(fields) == 1 and numbers[0] is not None:
        await show(update, context, actor, reports.open(actor, numbers[0]))
        return True
    if code == Rep.ANSWER and len(fields) == 3 and None not in numbers[:2] and fields[2].isalnum():
        report_id, step, action = numbers[0], numbers[1], fields[2]
        in_place = pressed and bool(IN_PLACE.match(action))
        page = int_or_none(action[2:]) if action.startswith("pg") else None
        try:
            screen = reports.current(actor, report_id) if action.startswith("pg") else reports.act(
                actor, report_id, step, action)
            if action.startswith("pg") and (page is None or screen.mode != Mode.REVIEW or screen.ref.step != step):
                raise DomainError(N_("This button is no longer valid."))
        except DomainError as error:
            if in_place:
                await drop_buttons(update)
            await show_current(update, context, actor, report_id, error)
            return True
        if page is not None:
            out = render_review(context.tr(actor.locale), screen, page)
            if not (in_place and await edit_pressed(update, out)):
                await reply(update, context, out.text, out.buttons)
            return True
        same_question = screen.mode == Mode.ASK and screen.question is not None and (
            screen.group_field or screen.question).type == QType.MULTI
        if in_place and not same_question:
            await drop_buttons(update)
        await show(update, context, actor, screen, in_place=in_place and same_question)
        return True
    if code == Rep.REVISE and len(fields) == 2 and None not in numbers:
        await show(update, context, actor, reports.reopen(actor, numbers[0], numbers[1]))
        return True
    return False


async def answer_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """A typed answer, or a typed word ("quay lại", "bỏ qua", "sửa 3", "gửi"...), for the question shown."""
    report_id, step = _where(dialog)
    page = typed_page(update.effective_message.text or "")
    if page is not None and dialog.payload.get("review"):  # "Mục 2" typed on the review: that page, as its button
        screen = context.services.reports.current(actor, report_id)
        if screen.mode == Mode.REVIEW and screen.ref.step == step:
            out = render_review(context.tr(actor.locale), screen, page - 1)
            await reply(update, context, out.text, out.buttons)
            return
    try:
        screen = context.services.reports.type_text(actor, report_id, step, update.effective_message.text or "")
    except DomainError as error:
        await show_current(update, context, actor, report_id, error)
        return
    await show(update, context, actor, screen)


async def file_sent(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """A photo or document for an attachment question (any other question explains that it wants text)."""
    report_id, step = _where(dialog)
    message = update.effective_message
    meta: dict[str, Any]
    if message.document is not None:
        doc = message.document
        meta = {"file_id": doc.file_id, "file_name": doc.file_name or "", "mime_type": doc.mime_type or "",
                "size": doc.file_size or 0, "kind": "document"}
    else:
        photo = message.photo[-1]  # the largest size
        meta = {"file_id": photo.file_id, "file_name": "", "mime_type": "image/jpeg",
                "size": photo.file_size or 0, "kind": "photo"}
    try:
        screen = context.services.reports.send_file(actor, report_id, step, meta)
    except DomainError as error:
        await show_current(update, context, actor, report_id, error)
        return
    await show(update, context, actor, screen)
    await keep_file(context, meta)


def _where(dialog: Dialog) -> tuple[int, int]:
    return int(dialog.payload.get("report_id", 0)), int(dialog.payload.get("step", -1))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, report_command))
    app.add_handler(CallbackQueryHandler(report_pressed, pattern=r"^rep:(open|a|rev):"))
    app.bot_data.dialog_routes[ANSWER] = DialogRoute(on_text=answer_typed, on_file=file_sent)


# Shared by the report handlers ---------------------------------------------------------------------------------
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
    reviewers = set(reports.reviewer_ids(ref.report_id, ref.version))
    for recipient in context.services.people.office_recipients():
        await deliver(context, recipient, render_office_notice(context.tr(recipient.locale), view,
                                                               recipient.person_id in reviewers))
    if not reviewers:  # the Office's own report and nobody else in the Office: the Director reviews it
        for recipient in context.services.people.leadership_recipients((Role.DIRECTOR,)):
            await deliver(context, recipient, render_office_notice(context.tr(recipient.locale), view, True))


async def notify_office_reopened(context: BotContext, actor: Actor, screen: Screen) -> None:
    for recipient in context.services.people.office_recipients():
        if recipient.person_id != actor.person_id:
            await deliver(context, recipient, render_reopened_notice(context.tr(recipient.locale), actor.full_name,
                                                                     screen.ref))
