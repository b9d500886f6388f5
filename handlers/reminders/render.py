"""Reminder, digest and alert texts: plain text with buttons that also work typed (Zalo has no buttons)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.callbacks import Rem, Rep, data
from bot.contracts import UNIT_STAGE_LABELS, UnitStage
from bot.domain import Button, OutMessage
from bot.i18n import Translator
from bot.periods import period_title
from bot.services.reminders.base import AlertLine, DueReminder, FanOutReport, UnitLine
from bot.services.identity.addressing import BLOCKED, LATER, QUOTA, NoticeLine
from bot.services.identity.base import CHANNEL_NAMES

if TYPE_CHECKING:
    from bot.services.periods.base import PeriodInfo
    from bot.services.reminders.service import ManualPlan, PendingPeriod


def left_text(tr: Translator, today: date, deadline: date, days_left: int) -> str:
    """"còn 3 ngày làm việc", "hôm nay là hạn cuối", "đã quá hạn 2 ngày làm việc"."""
    _ = tr.gettext
    if days_left > 1:
        return _("{n} working days left").format(n=days_left)
    if days_left == 1:
        return _("1 working day left")
    if days_left == 0 and today == deadline:
        return _("the deadline is today")
    if days_left == 0 and today < deadline:
        return _("today is the last working day before the deadline")
    if days_left == -1:
        return _("1 working day overdue")
    if days_left < -1:
        return _("{n} working days overdue").format(n=-days_left)
    return _("overdue")


def progress_text(tr: Translator, unit: UnitLine) -> str:
    _ = tr.gettext
    if unit.stage == UnitStage.RETURNED:
        return _("Progress: the report was returned for revision ({answered}/{total} questions answered).").format(
            answered=unit.answered, total=unit.total)
    if unit.answered and unit.total:
        return _("Progress: {answered}/{total} questions answered in the draft.").format(
            answered=unit.answered, total=unit.total)
    return _("Progress: not started yet.")


def reminder_message(tr: Translator, item: DueReminder, today: date, days_left: int) -> OutMessage:
    """The message a unit head or deputy receives."""
    _ = tr.gettext
    lines = [_("Dear {name},").format(name=item.recipient.full_name), *_period_lines(tr, item, today, days_left),
             _("Type /report to work on the report, or /later to be reminded again next working morning.")]
    return OutMessage("\n".join(lines), [_buttons(tr, item)])


def _buttons(tr: Translator, item: DueReminder, with_code: bool = False) -> list[Button]:
    _ = tr.gettext
    assert item.unit is not None
    start = _("Continue the report") if item.unit.answered else _("Start the report")
    later = _("Remind me later")
    if with_code:
        start, later = f"{start} ({item.period.code})", f"{later} ({item.period.code})"
    pid = item.period.period_id
    return [Button(start, data(Rep.OPEN, pid)), Button(later, data(Rem.SNOOZE, pid))]


def bundle_message(tr: Translator, item: DueReminder) -> OutMessage:
    """Everything due for one person at one moment, in one message: each period's lines, one greeting."""
    _ = tr.gettext
    personal = any(part.kind != "digest" for part in item.parts)
    lines = [_("Dear {name},").format(name=item.recipient.full_name)] if personal else []
    rows = []
    for part in item.parts:
        if lines:
            lines.append("")
        if part.kind == "digest":
            lines.append(digest_message(tr, part, part.today, part.days_left).text)
            continue
        lines += _period_lines(tr, part, part.today, part.days_left)
        rows.append(_buttons(tr, part, with_code=True))
    if rows:
        lines += ["", _("Type /report to work on the report, or /later to be reminded again next working morning.")]
    return OutMessage("\n".join(lines), rows)


