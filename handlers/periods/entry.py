"""/kybaocao (/periods): the Office opens and closes periods, moves dates, extends deadlines, edits the calendar."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Page, data_fields
from bot.domain import Actor, Button, DomainError, NotFound, PermissionDenied
from bot.i18n import N_, Translator
from bot.periods import PERIOD_STATE_LABELS, parse_vn_date, period_title
from bot.services.dialogs import Dialog
from bot.services.periods.base import PeriodInfo
from bot.text import clean_line, fold
from handlers.commands import CommandSpec
from handlers.common import answer_query, int_or_none, registered, reply
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.paging import list_for, page_rows

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


def period_line(tr: Translator, index: int, p: PeriodInfo, extensions: int = 0) -> str:
    _ = tr.gettext
    head = f"{index}. {period_title(tr, p.kind, p.year, p.phase)} [{p.code}] - {_(PERIOD_STATE_LABELS[p.state])}"
    body = _("Opens {opens}; deadline {deadline}; late reports until {closes}").format(
        opens=tr.short_date(p.opens_on), deadline=tr.short_date(p.deadline), closes=tr.short_date(p.closes_on))
    if extensions:
        body += "; " + _("extensions: {n} unit(s)").format(n=extensions)
    return f"{head}\n   {body}"


async def show_list(update: Update, context: BotContext, actor: Actor) -> None:
    tr = context.tr(actor.locale)
    _ = tr.gettext
    periods = context.services.periods.list_periods()
    lines = [_("Reporting periods:")]
    for i, p in enumerate(periods, start=1):
        lines.append(period_line(tr, i, p, len(context.services.periods.extensions(p.period_id))))
    lines += ["", _("Choose a number to manage a period, or type, for example:\n"
                    "/periods deadline 2026-Y 20/12/2026\n/periods extend 2026-Y khtc 30/12/2026 reason\n"
                    "/periods open 2026-Y   /periods close 2026-Y   /periods opens 2026-Y 15/11\n"
                    "/periods dayoff 31/12/2026 note   /periods workday 2/1/2027 note   /periods calendar")]
    buttons = page_rows(tr, Page.PERIODS, 0, period_buttons(context, actor, "0"))
    buttons.append([Button(_("Days off and make-up working days"), "per:cal:0")])
    await reply(update, context, "\n".join(lines), buttons)


@list_for(Page.PERIODS, per_row=4)
def period_buttons(context: BotContext, actor: Actor, _argument: str) -> list[Button]:
    """A numbered button per period, as numbered in the list."""
    _require_office(actor)
    return [Button(str(i), f"per:m:{p.period_id}")
            for i, p in enumerate(context.services.periods.list_periods(), start=1)]


@list_for(Page.EXTEND_UNITS, per_row=2)
def extend_buttons(context: BotContext, actor: Actor, period: str) -> list[Button]:
    """A button per unit, to extend period `period` for it."""
    _require_office(actor)
    target = int_or_none(period) or 0
    return [Button(u.short_name or u.code, f"per:exu:{target}:{u.unit_id}") for u in context.services.org.list_units()]


@list_for(Page.EXTENSIONS)
def unextend_buttons(context: BotContext, actor: Actor, period: str) -> list[Button]:
    """A button per unit with an extension of period `period`, to cancel it."""
    _require_office(actor)
    target = int_or_none(period) or 0
    return [Button(e.unit_name, f"per:unu:{target}:{e.unit_id}") for e in context.services.periods.extensions(target)]


def _require_office(actor: Actor) -> None:
    if not actor.is_office:
        raise PermissionDenied()


async def show_period(update: Update, context: BotContext, actor: Actor, period_id: int) -> None:
    tr = context.tr(actor.locale)
    _ = tr.gettext
    p = context.services.periods.get(period_id)
    extensions = context.services.periods.extensions(period_id)
    lines = [period_line(tr, 1, p)[3:]]
    for e in extensions:
        lines.append("   " + _("{unit}: extended to {date} ({reason})").format(
            unit=e.unit_name, date=tr.short_date(e.deadline), reason=e.reason))
    lines += ["", _("Typed forms: /periods open|close|opens|deadline|extend|unextend {code} ...").format(code=p.code)]
    pid = p.period_id
    toggle = Button(_("Close"), f"per:close:{pid}") if p.state == "open" else Button(_("Open now"), f"per:open:{pid}")
    buttons = [[toggle, Button(_("Change opening date"), f"per:ops:{pid}")],
               [Button(_("Change deadline"), f"per:dl:{pid}"), Button(_("Extend for a unit"), f"per:ext:{pid}")]]
    if extensions:
        buttons.append([Button(_("Cancel an extension"), f"per:unx:{pid}")])
    await reply(update, context, "\n".join(lines), buttons)


async def show_calendar(update: Update, context: BotContext, actor: Actor) -> None:
    tr = context.tr(actor.locale)
    _ = tr.gettext
    rows = context.services.periods.overrides()
    lines = [_("Exceptions to the working calendar (weekends and public holidays, Tết included, are known):")]
    if not rows:
        lines.append(_("None yet."))
    for r in rows:
        kind = _("make-up working day") if r.is_working else _("day off")
        note = f" - {r.note}" if r.note else ""
        lines.append(f"{tr.short_date(r.day)}: {kind}{note}")
    lines += ["", _("Type /periods dayoff 31/12/2026 note, /periods workday 2/1/2027 note or /periods clearday 31/12/2026.")]
    buttons = [[Button(_("Add a day off"), "per:off:0"), Button(_("Add a make-up working day"), "per:wrk:0")]]
    buttons += [[Button(_("Remove {date}").format(date=tr.short_date(r.day)), f"per:clr:{r.day:%Y%m%d}")]
                for r in rows[:10]]
    await reply(update, context, "\n".join(lines), buttons)


def changed_text(tr: Translator, p: PeriodInfo, today: date | None = None) -> str:
    """"Saved." and the period as it now stands; with `today`, a deadline already past is pointed out (every unit
    that has not submitted turns late at once, which the Office may mean, or may have mistyped)."""
    text = tr.gettext("Saved.") + "\n" + period_line(tr, 1, p)[3:]
    if today is not None and p.deadline < today:
        text += "\n" + tr.gettext("Note: this deadline has already passed, so a unit that has not submitted yet is "
                                   "now late.")
    return text


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
        await reply(update, context, _override_text(tr, row.day, row.is_working))
    elif action == "clearday" and rest:
        svc.clear_override(actor, _date(rest[0], context))
        await reply(update, context, tr.gettext("Saved."))
    elif action in ("open", "close", "show") and rest:
        period = _period(context, rest[0])
        if action == "show":
            await show_period(update, context, actor, period.period_id)
            return
        change = svc.open_now if action == "open" else svc.close
        await reply(update, context, changed_text(tr, change(actor, period.period_id)))
    elif action in ("opens", "deadline") and len(rest) >= 2:
        period = _period(context, rest[0])
        change = svc.set_opens_on if action == "opens" else svc.set_deadline
        today = context.services.clock.today() if action != "opens" else None
        await reply(update, context, changed_text(tr, change(actor, period.period_id, _date(rest[1], context)), today))
    elif action == "extend" and len(rest) >= 4:
        period, unit = _period(context, rest[0]), _unit(context, rest[1])
        info = svc.extend(actor, period.period_id, unit.unit_id, _date(rest[2], context), " ".join(rest[3:]))
        await reply(update, context, _extended_text(tr, unit.name, info))
    elif action == "unextend" and len(rest) >= 2:
        period, unit = _period(context, rest[0]), _unit(context, rest[1])
        svc.remove_extension(actor, period.period_id, unit.unit_id)
        await reply(update, context, tr.gettext("The extension for {unit} is cancelled.").format(unit=unit.name))
    else:
        await reply(update, context, tr.gettext(
            "Something is missing. For example: /periods deadline 2026-Y 20/12/2026 or "
            "/periods extend 2026-Y khtc 30/12/2026 reason."))


def _override_text(tr: Translator, day: date, is_working: bool) -> str:
    kind = tr.gettext("make-up working day") if is_working else tr.gettext("day off")
    return tr.gettext("Saved: {date} is a {kind}.").format(date=tr.date(day), kind=kind)


def _extended_text(tr: Translator, unit_name: str, info: PeriodInfo) -> str:
    return tr.gettext("Saved: {unit} now has until {date} ({reason}).").format(
        unit=unit_name, date=tr.date(info.deadline), reason=info.extension_reason)


@registered(_office)
async def period_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Buttons of /kybaocao: open a period, change it, pick a unit to extend, edit the calendar."""
    await answer_query(update)
    tr = context.tr(actor.locale)
    _ = tr.gettext
    data = update.callback_query.data
    fields = data_fields(data, "per", 2) or data_fields(data, "per", 3)
    target = int_or_none(fields[1]) if fields else None
    if fields is None or target is None:
        await reply(update, context, _("This button is no longer valid."))
        return
    action, svc, dialogs = fields[0], context.services.periods, context.services.dialogs
    if action == "m":
        await show_period(update, context, actor, target)
    elif action in ("open", "close"):
        change = svc.open_now if action == "open" else svc.close
        await reply(update, context, changed_text(tr, change(actor, target)))
    elif action in ("ops", "dl"):
        svc.get(target)
        dialogs.set(actor.person_id, OPENS if action == "ops" else DEADLINE, {"period_id": target})
        await reply(update, context, _("Please type the date, for example 20/12/2026 (or /cancel)."))
    elif action == "ext":
        buttons = page_rows(tr, Page.EXTEND_UNITS, target, extend_buttons(context, actor, str(target)))
        await reply(update, context, _("Which unit gets more time? (Or type /periods extend <period> <unit> "
                                       "<date> <reason>.)"), buttons)
    elif action == "exu" and len(fields) == 3 and int_or_none(fields[2]) is not None:
        unit = context.services.org.get_unit(int(fields[2]))
        dialogs.set(actor.person_id, EXT_DATE, {"period_id": target, "unit_id": unit.unit_id})
        await reply(update, context, _("New deadline for {unit}? Type a date, for example 30/12/2026 (or /cancel).")
                    .format(unit=unit.name))
    elif action == "unx":
        buttons = page_rows(tr, Page.EXTENSIONS, target, unextend_buttons(context, actor, str(target)))
        await reply(update, context, _("Whose extension should be cancelled?"), buttons)
    elif action == "unu" and len(fields) == 3 and int_or_none(fields[2]) is not None:
        svc.remove_extension(actor, target, int(fields[2]))
        await reply(update, context, _("Saved."))
    elif action == "cal":
        await show_calendar(update, context, actor)
    elif action in ("off", "wrk"):
        dialogs.set(actor.person_id, DAY_OFF if action == "off" else WORK_DAY)
        await reply(update, context, _("Please type the date and an optional note, for example "
                                       "\"31/12/2026 Nghỉ bù\" (or /cancel)."))
    elif action == "clr":
        day = date(target // 10000, target // 100 % 100, target % 100) if 19000101 < target < 21000101 else None
        if day is None:
            await reply(update, context, _("This button is no longer valid."))
            return
        svc.clear_override(actor, day)
        await reply(update, context, _("Saved."))
    else:
        await reply(update, context, _("This button is no longer valid."))


async def date_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """The date (and note or reason) typed after a /kybaocao button."""
    tr = context.tr(actor.locale)
    dialogs, svc = context.services.dialogs, context.services.periods
    if not actor.is_office:
        dialogs.clear(actor.person_id)
        await reply(update, context, tr.gettext("You do not have permission to do this."))
        return
    text = clean_line(update.effective_message.text or "")
    payload = dialog.payload
    if dialog.kind == EXT_REASON:
        info = svc.extend(actor, payload["period_id"], payload["unit_id"], date.fromisoformat(payload["day"]), text)
        dialogs.clear(actor.person_id)
        await reply(update, context, _extended_text(tr, context.services.org.get_unit(payload["unit_id"]).name, info))
        return
    first, _sep, note = text.partition(" ") if dialog.kind in (DAY_OFF, WORK_DAY) else (text, "", "")
    day = _date(first, context)
    if dialog.kind in (DAY_OFF, WORK_DAY):
        row = svc.set_override(actor, day, dialog.kind == WORK_DAY, note)
        message = _override_text(tr, row.day, row.is_working)
    elif dialog.kind == EXT_DATE:
        period = svc.get(payload["period_id"])
        if day <= period.deadline:
            raise DomainError(N_("An extension must be later than the period's deadline ({deadline})."),
                              deadline=period.deadline.strftime("%d/%m/%Y"))
        dialogs.set(actor.person_id, EXT_REASON, {**payload, "day": day.isoformat()})
        await reply(update, context, tr.gettext("Please type the reason for the extension (or /cancel)."))
        return
    else:
        change = svc.set_opens_on if dialog.kind == OPENS else svc.set_deadline
        message = changed_text(tr, change(actor, payload["period_id"], day),
                               context.services.clock.today() if dialog.kind != OPENS else None)
    dialogs.clear(actor.person_id)
    await reply(update, context, message)


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, periods_command))
    app.add_handler(CallbackQueryHandler(period_pressed, pattern=r"^per:"))
    route = DialogRoute(on_text=date_typed)
    for kind in (OPENS, DEADLINE, EXT_DATE, EXT_REASON, DAY_OFF, WORK_DAY):
        app.bot_data.dialog_routes[kind] = route
