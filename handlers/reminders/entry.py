"""Reminders on Telegram: the periodic fan-out, /nhacnho (/remind) for the Office, /nhacsau (/later) and snooze."""

from __future__ import annotations

import os
import socket
from contextlib import nullcontext
from datetime import timedelta

from telegram import Bot, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Rem, data, parse
from bot.domain import Actor, Button
from bot.i18n import N_, I18n, Translator
from bot.transport.results import Outcome
from bot.services.reminders.base import DueReminder, FanOutReport
from handlers.reminders.render import (alert_message, no_open_period_text, notice_message, pending_text,
                                      remind_now_text, render, snoozed_text, zalo_quota_line)
from bot.services.reminders.refs import reminder_ref
from bot.services import Services
from bot.text import fold
from bot.config import Settings
from bot.transport.outbox import Outbox, priority
from bot.transport.policy import ANSWER, BULK
from handlers.commands import CommandSpec
from handlers.common import answer_query, deliver_with, drop_buttons, int_or_none, markup, registered, reply
from handlers.context import BotApp, BotContext

COMMANDS = [
    CommandSpec("nhacnho", "remind", N_("Remind the units that have not reported yet, now"), lambda a: a.is_office),
    CommandSpec("nhacsau", "later", N_("Remind me about my unit's report next working morning"),
                lambda a: a.reports_for_unit),
]
SEND_WORDS = {"gui", "send", "ngay", "now"}
AGAIN_WORDS = {"lai", "again", "guilai", "resend"}
WORKER = f"{socket.gethostname()}:{os.getpid()}"[:48]


# Sending ------------------------------------------------------------------------------------------------
async def fan_out(bot: Bot, services: Services, i18n: I18n, items: list[DueReminder],
                  worker: str = WORKER, batch: int = 20, settings: Settings | None = None) -> FanOutReport:
    """Each claim commits with its queued message (exactly once); the channel's sender sends them last in line
    (BULK priority) and reports each outcome back to the claim row (see bot.transport.wiring.outcome_hook)."""
    report = FanOutReport()
    skip = zalo_spent(services, settings)
    for start in range(0, len(items), batch):
        ambient = services.db.ambient()
        with nullcontext(ambient) if ambient is not None else services.db.unit_of_work():
            for item in items[start:start + batch]:
                row_id = services.reminders.claim(item, worker)
                if row_id is None:
                    report.lost_claims += 1
                    continue
                # One message per person and step, to the preferred channel only; the sender falls back to the
                # other channel if this one fails (bot.transport.fallback).
                # A person with only a spent channel (Zalo after a 429) is still queued there: it waits, never dropped.
                routes = services.addressing.deliverable(item.recipient, skip)
                if not routes:
                    services.reminders.finish(row_id, item, Outcome.UNREACHABLE, "no chat", office_told=False)
                    report.unreachable += 1
                    continue
                out = render(i18n.get(item.recipient.locale), item)
                with priority(BULK, reminder_ref(row_id)):
                    await bot.send_message(routes[0].chat_id, out.text, reply_markup=markup(out.buttons))
                report.sent += 1
    return report


def zalo_spent(services: Services, settings: Settings | None) -> frozenset[str]:
    """{"zalo"} while Zalo's quota is known to be used up (a 429 within the hour, or ZALO_MONTHLY_QUOTA reached),
    so a fan-out goes straight to the other channel instead of waiting for Zalo's pause to end."""
    quota = settings.zalo_monthly_quota if settings is not None else 0
    if services.addressing.quota_hit("zalo") or (
            quota > 0 and Outbox(services.db).sent_this_month("zalo", ANSWER, services.clock) >= quota):
        return frozenset({"zalo"})
    return frozenset()


async def send_alerts(bot: Bot, services: Services, i18n: I18n) -> None:
    """Tell the Office (once) who could not be reached."""
    alerts = services.reminders.claim_alerts()
    if not alerts:
        return
    for _target, recipient in services.reminders.office_targets():
        await deliver_with(bot, services, recipient, alert_message(i18n.get(recipient.locale), alerts))


async def send_notices(bot: Bot, services: Services, i18n: I18n) -> int:
    """Tell the Office, in one message, whose messages went to their other channel or nowhere (quota, block)."""
    lines = services.addressing.claim_notices()
    if lines:
        for _target, recipient in services.reminders.office_targets():
            await deliver_with(bot, services, recipient, notice_message(i18n.get(recipient.locale), lines))
    return len(lines)


def zalo_usage(services: Services, settings: Settings, tr: Translator) -> str | None:
    """The Office's line about Zalo's monthly quota, when Zalo is set up or someone has a Zalo account."""
    if not (settings.zalo_bot_token.get_secret_value() or services.addressing.zalo_people()):
        return None
    used = Outbox(services.db).sent_this_month("zalo", ANSWER, services.clock)
    return zalo_quota_line(tr, used, settings.zalo_monthly_quota, services.clock.today().month)


