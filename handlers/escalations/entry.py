"""/vuongmac (/issue): difficulties escalated to the Director through the Administration Office.

One command for everyone, its view chosen by role: a unit head sees and raises the unit's items; the Office and
the Director see every item with filters by state and unit and the overdue list; a deputy director sees the items
assigned to them. Typed forms: /vuongmac moi | <number> [action [text]] | <filter> [unit code] | <unit code>.
"""

from __future__ import annotations

import re
from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Esc, Page, data, parse
from bot.contracts import EscalationState as S
from bot.domain import Actor, Button, DomainError, NotFound, PermissionDenied
from bot.i18n import N_
from bot.services.escalations.core import OPEN_STATES, Superseded
from bot.text import fold, nfc, parse_id, parse_index, parse_int
from handlers.commands import CommandSpec
from handlers.common import answer_query, int_or_none, registered, reply
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.paging import list_for, page_rows
from handlers.escalations.actions import (PROMPTS, TEXT_DIALOG, ask_for_text, deputies, duplicate_target,
                                         file_answered, press_action, run_action, send_attachment, text_answered)
from handlers.escalations.notify import Notifier
from handlers.escalations.raising import (NEW_DIALOG, raise_file, raise_pressed, raise_text, start_from_report,
                                       start_raise)
from handlers.escalations.render import (ACTS, action_buttons, assign_prompt, available, detail, list_text,
                                        superseded_text, typed_hint)


def _audience(actor: Actor) -> bool:
    return actor.reports_for_unit or actor.sees_all_units


COMMANDS = [CommandSpec("vuongmac", "issue", N_("Difficulties for the Director: raise, follow, answer"), _audience)]
NEW_WORDS = {"moi", "new", "neu", "raise", "taomoi"}
# Filter code -> (states, list title msgid, short button label msgid)
FILTERS: dict[str, tuple[tuple[S, ...] | None, str, str]] = {
    "all": (OPEN_STATES, N_("all open items"), N_("All open")),
    "off": ((S.NEW, S.WITH_OFFICE), N_("waiting for the Administration Office"), N_("With the Office")),
    "inf": ((S.INFO_REQUESTED,), N_("more information requested"), N_("Info requested")),
    "fwd": ((S.FORWARDED,), N_("forwarded to the Director"), N_("With the Director")),
    "ins": ((S.INSTRUCTED,), N_("answered, waiting for confirmation"), N_("Answered")),
    "cls": ((S.CLOSED,), N_("closed items"), N_("Closed")),
    "ovd": (None, N_("overdue items"), N_("Overdue")),
}
FILTER_WORDS = {
    "tatca": "all", "all": "all", "choxuly": "off", "office": "off", "bosung": "inf", "info": "inf",
    "dachuyen": "fwd", "forwarded": "fwd", "dachidao": "ins", "answered": "ins", "dadong": "cls", "closed": "cls",
    "quahan": "ovd", "overdue": "ovd",
}
ITEM_ACTION = re.compile(r"^/\S+\s+#?(\d+)\s+(\S+)\s*(.*)$", re.DOTALL)
LIST_LIMIT = 30


def _word_to_code(word: str) -> str | None:
    key = fold(word)
    return next((code for code, (_a, vi, en, _l) in ACTS.items() if key in (vi, en)), None)


@registered(_audience)
async def escalation_command(update: Update, context: BotContext, actor: Actor) -> None:
    """The person's list, a new difficulty, an item's detail, a typed action, or a filtered list."""
    args = context.args or []
    if not args:
        await show_list(update, context, actor, "all", None)
        return
    first = fold(args[0])
    if first in NEW_WORDS:
        await start_raise(update, context, actor)
        return
    item_id = parse_id(args[0])
    if item_id is not None or args[0].lstrip("#")[:1].isdigit():  # "3000000000", "²": no such item
        if item_id is None:
            raise NotFound()
        if len(args) == 1:
            await show_detail(update, context, actor, item_id)
        else:
            await typed_action(update, context, actor, item_id)
        return
    if first in FILTER_WORDS:
        unit = context.services.org.find_unit(args[1]) if len(args) > 1 else None
        await show_list(update, context, actor, FILTER_WORDS[first], unit.unit_id if unit else None)
        return
    unit = context.services.org.find_unit(" ".join(args))
    if unit is not None and actor.sees_all_units:
        await show_list(update, context, actor, "all", unit.unit_id)
        return
    raise DomainError(N_("I did not understand. Type /issue for your list, /issue new to raise a difficulty, or "
                         "/issue <number> to open an item."))


