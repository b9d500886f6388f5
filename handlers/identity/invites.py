"""/moi (/invite): the Administration Office creates one-time invitation links, lists and cancels them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Inv, Page, data, parse
from bot.domain import ROLE_LABELS, ROLES_WITH_UNIT, Actor, Button, PermissionDenied, Role, parse_role
from bot.i18n import N_
from handlers.commands import CommandSpec
from handlers.common import answer_query, drop_buttons, int_or_none, registered, reply
from handlers.context import BotApp, BotContext
from handlers.identity.render import invite_text, pending_text
from handlers.paging import list_for, page_rows

COMMANDS = [CommandSpec("moi", "invite", N_("Invite a person to the bot (one-time link)"), lambda a: a.is_office)]
ROLE_CODES = {Role.UNIT_HEAD: "h", Role.DEPUTY: "d", Role.OFFICE: "o", Role.DIRECTOR: "g", Role.DEPUTY_DIRECTOR: "p"}
CODE_ROLES = {code: role for role, code in ROLE_CODES.items()}


def _is_office(actor: Actor) -> bool:
    return actor.is_office


@registered(_is_office)
async def invite_command(update: Update, context: BotContext, actor: Actor) -> None:
    """Ask for the role (or take "/invite <role> <unit> [name]" typed in one line)."""
    _ = context.tr(actor.locale).gettext
    if context.args:
        role = parse_role(context.args[0])
        if role is None:
            await reply(update, context, _("Unknown role \"{word}\". Roles: truongphong, pho, hcth, giamdoc, "
                                           "phogiamdoc.").format(word=context.args[0]))
            return
        unit_id, rest = None, context.args[1:]
        if role in ROLES_WITH_UNIT:
            unit = context.services.org.find_unit(rest[0]) if rest else None
            if unit is None or not unit.is_active:
                await reply(update, context, _("Please name the unit by its code, e.g. /invite truongphong qlkh. "
                                               "Type /units to see the codes."))
                return
            unit_id, rest = unit.unit_id, rest[1:]
        invite = context.services.invites.create(actor, role, unit_id, " ".join(rest))
        await reply(update, context, invite_text(context.tr(actor.locale), invite, context.bot.username))
        return
    buttons = [[Button(_(ROLE_LABELS[role]), data(Inv.ROLE, code))] for role, code in ROLE_CODES.items()]
    buttons.append([Button(_("Unused invitations"), data(Inv.LIST, 0))])
    await reply(update, context, _("Who is the invitation for?"), buttons)


@list_for(Page.INVITE_UNITS)
def invite_unit_buttons(context: BotContext, actor: Actor, role_code: str) -> list[Button]:
    """A button per active unit, for an invitation with the role `role_code`."""
    if not actor.is_office or role_code not in CODE_ROLES:
        raise PermissionDenied()
    return [Button(u.name, data(Inv.UNIT, role_code, u.unit_id)) for u in context.services.org.list_units()]


@list_for(Page.INVITES)
def cancel_buttons(context: BotContext, actor: Actor, _argument: str) -> list[Button]:
    """A "cancel" button per unused invitation, numbered as in the list."""
    _ = context.tr(actor.locale).gettext
    return [Button(_("Cancel invitation {n}").format(n=n), data(Inv.CANCEL, invite.invite_id))
            for n, invite in enumerate(context.services.invites.list_pending(actor), start=1)]


@registered(_is_office)
async def invite_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Role chosen, unit chosen, list of unused invitations, or cancel one."""
    await answer_query(update)
    _ = context.tr(actor.locale).gettext
    code, fields = parse(update.callback_query.data, Inv) or (None, [])
    invites = context.services.invites
    if code == Inv.ROLE and len(fields) == 1 and fields[0] in CODE_ROLES:
        role = CODE_ROLES[fields[0]]
        if role in ROLES_WITH_UNIT:
            await drop_buttons(update)
            rows = page_rows(context.tr(actor.locale), Page.INVITE_UNITS, fields[0],
                             invite_unit_buttons(context, actor, fields[0]))
            await reply(update, context, _("Which unit?"), rows)
            return
        await drop_buttons(update)
        invite = invites.create(actor, role, None)
        await reply(update, context, invite_text(context.tr(actor.locale), invite, context.bot.username))
        return
    if code == Inv.UNIT and len(fields) == 2 and fields[0] in CODE_ROLES:
        unit_id = int_or_none(fields[1])
        if unit_id is not None:
            await drop_buttons(update)
            invite = invites.create(actor, CODE_ROLES[fields[0]], unit_id)
            await reply(update, context, invite_text(context.tr(actor.locale), invite, context.bot.username))
            return
    if code == Inv.LIST and len(fields) == 1:
        pending = invites.list_pending(actor)
        if not pending:
            await reply(update, context, _("There are no unused invitations."))
            return
        tr = context.tr(actor.locale)
        rows = page_rows(tr, Page.INVITES, 0, cancel_buttons(context, actor, "0"))
        await reply(update, context, pending_text(tr, pending), rows)
        return
    if code == Inv.CANCEL and len(fields) == 1 and (invite_id := int_or_none(fields[0])):
        invites.revoke(actor, invite_id)
        await drop_buttons(update)
        await reply(update, context, _("The invitation has been cancelled; its link no longer works."))
        return
    await reply(update, context, _("This button is no longer valid."))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, invite_command))
    app.add_handler(CallbackQueryHandler(invite_pressed, pattern=r"^inv:"))
