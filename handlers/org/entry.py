"""/donvi (/units): the Administration Office lists, adds, renames, retires and restores units, and sets the
Department's plan and movement that the official report cites."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Page, UnitCode, data, parse
from bot.domain import Actor, Button, NotFound, PermissionDenied
from bot.i18n import N_
from bot.services.dialogs import Dialog
from bot.text import fold
from handlers.commands import CommandSpec
from handlers.common import answer_query, int_or_none, registered, reply, reply_out
from handlers.context import BotApp, BotContext, DialogRoute
from handlers.org.render import added_text, short_text, unit_list_text, unit_menu
from handlers.paging import list_for, page_rows

COMMANDS = [CommandSpec("donvi", "units", N_("Units of the Department: add, rename, retire"), lambda a: a.is_office)]
ADD, RENAME = "unit_add", "unit_rename"
SUBCOMMANDS = {"them": "add", "add": "add", "doiten": "rename", "rename": "rename",
               "ngung": "retire", "retire": "retire", "khoiphuc": "restore", "restore": "restore",
               "tat": "short", "short": "short", "kehoach": "plan", "plan": "plan",
               "phongtrao": "movement", "movement": "movement"}


def _is_office(actor: Actor) -> bool:
    return actor.is_office


@registered(_is_office)
async def units_command(update: Update, context: BotContext, actor: Actor) -> None:
    """Show the unit list with buttons, or carry out a typed sub-command."""
    org = context.services.org
    tr = context.tr(actor.locale)
    _ = tr.gettext
    if context.args:
        action = SUBCOMMANDS.get(fold(context.args[0]))
        rest = context.args[1:]
        if action == "add" and rest:
            unit = org.add_unit(actor, " ".join(rest))
            await reply(update, context, added_text(tr, unit))
            return
        if action == "plan" and rest:
            plan = org.set_plan(actor, " ".join(rest[:-1]) or rest[0], rest[-1] if len(rest) > 1 else "")
            await reply(update, context, _("The official report now cites Plan no. {number} of {day}.").format(
                number=plan.plan_number, day=plan.plan_date.strftime("%d/%m/%Y") if plan.plan_date else rest[1]))
            return
        if action == "movement" and rest:
            department = org.set_movement(actor, " ".join(rest))
            await reply(update, context, _("The official report now cites the movement: {name}.").format(
                name=department.movement))
            return
        if action in ("rename", "retire", "restore", "short") and rest:
            unit = org.find_unit(rest[0])
            if unit is None:
                raise NotFound(N_("No unit matches \"{word}\". Type /units to see the codes."), word=rest[0])
            if action == "short":
                unit = org.set_short_name(actor, unit.unit_id, " ".join(rest[1:]))
                await reply(update, context, short_text(tr, unit))
                return
            if action == "rename" and len(rest) > 1:
                unit = org.rename_unit(actor, unit.unit_id, " ".join(rest[1:]))
                await reply(update, context, _("The unit is now called: {name}.").format(name=unit.name))
                return
            if action == "retire":
                unit = org.retire_unit(actor, unit.unit_id)
                await reply(update, context, _("Retired: {name}. Its history is kept.").format(name=unit.name))
                return
            if action == "restore":
                unit = org.restore_unit(actor, unit.unit_id)
                await reply(update, context, _("Restored: {name}.").format(name=unit.name))
                return
    units = org.list_units(include_retired=True)
    buttons = page_rows(tr, Page.UNITS, 0, unit_buttons(context, actor, "0"))
    buttons.append([Button(_("Add a unit"), data(UnitCode.ADD, 0))])
    await reply(update, context, unit_list_text(tr, units), buttons)


@list_for(Page.UNITS, per_row=2)
def unit_buttons(context: BotContext, actor: Actor, _argument: str) -> list[Button]:
    """A numbered button per unit, retired ones included, opening its menu."""
    if not actor.is_office:
        raise PermissionDenied()
    units = context.services.org.list_units(include_retired=True)
    return [Button(f"{i}. {u.short_name or u.code}", data(UnitCode.MENU, u.unit_id)) for i, u in enumerate(units, start=1)]


@registered(_is_office)
async def unit_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Buttons of the unit list: open a unit, start renaming or adding, retire, restore."""
    await answer_query(update)
    tr = context.tr(actor.locale)
    _ = tr.gettext
    parsed = parse(update.callback_query.data, UnitCode)
    unit_id = int_or_none(parsed[1][0]) if parsed and len(parsed[1]) == 1 else None
    if parsed is None or unit_id is None:
        await reply(update, context, _("This button is no longer valid."))
        return
    action, org, dialogs = parsed[0], context.services.org, context.services.dialogs
    if action == UnitCode.ADD:
        dialogs.set(actor.person_id, ADD)
        await reply(update, context, _("Please type the name of the new unit, its short name in brackets if it has "
                                       "one, for example: Phòng Thông tin (PTT) (or /cancel)."))
        return
    unit = org.get_unit(unit_id)
    if action == UnitCode.MENU:
        await reply_out(update, context, unit_menu(tr, unit))
    elif action == UnitCode.RENAME:
        dialogs.set(actor.person_id, RENAME, {"unit_id": unit_id})
        await reply(update, context, _("Please type the new name for {name} (or /cancel).").format(name=unit.name))
    elif action == UnitCode.RETIRE:
        unit = org.retire_unit(actor, unit_id)
        await reply(update, context, _("Retired: {name}. Its history is kept.").format(name=unit.name))
    elif action == UnitCode.RESTORE:
        unit = org.restore_unit(actor, unit_id)
        await reply(update, context, _("Restored: {name}.").format(name=unit.name))
    else:
        await reply(update, context, _("This button is no longer valid."))


async def unit_name_typed(update: Update, context: BotContext, actor: Actor, dialog: Dialog) -> None:
    """The name typed after "Add a unit" or "Rename"."""
    tr = context.tr(actor.locale)
    _ = tr.gettext
    if not actor.is_office:
        context.services.dialogs.clear(actor.person_id)
        await reply(update, context, _("You do not have permission to do this."))
        return
    org, text = context.services.org, update.effective_message.text or ""
    if dialog.kind == ADD:
        unit = org.add_unit(actor, text)
        message = added_text(tr, unit)
    else:
        unit = org.rename_unit(actor, int(dialog.payload["unit_id"]), text)
        message = _("The unit is now called: {name}.").format(name=unit.name)
    context.services.dialogs.clear(actor.person_id)
    await reply(update, context, message)


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, units_command))
    app.add_handler(CallbackQueryHandler(unit_pressed, pattern=r"^unit:"))
    route = DialogRoute(on_text=unit_name_typed)
    app.bot_data.dialog_routes[ADD] = route
    app.bot_data.dialog_routes[RENAME] = route