async def typed_action(update: Update, context: BotContext, actor: Actor, item_id: int) -> None:
    """"/vuongmac 12 chuyen Kính trình ...": the typed form of every button."""
    match = ITEM_ACTION.match(nfc(update.effective_message.text or ""))
    code = _word_to_code(match.group(2)) if match else None
    if code is None:
        raise DomainError(N_("Unknown action. Type /issue {id} to see what you can do with this item."), id=item_id)
    rest = match.group(3).strip()
    try:
        if code == "asg":
            await typed_assign(update, context, actor, item_id, rest)
        elif code == "dup" and rest:
            of_id, note = duplicate_target(rest)
            await run_action(update, context, actor, code, item_id, note, arg=of_id)
        elif code in PROMPTS and not rest:
            await ask_for_text(update, context, actor, code, item_id)
        else:
            await run_action(update, context, actor, code, item_id, rest or None)
    except Superseded as refused:
        await reply(update, context, superseded_text(context.tr(actor.locale), refused))


async def typed_assign(update: Update, context: BotContext, actor: Actor, item_id: int, rest: str) -> None:
    """"/vuongmac 12 giao 1" or "... giao Ngọc": a deputy director by number in the list or by name."""
    people = deputies(context)
    chosen = None
    if (index := parse_index(rest, len(people))) is not None:
        chosen = people[index - 1]
    elif rest and parse_int(rest) is None:
        chosen = next((p for p in people if fold(rest) in fold(p.full_name)), None)
    if chosen is None:
        await reply(update, context, assign_prompt(context.tr(actor.locale), item_id, people))
        return
    await run_action(update, context, actor, "asg", item_id, arg=chosen.person_id)


async def show_list(update: Update, context: BotContext, actor: Actor, code: str, unit_id: int | None) -> None:
    """A list of items with their states, the filters, and a button per item."""
    tr, svc = context.tr(actor.locale), context.services.escalations
    states, label, _short = FILTERS[code]
    views = svc.overdue(actor) if code == "ovd" else svc.list_items(actor, states=states, unit_id=unit_id)
    if code == "ovd" and unit_id is not None:
        views = [v for v in views if v.unit_id == unit_id]
    unit_name = context.services.org.get_unit(unit_id).name if unit_id else None
    text = list_text(tr, actor, label, unit_name, views, LIST_LIMIT,
                     closed_hint=not actor.sees_all_units and code != "cls" and not views)
    items = [Button(f"#{v.item_id}", data(Esc.VIEW, v.item_id, 0)) for v in views[:LIST_LIMIT]]
    rows = [items[i:i + 5] for i in range(0, len(items), 5)]
    if actor.sees_all_units:
        filters = [Button(tr.gettext(FILTERS[c][2]), data(Esc.LIST, unit_id or 0, c))
                   for c in ("all", "off", "inf", "fwd", "ins", "cls", "ovd")]
        filters.append(Button(tr.gettext("By unit"), data(Esc.UNITS, 0, code)))
        rows += [filters[i:i + 4] for i in range(0, len(filters), 4)]
    if actor.reports_for_unit:
        rows.append([Button(tr.gettext("Raise a new difficulty"), data(Esc.NEW, 0, 0))])
    if not actor.sees_all_units and code != "cls":  # a unit's closed items stay one tap (or word) away
        closed = FILTERS["cls"][2]
        rows.append([Button(tr.gettext(closed), data(Esc.LIST, unit_id or 0, "cls"))])
    await reply(update, context, text, rows)


