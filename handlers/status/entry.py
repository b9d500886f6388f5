"""/tinhhinh (/status) and /bieudo (/chart); the group's status message and its scheduled summaries."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from datetime import timedelta

from telegram import Bot, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import St, data, parse
from bot.domain import Actor, Button
from bot.i18n import N_, Translator
from bot.services import Services
from bot.services.dialogs import Dialog
from bot.services.periods.base import PeriodInfo
from bot.services.status.service import BOARD_REF, SUMMARY_REF, can_see_status, digest
from bot.services.status.schedule import AFTER_DEADLINE, SummarySchedule, due_moments
from bot.text import fold
from bot.transport.policy import NOTIFY
from bot.transport.outbox import for_group, priority
from handlers.commands import CommandSpec
from handlers.common import answer_query, int_or_none, registered, reply
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.status.render import (board_text, chart_caption, period_choice_text, period_label, stamped, status_text,
                                    summary_text)

log = logging.getLogger(__name__)
COMMANDS = [
    CommandSpec("tinhhinh", "status", N_("Status of the units' reports for a period"), can_see_status,
                in_groups=True),
    CommandSpec("bieudo", "chart", N_("Chart of the units' reports and key indicators"), can_see_status,
                in_groups=True),
]
PICK = "status_pick"  # dialog: the person answers the period choice by typing its number or code
PeriodAction = Callable[[Update, BotContext, Actor, int], Awaitable[None]]
ACTIONS: dict[str, PeriodAction] = {}  # "show", "chart", "export" (registered by handlers/official_report)
GROUP_SAFE = frozenset({"show", "chart"})  # what a group may be shown (README "Group chats"); not "export"


def group_chat(services_settings) -> str:  # noqa: ANN001
    """The group that holds the status message: the leadership group, else the Administration Office's."""
    return (services_settings.leadership_chat_id or services_settings.office_chat_id or "").strip()


def find_period(periods: list[PeriodInfo], word: str) -> PeriodInfo | None:
    """A period from a typed word: its number in the list or its code ("2026-Y")."""
    number = int_or_none(word.strip().rstrip("."))
    if number is not None and 1 <= number <= len(periods):
        return periods[number - 1]
    return next((p for p in periods if fold(p.code) == fold(word)), None)


async def choose_period(update: Update, context: BotContext, actor: Actor, action: str) -> None:
    """Run `action` for the period named in the arguments, the only open one, or ask which period."""
    _ = context.tr(actor.locale).gettext
    periods = context.services.status.choices(actor)
    if not periods:
        await reply(update, context, _("No reporting period has opened yet."))
        return
    chosen = find_period(periods, " ".join(context.args)) if context.args else None
    open_now = [p for p in periods if p.is_open]
    if chosen is None and not context.args and len(open_now) == 1:
        chosen = open_now[0]
    if chosen is not None:
        await ACTIONS[action](update, context, actor, chosen.period_id)
        return
    tr = context.tr(actor.locale)
    context.services.dialogs.set(actor.person_id, PICK, {"action": action, "ids": [p.period_id for p in periods]})
    buttons = [[Button(f"{i}. {period_label(tr, p)}", data(St(action), p.period_id))]
               for i, p in enumerate(periods, start=1)]
    with for_group() if action in GROUP_SAFE else nullcontext():  # the periods' names: fit for a group
        await reply(update, context, period_choice_text(tr, periods), buttons)


async def period_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """The number or code typed after the period choice."""
    _ = context.tr(actor.locale).gettext
    periods = context.services.status.choices(actor)
    chosen = find_period(periods, update.effective_message.text or "")
    action = str(dialog.payload.get("action", "show"))
    if chosen is None or action not in ACTIONS:
        await reply(update, context, _("Please type one of the numbers in the list, or /cancel."))
        return
    context.services.dialogs.clear(actor.person_id)
    await ACTIONS[action](update, context, actor, chosen.period_id)


async def show_status(update: Update, context: BotContext, actor: Actor, period_id: int) -> None:
    """The full status of one period, with buttons for the chart and the official report."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    consolidation = context.services.status.consolidation(actor, period_id)
    buttons = [[Button(_("Chart"), data(St.CHART, period_id)),
                Button(_("Official report"), data(St.EXPORT, period_id))]]
    chat = update.effective_chat
    in_group = chat is not None and chat.type != "private"
    with for_group():  # in a group: no difficulty titles, and "Official report" is answered in private
        await reply(update, context, status_text(consolidation, tr, in_group=in_group), buttons)


async def send_chart(update: Update, context: BotContext, actor: Actor, period_id: int) -> None:
    """A PNG chart of the period (states per unit, capital disbursed, other indicators)."""
    tr = context.tr(actor.locale)
    consolidation = context.services.status.consolidation(actor, period_id)
    from bot.documents.chart import build_chart  # matplotlib loads only when a chart is drawn

    png = build_chart(consolidation, tr, context.services.status.short_names())
    with for_group():
        await context.bot.send_photo(update.effective_chat.id, png, caption=chart_caption(tr, consolidation.period))


@registered(can_see_status)
async def status_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/tinhhinh [number or code]: the consolidated status of a period."""
    await choose_period(update, context, actor, "show")