def _period_lines(tr: Translator, item: DueReminder, today: date, days_left: int) -> list[str]:
    """What one reminder says about one period: why, the deadline, the unit's progress."""
    _ = tr.gettext
    unit = item.unit
    assert unit is not None
    title = period_title(tr, item.period.kind, item.period.year, item.period.phase)
    if item.kind == "open":
        lead = _("The reporting period is now open. Please complete {unit}'s report and send it through the "
                 "Emulation Assistant.")
    elif item.kind == "manual":
        lead = _("The Administration Office asks you to complete and send {unit}'s report.")
    elif item.kind == "snooze":
        lead = _("As you asked, here is your reminder: please complete and send {unit}'s report.")
    elif days_left < 0 or today > unit.deadline:
        lead = _("{unit}'s report is overdue. Please complete and send it as soon as possible.")
    else:
        lead = _("Please complete and send {unit}'s report on time.")
    lines = [
        lead.format(unit=unit.unit_name),
        _("Reporting period: {title}; deadline: {date} ({left}).").format(
            title=title, date=tr.date(unit.deadline), left=left_text(tr, today, unit.deadline, days_left)),
    ]
    if unit.extension_reason:
        lines.append(_("Your unit's deadline was extended: {reason}.").format(reason=unit.extension_reason.rstrip(".")))
    lines.append(progress_text(tr, unit))
    return lines


def unit_line_text(tr: Translator, unit: UnitLine, period_deadline: date | None) -> str:
    """A bullet, not a number: on Zalo the menu under the list is numbered, and "1." must mean one thing."""
    _ = tr.gettext
    text = f"- {unit.unit_name} - {_(UNIT_STAGE_LABELS[unit.stage])}"
    if unit.answered and unit.total:
        text += f" ({unit.answered}/{unit.total})"
    if period_deadline is not None and unit.deadline != period_deadline:
        text += " - " + _("extended to {date}").format(date=tr.short_date(unit.deadline))
    return text


def digest_message(tr: Translator, item: DueReminder, today: date, days_left: int) -> OutMessage:
    """The Office's list of units still pending, the working day(s) before a deadline."""
    _ = tr.gettext
    title = period_title(tr, item.period.kind, item.period.year, item.period.phase)
    deadline = item.pending[0].deadline
    lines = [_("To the Administration Office:"),
             _("Units that have not yet sent the report \"{title}\" (deadline: {date}; {left}):").format(
                 title=title, date=tr.date(deadline), left=left_text(tr, today, deadline, days_left))]
    lines += [unit_line_text(tr, u, None) for u in item.pending]
    if item.unreachable:
        lines.append(_("Cannot be reached through the bot: {names}.").format(names=", ".join(item.unreachable)))
    lines.append(_("Type /remind to remind every pending unit now."))
    return OutMessage("\n".join(lines))


def alert_message(tr: Translator, alerts: list[AlertLine]) -> OutMessage:
    """The Office learns who did not receive a reminder, so it can call them."""
    _ = tr.gettext
    lines = [_("Reminders could not be delivered to:")]
    for alert in alerts:
        why = _("has blocked the bot") if alert.blocked else _("no chat the bot can reach, on Telegram or Zalo")
        unit = f" ({alert.unit_name})" if alert.unit_name else ""
        lines.append(f"- {alert.person_name}{unit}: {why}")
    lines.append(_("Please contact them directly."))
    return OutMessage("\n".join(lines))


def zalo_quota_line(tr: Translator, used: int, quota: int, month: int) -> str:
    """What the Office sees of Zalo's monthly quota: messages sent this month, against the plan's figure if known."""
    _ = tr.gettext
    if quota > 0:
        return _("Zalo: {used}/{quota} messages sent in month {month}.").format(
            used=tr.number(used, 0), quota=tr.number(quota, 0), month=month)
    return _("Zalo: {used} messages sent in month {month}.").format(used=tr.number(used, 0), month=month)


def notice_message(tr: Translator, lines: list[NoticeLine]) -> OutMessage:
    """The Office's one combined notice: whose messages could not go on their channel, why, and what was done."""
    _ = tr.gettext
    reasons = {QUOTA: _("the platform refused for its usage limit (possibly the monthly quota)"),
               BLOCKED: _("they have blocked the bot")}
    text = [_("Some messages could not be sent on the usual channel:")]
    for line in lines:
        unit = f" ({line.unit_name})" if line.unit_name else ""
        why = reasons.get(line.reason, line.reason)
        channel = CHANNEL_NAMES.get(line.channel, line.channel)
        if line.fallback == LATER:
            done = _("kept, and sent as soon as {channel} accepts messages again").format(channel=channel)
        elif line.fallback:
            done = _("sent on {channel} instead").format(channel=CHANNEL_NAMES.get(line.fallback, line.fallback))
        else:
            done = _("no other channel: not delivered, please contact them directly")
        text.append(f"- {line.person_name}{unit}: {channel}, {why}; {done}.")
    return OutMessage("\n".join(text))


