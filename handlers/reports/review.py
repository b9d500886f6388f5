"""/xembaocao (/viewreport) and the Administration Office's decisions on submitted reports.

Buttons: rep:vp:<period_id> (a period's units), rep:v:<report_id>:<version> (0: latest), rep:acc:<report_id>:<version>,
rep:ret:<report_id>:<version> (then the comment is typed: the `rep_comment` dialog). Numbered lists can be answered
by typing the number (the `rep_pick` dialog).
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import Bot, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.callbacks import Rep
from bot.domain import Actor, DomainError
from bot.i18n import N_, Translator
from bot.services import Services
from bot.services.dialogs import Dialog
from bot.services.reports.review import CommentRefused, ReviewResult
from handlers.commands import CommandSpec
from handlers.common import answer_query, deliver_with, drop_buttons, int_or_none, registered, reply
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.reports.render import title_of
from handlers.reports.render_review import (accepted_text, period_reports_menu, render_decision_for_office,
                                            render_decision_for_unit, render_view, unit_reports_menu,
                                            viewable_periods_menu)
from handlers.reports.entry import COMMENT, PICK, dispatch_fill, error_text, offer_choices

COMMANDS = [CommandSpec("xembaocao", "viewreport", N_("Read submitted reports and their earlier versions"),
                        lambda a: a.sees_all_units or a.reports_for_unit)]


@registered()
async def view_command(update: Update, context: BotContext, actor: Actor) -> None:
    """The Office and the leadership choose a period, then a unit; a unit's people choose one of its reports."""
    _ = context.tr(actor.locale).gettext
    tr = context.tr(actor.locale)
    reports = context.services.reports
    if actor.sees_all_units:
        text, choices = viewable_periods_menu(tr, reports.viewable_periods(actor))
        await offer_choices(update, context, actor, text, choices)
        return
    if not actor.reports_for_unit:
        await reply(update, context, _("You do not have permission to do this."))
        return
    refs = reports.unit_reports(actor)
    if not refs:
        await reply(update, context, _("Your unit has no reports yet. Type /report to start one."))
        return
    text, choices = unit_reports_menu(tr, actor.unit_name, refs)
    await offer_choices(update, context, actor, text, choices)


@registered()
async def review_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """rep:vp / rep:v / rep:acc / rep:ret buttons; permission and state are checked again on the server."""
    await answer_query(update)
    data = update.callback_query.data or ""
    parsed = callbacks.parse(data, Rep)
    if parsed and parsed[0] in (Rep.ACCEPT, Rep.RETURN):
        await drop_buttons(update)
    if not await dispatch_review(update, context, actor, data):
        await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))


async def dispatch_review(update: Update, context: BotContext, actor: Actor, data: str) -> bool:
    """Carry out a reading or reviewing button (pressed or chosen by number); False when the data is not one of
    these (every field must be a number)."""
    parsed = callbacks.parse(data, Rep)
    numbers = [int_or_none(f) for f in parsed[1]] if parsed else []
    if parsed is None or not numbers or None in numbers:
        return False
    _ = context.tr(actor.locale).gettext
    tr = context.tr(actor.locale)
    reports, code = context.services.reports, parsed[0]
    if code == Rep.VIEW_PERIOD and len(numbers) == 1:
        text, choices = period_reports_menu(tr, *reports.period_reports(actor, numbers[0]))
        if choices:
            await offer_choices(update, context, actor, text, choices)
        else:
            await reply(update, context, text)
        return True
    if code == Rep.VIEW and len(numbers) == 2:
        view = reports.view(actor, numbers[0], numbers[1])
        out = render_view(tr, view, can_review=reports.can_review(actor, numbers[0], view.ref.version))
        await reply(update, context, out.text, out.buttons)
        return True
    if code == Rep.ACCEPT and len(numbers) == 2:
        result = reports.accept(actor, numbers[0], numbers[1])
        # "told" only when a notice was queued for someone in the unit (it waits in the outbox if Zalo pauses)
        told = await tell_decision(context.bot, context.services, context.tr, actor, result)
        await reply(update, context, accepted_text(tr, result, told))
        return True
    if code == Rep.RETURN and len(numbers) == 2:
        ref = reports.check_reviewable(actor, numbers[0], numbers[1])
        context.services.dialogs.set(actor.person_id, COMMENT, {"report_id": ref.report_id, "version": ref.version})
        await reply(update, context, _("Please type your comment for {unit}: what should be revised in the {title}? "
                                       "(Type /cancel to cancel.)").format(unit=ref.unit_name, title=title_of(tr, ref)))
        return True
    return False


async def comment_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """The Office's comment for a report it returns; the report goes back to the unit with it."""
    _ = context.tr(actor.locale).gettext
    report_id, version = int(dialog.payload["report_id"]), int(dialog.payload["version"])
    try:
        result = context.services.reports.return_for_revision(actor, report_id, version,
                                                              update.effective_message.text or "")
    except CommentRefused as error:
        await reply(update, context, error_text(context, actor, error))
        return  # the comment is still awaited
    except DomainError as error:  # meanwhile accepted, returned by a colleague, or taken back by the unit
        context.services.dialogs.clear(actor.person_id, COMMENT)
        await reply(update, context, error_text(context, actor, error))
        return
    context.services.dialogs.clear(actor.person_id, COMMENT)
    await reply(update, context, _("Returned to {unit} for revision, with your comment. You will be notified when "
                                   "it is submitted again.").format(unit=result.ref.unit_name))
    await tell_decision(context.bot, context.services, context.tr, actor, result)


async def tell_decision(bot: Bot, services: Services, tr: Callable[[str], Translator], actor: Actor,
                        result: ReviewResult) -> int:
    """The other Office members (so nobody reviews the version twice) and the unit's people hear of a decision,
    taken in the chat or on the desk (bot/web/pages/reports.py); returns how many of the unit's people it was
    queued for."""
    for recipient in services.people.office_recipients():
        if recipient.person_id != actor.person_id:
            await deliver_with(bot, services, recipient, render_decision_for_office(tr(recipient.locale), result))
    told = 0
    for recipient in services.people.unit_recipients(result.ref.unit_id):
        told += await deliver_with(bot, services, recipient, render_decision_for_unit(tr(recipient.locale), result))
    return told


async def pick_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """A number typed for a numbered list (periods, units, reports)."""
    _ = context.tr(actor.locale).gettext
    choices = list(dialog.payload.get("choices") or [])
    number = int_or_none((update.effective_message.text or "").strip().rstrip("."))
    if number is None or not 1 <= number <= len(choices):
        await reply(update, context, _("Please type a number from 1 to {n}, or /cancel to cancel.").format(n=len(choices)))
        return
    data = choices[number - 1]
    context.services.dialogs.clear(actor.person_id, PICK)
    try:
        handled = await dispatch_fill(update, context, actor, data) or await dispatch_review(update, context, actor,
                                                                                                data)
    except DomainError as error:
        await reply(update, context, error_text(context, actor, error))
        return
    if not handled:
        await reply(update, context, _("This choice is no longer valid."))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, view_command))
    app.add_handler(CallbackQueryHandler(review_pressed, pattern=r"^rep:(vp|v|acc|ret):"))
    app.bot_data.dialog_routes[COMMENT] = DialogRoute(on_text=comment_typed)
    app.bot_data.dialog_routes[PICK] = DialogRoute(on_text=pick_typed)