async def run_reminders(app: BotApp) -> FanOutReport | None:
    """The periodic task: everything due is derived from the database, so a second run or process is harmless."""
    services = app.bot_data.services
    services.reminders.expire_in_doubt()
    if not services.reminders.is_sending_time():
        return None
    items = services.reminders.due()
    report = await fan_out(app.bot, services, app.bot_data.i18n, items,
                           settings=app.bot_data.settings) if items else None
    await send_alerts(app.bot, services, app.bot_data.i18n)
    return report


# /nhacnho --------------------------------------------------------------------------------------------------
def _stamp(context: BotContext) -> str:
    """The minute the Office asked: the same button pressed twice, or twice within a minute, sends once."""
    return format(int(context.services.clock.now().timestamp()) // 60, "x")


@registered(lambda a: a.is_office)
async def remind_command(update: Update, context: BotContext, actor: Actor) -> None:
    """Show who is pending in each open period; "/nhacnho gui [code]" reminds them at once."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    pending = context.services.reminders.pending(actor)
    if context.args and fold(context.args[0]) in SEND_WORDS | AGAIN_WORDS:
        words = [fold(a) for a in context.args]
        force = bool(AGAIN_WORDS & set(words))
        codes = [w for w in words if w not in SEND_WORDS | AGAIN_WORDS]
        chosen = [p for p in pending if not codes or fold(p.period.code) in codes]
        if not chosen:
            await reply(update, context, _("No open reporting period has that code. Type /remind to see them."))
            return
        await _remind_now(update, context, actor, [p.period.period_id for p in chosen], _stamp(context), force)
        return
    usage = zalo_usage(context.services, context.bot_data.settings, tr)
    if not pending:
        await reply(update, context, no_open_period_text(tr, usage))
        return
    buttons = [[Button(_("Remind {code} now").format(code=item.period.code),
                       data(Rem.NOW, item.period.period_id, _stamp(context)))] for item in pending if item.units]
    await reply(update, context, pending_text(tr, pending, usage), buttons)


async def _remind_now(update: Update, context: BotContext, actor: Actor, period_ids: list[int], stamp: str,
                     force: bool = False) -> None:
    """One message per person for all the chosen periods; who was reminded earlier today is named, not reminded."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    services = context.services
    plan = services.reminders.manual(actor, period_ids, stamp, force)
    periods = [services.periods.get(period_id) for period_id in period_ids]
    report = await fan_out(context.bot, services, context.bot_data.i18n, plan.items,
                           settings=context.bot_data.settings) if plan.items else FanOutReport()
    # Queued, not yet delivered: the sender sends them after this reply; /nhacnho counts what was delivered.
    buttons = []
    if plan.recent or plan.snoozed:
        target = period_ids[0] if len(period_ids) == 1 else 0
        buttons.append([Button(_("Remind them anyway"), data(Rem.AGAIN, target, stamp))])
    alerts = services.reminders.claim_alerts()
    await reply(update, context, remind_now_text(tr, periods, plan, report, alerts), buttons)


# Snooze ------------------------------------------------------------------------------------------------
@registered(lambda a: a.reports_for_unit)
async def later_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/nhacsau: the typed form of "Remind me later", for every period the unit has not sent."""
    tr = context.tr(actor.locale)
    when, count = context.services.reminders.snooze_all(actor)
    if not count:
        await reply(update, context, tr.gettext("Your unit has no report waiting to be sent."))
        return
    await reply(update, context, snoozed_text(tr, when))


@registered()
async def reminder_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Buttons "Remind me later" (rem:snz:<period>) and the Office's "Remind now" (rem:now:<period>:<stamp>)."""
    await answer_query(update)
    tr = context.tr(actor.locale)
    code, fields = parse(update.callback_query.data, Rem) or (None, [])
    period_id = int_or_none(fields[0]) if fields else None
    if code == Rem.SNOOZE and len(fields) == 1 and period_id is not None:
        when = context.services.reminders.snooze(actor, period_id)
        await drop_buttons(update, acknowledge=True)  # the reminder's buttons have done their work
        await reply(update, context, snoozed_text(tr, when))
    elif code in (Rem.NOW, Rem.AGAIN) and len(fields) == 2 and period_id is not None and actor.is_office:
        ids = [period_id] if period_id else [p.period.period_id for p in context.services.reminders.pending(actor)]
        await _remind_now(update, context, actor, ids, fields[1][:12], force=code == Rem.AGAIN)
    elif code in (Rem.NOW, Rem.AGAIN):
        await reply(update, context, tr.gettext("You do not have permission to do this."))
    else:
        await reply(update, context, tr.gettext("This button is no longer valid."))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, remind_command))
    app.add_handler(CommandHandler(COMMANDS[1].names, later_command))
    app.add_handler(CallbackQueryHandler(reminder_pressed, pattern=r"^rem:"))
    app.bot_data.ticker.add("reminders", timedelta(minutes=5), lambda: run_reminders(app))
    app.bot_data.ticker.add("delivery-notices", timedelta(minutes=1),
                            lambda: send_notices(app.bot, app.bot_data.services, app.bot_data.i18n))