def render(tr: Translator, item: DueReminder) -> OutMessage:
    """The message for any due item."""
    if item.kind == "bundle":
        return bundle_message(tr, item)
    if item.kind == "digest":
        return digest_message(tr, item, item.today, item.days_left)
    return reminder_message(tr, item, item.today, item.days_left)


def no_open_period_text(tr: Translator, usage: str | None) -> str:
    """/remind when no period is open: that, and Zalo's quota line if it has one."""
    return "\n".join([tr.gettext("No reporting period is open."), *([usage] if usage else [])])


def pending_text(tr: Translator, pending: list[PendingPeriod], usage: str | None) -> str:
    """/remind: each open period's pending units, who would be reminded now and who not, then how to send."""
    _ = tr.gettext
    lines: list[str] = []
    for item in pending:
        title = period_title(tr, item.period.kind, item.period.year, item.period.phase)
        lines.append(f"{title} [{item.period.code}] - " + _("deadline: {date}").format(
            date=tr.date(item.period.deadline)))
        if not item.units:
            lines += [_("Every unit has sent its report."), ""]
            continue
        lines.append(_("Units that have not sent yet ({n}):").format(n=len(item.units)))
        lines += [unit_line_text(tr, u, item.period.deadline) for u in item.units]
        lines.append(_("{n} people will receive the reminder.").format(
            n=item.people - item.reminded_today - item.snoozed))
        if item.delivered_today or item.waiting_today:
            lines.append(_("Reminders today: {delivered} delivered, {waiting} still waiting to be sent.").format(
                delivered=item.delivered_today, waiting=item.waiting_today))
        if item.reminded_today:
            lines.append(_("{n} others were already reminded about this period today and will not be reminded "
                           "again now.").format(n=item.reminded_today))
        if item.snoozed:
            lines.append(_("{n} others asked to be reminded later and will not be reminded before the time they "
                           "chose.").format(n=item.snoozed))
        if item.unreachable:
            lines.append(_("Cannot be reached through the bot: {names}.").format(names=", ".join(item.unreachable)))
        lines.append("")
    if usage:
        lines += [usage, ""]
    lines.append(_("Choose an item, or type /remind send (every open period) or /remind send {code}.").format(
        code=pending[0].period.code))
    return "\n".join(lines)


def remind_now_text(tr: Translator, periods: list[PeriodInfo], plan: ManualPlan, report: FanOutReport,
                    alerts: list[AlertLine]) -> str:
    """What /remind send answers: how many are being sent, who was left out and why, what could not go."""
    _ = tr.gettext
    titles = [period_title(tr, info.kind, info.year, info.phase) for info in periods]
    lines = [_("Reminders for \"{title}\": {sent} being sent. Type /remind to see how many have been delivered.")
             .format(title="\", \"".join(titles), sent=report.sent)]
    if plan.already or report.lost_claims:
        lines.append(_("{n} had already been reminded by this request.").format(n=plan.already + report.lost_claims))
    if plan.recent:
        names = ", ".join(f"{r.name} ({tr.time(r.at)}"
                          + (" - " + _("by the schedule") if r.by_schedule else "") + ")" for r in plan.recent)
        lines.append(_("Not reminded again, as they were reminded earlier today: {names}.").format(names=names))
    if plan.snoozed:
        names = ", ".join(f"{s.name} ({tr.datetime(s.until)})" for s in plan.snoozed)
        lines.append(_("Not reminded now, as they asked to be reminded later: {names}.").format(names=names))
    if plan.recent or plan.snoozed:
        lines.append(_("To remind them anyway, choose \"Remind them anyway\" or type /remind send again."))
    if report.blocked or report.unreachable:
        lines.append(_("{n} could not be reached.").format(n=report.blocked + report.unreachable))
    if report.in_doubt or report.failed or report.released:
        lines.append(_("{n} could not be sent now; the bot will try again later where it is safe.").format(
            n=report.in_doubt + report.failed + report.released))
    if alerts:
        lines += ["", alert_message(tr, alerts).text]
    return "\n".join(lines)


def snoozed_text(tr: Translator, when: datetime) -> str:
    """"Remind me later" taken: when the reminder comes."""
    return tr.gettext("Noted. I will remind you again at {time} on {date}.").format(
        time=tr.time(when), date=tr.date(tr.local_date(when)))