@list_for(Page.ESC_UNITS, per_row=2)
def unit_buttons(context: BotContext, actor: Actor, code: str) -> list[Button]:
    """A button per unit, opening the list filtered by `code` for that unit."""
    if not actor.sees_all_units:
        raise PermissionDenied()
    code = code if code in FILTERS else "all"
    return [Button(u.short_name or u.code, data(Esc.LIST, u.unit_id, code)) for u in context.services.org.list_units()]


async def show_units(update: Update, context: BotContext, actor: Actor, code: str) -> None:
    tr = context.tr(actor.locale)
    rows = page_rows(tr, Page.ESC_UNITS, code, unit_buttons(context, actor, code))
    await reply(update, context, tr.gettext("Which unit?"), rows)


async def show_detail(update: Update, context: BotContext, actor: Actor, item_id: int) -> None:
    """The item, the answers so far, the history, and what this person can do now."""
    svc, tr = context.services.escalations, context.tr(actor.locale)
    view = svc.get(actor, item_id)
    history = svc.history(actor, item_id)
    codes = available(actor, view)
    text = detail(tr, view, history, typed_hint(tr, view, codes))
    rows = action_buttons(tr, actor, view, codes, deputies(context), detail=False)
    files = [Button(tr.gettext("File {n}").format(n=n), data(Esc.FILE, item_id, e.event_id))
             for n, e in enumerate([e for e in history if e.attachment and e.action != "raise"], start=1)][:6]
    rows += [files[i:i + 3] for i in range(0, len(files), 3)]
    await reply(update, context, text, rows)


@registered(_audience)
async def escalation_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Every "esc:" button: re-parsed, re-checked on the server, answered even when stale or forged."""
    try:
        await pressed(update, context, actor)
    finally:  # after the work, so a prompt sent privately can explain itself in the group first
        await answer_query(update)


async def pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Parse the data; the raise dialog's buttons carry a draft key, all others an item number."""
    parsed = parse(update.callback_query.data, Esc)
    if parsed is None or len(parsed[1]) != 2:
        await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))
        return
    code, (target, arg) = parsed
    if code in (Esc.URGENCY, Esc.NO_FILE):
        await raise_pressed(update, context, actor, code, target, arg)
        return
    number = int_or_none(target)
    try:
        if number is None or number < 0:
            raise DomainError(N_("This button is no longer valid."))
        await dispatch(update, context, actor, code, number, arg)
    except Superseded as refused:
        await reply(update, context, superseded_text(context.tr(actor.locale), refused))


async def dispatch(update: Update, context: BotContext, actor: Actor, code: Esc, number: int, arg: str) -> None:
    """One branch per code of the table; the item actions share `press_action`."""
    if code == Esc.VIEW:
        await show_detail(update, context, actor, number)
    elif code == Esc.FILE:
        await send_attachment(update, context, actor, number, int_or_none(arg) or 0)
    elif code == Esc.NEW:
        await start_raise(update, context, actor)
    elif code == Esc.FROM_REPORT:
        await start_from_report(update, context, actor, number, int_or_none(arg) or 0)
    elif code == Esc.LIST and arg in FILTERS:
        await show_list(update, context, actor, arg, number or None)
    elif code == Esc.UNITS and arg in FILTERS:
        await show_units(update, context, actor, arg)
    elif code in ACTS or code in (Esc.FORWARD_NO_NOTE, Esc.CLOSE_NO_NOTE):
        await press_action(update, context, actor, code, number, arg)
    else:
        raise DomainError(N_("This button is no longer valid."))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, escalation_command))
    app.add_handler(CallbackQueryHandler(escalation_pressed, pattern=r"^esc:"))
    app.bot_data.dialog_routes[NEW_DIALOG] = DialogRoute(on_text=raise_text, on_file=raise_file)
    app.bot_data.dialog_routes[TEXT_DIALOG] = DialogRoute(on_text=text_answered, on_file=file_answered)

    async def follow_up() -> None:
        """Reminders for items whose holder let the follow-up time pass (once per item and step)."""
        for due in app.bot_data.services.escalations.claim_follow_ups():
            await Notifier(app.bot, app.bot_data).remind(due)

    app.bot_data.ticker.add("escalation_follow_up", timedelta(minutes=30), follow_up)