@registered(can_see_status)
async def chart_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/bieudo [number or code]: the chart of a period."""
    await choose_period(update, context, actor, "chart")


@registered(can_see_status)
async def status_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Buttons "st:<action>:<period id>": re-checked on the server, stale or forged ones refused."""
    await answer_query(update)
    code, fields = parse(update.callback_query.data, St) or (None, [])
    period_id = int_or_none(fields[0]) if len(fields) == 1 else None
    if code is None or period_id is None or code not in ACTIONS:
        await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))
        return
    if {p.period_id for p in context.services.status.choices(actor)}.isdisjoint({period_id}):
        await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))
        return
    context.services.dialogs.clear(actor.person_id)
    await ACTIONS[code](update, context, actor, period_id)


# The group's message and summaries -------------------------------------------------------------------
async def refresh_board(bot: Bot, services: Services, tr: Translator, period_id: int, chat_id: str) -> None:
    """Edit the period's message in the group when its content changed; post it when missing or deleted.

    Through the outbox like every other message (one send budget): the post or edit is queued with the ref
    "board:<id>" in the same transaction that keeps the board's lease; the sender reports the message id and
    the outcome back (bot/transport/wiring.py), which frees the lease. Until then the next refresh waits.
    """
    status = services.status
    key = status.fingerprint(period_id)
    known = status.board(period_id, chat_id)
    if known is not None and known.message_id is not None and known.source_key == key:
        return  # nothing the board shows has changed: one aggregate query and done
    claim = status.claim_board(period_id, chat_id)
    if claim is None:
        return  # another process is posting or editing it, or a queued post or edit awaits its outcome
    try:
        consolidation = status.build(period_id)
        body = board_text(consolidation, tr)
        text_digest = digest(body)
        if claim.message_id is not None and claim.digest == text_digest:
            status.release_board(claim.board_id, source_key=key)
            return
        text = stamped(body, consolidation, tr)
        with services.db.unit_of_work(), priority(NOTIFY, f"{BOARD_REF}:{claim.board_id}"):
            if claim.message_id is not None:
                await bot.edit_message_text(text, chat_id=chat_id, message_id=claim.message_id)
            else:
                await bot.send_message(chat_id, text)
            status.board_queued(claim.board_id, text_digest=text_digest, source_key=key)
    except Exception:
        status.release_board(claim.board_id)  # free the lease: the next tick tries again
        raise


async def post_summaries(bot: Bot, services: Services, tr: Translator, schedule: SummarySchedule,
                         chat_id: str) -> None:
    """Each configured moment once per period: the unique row is claimed in the transaction that queues it,
    and the sender's outcome (ref "summary:<period id>:<moment>") frees it again if the post failed."""
    status, now = services.status, services.clock.now()
    for period in status.periods.list_periods():
        moments = [m for m in due_moments(period, now, schedule) if m not in status.summaries_posted(period.period_id)]
        for moment in moments:
            text = summary_text(status.build(period.period_id), tr, moment == AFTER_DEADLINE)
            with services.db.unit_of_work(), priority(NOTIFY, f"{SUMMARY_REF}:{period.period_id}:{moment}"):
                if status.claim_summary(period.period_id, moment, chat_id):
                    await bot.send_message(chat_id, text)


def register(app: BotApp) -> None:
    ACTIONS.update(show=show_status, chart=send_chart)
    app.add_handler(CommandHandler(COMMANDS[0].names, status_command))
    app.add_handler(CommandHandler(COMMANDS[1].names, chart_command))
    app.add_handler(CallbackQueryHandler(status_pressed, pattern=r"^st:"))
    app.bot_data.dialog_routes[PICK] = DialogRoute(on_text=period_typed)
    settings = app.bot_data.settings
    schedule = SummarySchedule.parse(settings.status_summary_weekdays, settings.status_summary_time,
                                     settings.status_summary_after_deadline)

    async def boards() -> None:
        chat_id = group_chat(app.bot_data.settings)
        if chat_id:
            tr = app.bot_data.i18n.get(app.bot_data.settings.default_locale)
            for period in app.bot_data.services.status.open_periods():
                await refresh_board(app.bot, app.bot_data.services, tr, period.period_id, chat_id)

    async def summaries() -> None:
        chat_id = group_chat(app.bot_data.settings)
        if chat_id:
            tr = app.bot_data.i18n.get(app.bot_data.settings.default_locale)
            await post_summaries(app.bot, app.bot_data.services, tr, schedule, chat_id)

    every = timedelta(minutes=max(1, settings.status_board_minutes))
    app.bot_data.ticker.add("status_board", every, boards)
    app.bot_data.ticker.add("status_summaries", every, summaries)
