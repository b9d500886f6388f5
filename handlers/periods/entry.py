"""/kybaocao (/periods): the Office opens and closes periods, moves dates, extends deadlines, edits the calendar."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Page, Per, data, parse
from bot.domain import Actor, Button, DomainError, NotFound, PermissionDenied
from bot.i18n import N_
from bot.periods import parse_vn_date
from bot.services.dialogs import Dialog
from bot.services.periods.base import PeriodInfo
from bot.text import clean_line, fold
from handlers.commands import CommandSpec
from handlers.common import answer_query, int_or_none, registered, reply, reply_out
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.paging import list_for, page_rows
from handlers.periods import render

COMMANDS = [CommandSpec("kybaocao", "periods", N_("Reporting periods, deadlines, extensions and days off"),
                        lambda a: a.is_office)]
OPENS, DEADLINE, EXT_DATE, EXT_REASON, DAY_OFF, WORK_DAY = (
    "per_opens", "per_deadline", "per_ext_date", "per_ext_reason", "per_day_off", "per_work_day")
WORDS = {"mo": "open", "open": "open", "dong": "close", "close": "close", "ngaymo": "opens", "opens": "opens",
         "han": "deadline", "hannop": "deadline", "deadline": "deadline", "giahan": "extend", "extend": "extend",
         "huygiahan": "unextend", "unextend": "unextend", "nghi": "dayoff", "dayoff": "dayoff",
         "lambu": "workday", "workday": "workday", "xoangay": "clearday", "clearday": "clearday",
         "lich": "calendar", "calendar": "calendar", "xem": "show", "show": "show"}
BAD_DATE = N_("\"{text}\" is not a valid date. Please type it as day/month/year, for example 20/12/2026.")


def _office(actor: Actor) -> bool:
    return actor.is_office


def _date(text: str, context: BotContext) -> date:
    day = parse_vn_date(text, context.services.clock.today())
    if day is None:
        raise DomainError(BAD_DATE, text=clean_line(text)[:40])
    return day


def _period(context: BotContext, word: str) -> PeriodInfo:
    period = context.services.periods.find(word)
    if period is None:
        raise NotFound(N_("No reporting period matches \"{word}\". Type /periods to see them."), word=word)
    return period


def _unit(context: BotContext, word: str):  # noqa: ANN202
    unit = context.services.org.find_unit(word)
    if unit is None:
        raise NotFound(N_("No unit matches \"{word}\". Type /units to see the codes."), word=word)
    return unit


async def show_list(update: Update, context: BotContext, actor: Actor) -> None:
    tr, svc = context.tr(actor.locale), context.services.periods
    text = render.list_text(tr, [(p, len(svc.extensions(p.period_id))) for p in svc.list_periods()])
    buttons = page_rows(tr, Page.PERIODS, 0, period_buttons(context, actor, "0"))
    buttons.append([render.calendar_button(tr)])
    await reply(update, context, text, buttons)


@list_for(Page.PERIODS, per_row=4)
def period_buttons(context: BotContext, actor: Actor, _argument: str) -> list[Button]:
    """A numbered button per period, as numbered in the list."""
    _require_office(actor)
    return [Button(str(i), data(Per.MENU, p.period_id))
            for i, p in enumerate(context.services.periods.list_periods(), start=1)]


@list_for(Page.EXTEND_UNITS, per_row=2)
def extend_buttons(context: BotContext, actor: Actor, period: str) -> list[Button]:
    """A button per unit, to extend period `period` for it."""
    _require_office(actor)
    target = int_or_none(period) or 0
    return [Button(u.short_name or u.code, data(Per.EXTEND_UNIT, target, u.unit_id)) for u in context.services.org.list_units()]


@list_for(Page.EXTENSIONS)
def unextend_buttons(context: BotContext, actor: Actor, period: str) -> list[Button]:
    """A button per unit with an extension of period `period`, to cancel it."""
    _require_office(actor)
    target = int_or_none(period) or 0
    return [Button(e.unit_name, data(Per.UNEXTEND_UNIT, target, e.unit_id)) for e in context.services.periods.extensions(target)]


def _require_office(actor: Actor) -> None:
    if not actor.is_office:
        raise PermissionDenied()


async def show_period(update: Update, context: BotContext, actor: Actor, period_id: int) -> None:
    tr = context.tr(actor.locale)
    period = context.services.periods.get(period_id)
    await reply_out(update, context, render.period_message(tr, period, context.services.periods.extensions(period_id)))


async def show_calendar(update: Update, context: BotContext, actor: Actor) -> None:
    await reply_out(update, context, render.calendar_message(context.tr(actor.locale),
                                                             context.services.periods.overrides()))


@registered(_office)
async def periods_command(update: Update, context: BotContext, actor: Actor) -> None:
    """List periods with buttons, or carry out a typed sub-command."""
    tr = context.tr(actor.locale)
    args, svc = context.args or [], context.services.periods
    action = WORDS.get(fold(args[0])) if args else None
    if action is None:
        await show_list(update, context, actor)
        return
    rest = args[1:]
    if action == "calendar":
        await show_calendar(update, context, actor)
    elif action in ("dayoff", "workday") and rest:
        row = svc.set_override(actor, _date(rest[0], context), action == "workday", " ".join(rest[1:]))
        await reply(update, context, render.override_text(tr, row.day, row.is_working))
    elif action == "clearday" and rest:
        svc.clear_override(actor, _date(rest[0], context))
        await reply(update, context, render.saved_text(tr))
    elif action in ("open", "close", "show") and rest:
        period = _period(context, rest[0])
        if action == "show":
            await show_period(update, context, actor, period.period_id)
            return
        change = svc.open_now if action == "open" else svc.close
        await reply(update, context, render.changed_text(tr, change(actor, period.period_id)))
    elif action in ("opens", "deadline") and len(rest) >= 2:
        period = _period(context, rest[0])
        change = svc.set_opens_on if action == "opens" else svc.set_deadline
        today = context.services.clock.today() if action != "opens" else None
        changed = change(actor, period.period_id, _date(rest[1], context))
        await reply(update, context, render.changed_text(tr, changed, today))
    elif action == "extend" and len(rest) >= 4:
        period, unit = _period(context, rest[0]), _unit(context, rest[1])
        info = svc.extend(actor, period.period_id, unit.unit_id, _date(rest[2], context), " ".join(rest[3:]))
        await reply(update, context, render.extended_text(tr, unit.name, info))
    elif action == "unextend" and len(rest) >= 2:
        period, unit = _period(context, rest[0]), _unit(context, rest[1])
        svc.remove_extension(actor, period.period_id, unit.unit_id)
        await reply(update, context, render.unextended_text(tr, unit.name))
    else:
        await reply(update, context, render.missing_text(tr))


@registered(_office)
async def period_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Buttons of /kybaocao: open a period, change it, pick a unit to extend, edit the calendar."""
    await answer_query(update)
    tr = context.tr(actor.locale)
    parsed = parse(update.callback_query.data, Per)
    fields = parsed[1] if parsed and len(parsed[1]) in (1, 2) else None
    target = int_or_none(fields[0]) if fields else None
    if parsed is None or fields is None or target is None:
        await reply(update, context, render.stale_button_text(tr))
        return
    action, svc, dialogs = parsed[0], context.services.periods, context.services.dialogs
    second = int_or_none(fields[1]) if len(fields) == 2 else None
    if action == Per.MENU:
        await show_period(update, context, actor, target)
    elif action in (Per.OPEN, Per.CLOSE):
        change = svc.open_now if action == Per.OPEN else svc.close
        await reply(update, context, render.changed_text(tr, change(actor, target)))
    elif action in (Per.OPENS, Per.DEADLINE):
        svc.get(target)
        dialogs.set(actor.person_id, OPENS if action == Per.OPENS else DEADLINE, {"period_id": target})
        await reply(update, context, render.date_prompt(tr))
    elif action == Per.EXTEND:
        buttons = page_rows(tr, Page.EXTEND_UNITS, target, extend_buttons(context, actor, str(target)))
        await reply(update, context, render.extend_unit_prompt(tr), buttons)
    elif action == Per.EXTEND_UNIT and second is not None:
        unit = context.services.org.get_unit(second)
        dialogs.set(actor.person_id, EXT_DATE, {"period_id": target, "unit_id": unit.unit_id})
        await reply(update, context, render.extension_date_prompt(tr, unit.name))
    elif action == Per.UNEXTEND:
        buttons = page_rows(tr, Page.EXTENSIONS, target, unextend_buttons(context, actor, str(target)))
        await reply(update, context, render.unextend_prompt(tr), buttons)
    elif action == Per.UNEXTEND_UNIT and second is not None:
        svc.remove_extension(actor, target, second)
        await reply(update, context, render.saved_text(tr))
    elif action == Per.CALENDAR:
        await show_calendar(update, context, actor)
    elif action in (Per.DAY_OFF, Per.WORK_DAY):
        dialogs.set(actor.person_id, DAY_OFF if action == Per.DAY_OFF else WORK_DAY)
        await reply(update, context, render.override_prompt(tr))
    elif action == Per.CLEAR_DAY:
        day = date(target // 10000, target // 100 % 100, target % 100) if 19000101 < target < 21000101 else None
        if day is None:
            await reply(update, context, render.stale_button_text(tr))
            return
        svc.clear_override(actor, day)
        await reply(update, context, render.saved_text(tr))
    else:
        await reply(update, context, render.stale_button_text(tr))


async def date_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """The date (and note or reason) typed after a /kybaocao button."""
    tr = context.tr(actor.locale)
    dialogs, svc = context.services.dialogs, context.services.periods
    if not actor.is_office:
        dialogs.clear(actor.person_id)
        await reply(update, context, render.not_allowed_text(tr))
        return
    text = clean_line(update.effective_message.text or "")
    payload = dialog.payload
    if dialog.kind == EXT_REASON:
        info = svc.extend(actor, payload["period_id"], payload["unit_id"], date.fromisoformat(payload["day"]), text)
        dialogs.clear(actor.person_id)
        unit = context.services.org.get_unit(payload["unit_id"])
        await reply(update, context, render.extended_text(tr, unit.name, info))
        return
    first, _sep, note = text.partition(" ") if dialog.kind in (DAY_OFF, WORK_DAY) else (text, "", "")
    day = _date(first, context)
    if dialog.kind in (DAY_OFF, WORK_DAY):
        row = svc.set_override(actor, day, dialog.kind == WORK_DAY, note)
        message = render.override_text(tr, row.day, row.is_working)
    elif dialog.kind == EXT_DATE:
        period = svc.get(payload["period_id"])
        if day <= period.deadline:
            raise DomainError(N_("An extension must be later than the period's deadline ({deadline})."),
                              deadline=period.deadline.strftime("%d/%m/%Y"))
        dialogs.set(actor.person_id, EXT_REASON, {**payload, "day": day.isoformat()})
        await reply(update, context, render.reason_prompt(tr))
        return
    else:
        change = svc.set_opens_on if dialog.kind == OPENS else svc.set_deadline
        message = render.changed_text(tr, change(actor, payload["period_id"], day),
                                      context.services.clock.today() if dialog.kind != OPENS else None)
    dialogs.clear(actor.person_id)
    await reply(update, context, message)


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, periods_command))
    app.add_handler(CallbackQueryHandler(period_pressed, pattern=r"^per:"))
    route = DialogRoute(on_text=date_typed)
    for kind in (OPENS, DEADLINE, EXT_DATE, EXT_REASON, DAY_OFF, WORK_DAY):
        app.bot_data.dialog_routes[kind] = route
