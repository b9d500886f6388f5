"""Invitations, as /moi: a one-time link (Telegram) and the same code typed on Zalo, for one person or for every
chosen unit at once, on a sheet to print for a meeting; the unused ones listed and cancelled.

/desk/admin/invitations, POST /desk/admin/invitations/new (one person) and /desk/admin/invitations/sheet (one per
chosen unit), POST /desk/admin/invitations/<id>/revoke. The links are bot.services.identity.invites.InviteService's, which
checks the Office and writes the audit log. Only a code's hash is stored, so the sheet is the answer to the POST
itself (never cached, never in an address): it cannot be shown again, only printed now or the invitations
cancelled and made anew.
"""

from __future__ import annotations

from typing import Any

from bot.domain import ROLE_LABELS, ROLES_WITH_UNIT, DomainError, Role, parse_role
from bot.glossary import person_title
from bot.i18n import N_, Translator
from bot.services.identity.base import InviteInfo
from bot.text import parse_id
from bot.web.base import path_id
from bot.web.base import PostOnly
from bot.web.pages.admin import AdminHandler, typed_values
from handlers.identity.render import invite_link  # the deep link /moi gives: opening it and pressing Start registers

DONE = {"revoke": N_("The invitation has been cancelled; its link and code no longer work.")}
SHEET_ROLES = (Role.UNIT_HEAD, Role.DEPUTY)  # a meeting's sheet: one invitation per unit
MAX_SHEET = 200  # invitations on one sheet


def invite_card(tr: Translator, username: str, invite: InviteInfo) -> dict[str, Any]:
    return {"who": person_title(tr, invite.role, invite.unit_name), "name": invite.full_name,
            "until": tr.datetime(invite.expires_at), "link": invite_link(username, invite.code or ""),
            "code": invite.code or ""}


class InvitationList(AdminHandler):
    async def get(self) -> None:
        await self.show()

    async def show(self, code: int = 200, error: str = "", typed: dict | None = None) -> None:
        services, tr = self.desk.services, self.tr
        pending = await self.call(services.invites.list_pending, self.actor)
        units = [u for u in await self.call(services.org.list_units) if not u.is_admin_office]
        rows = [{"id": i.invite_id, "who": person_title(tr, i.role, i.unit_name), "name": i.full_name,
                 "until": tr.datetime(i.expires_at)} for i in pending]
        roles = [(role.value, self._(ROLE_LABELS[role])) for role in Role]
        await self.page("admin/invitations.html", code=code, rows=rows, units=units, roles=roles, error=error,
                        typed=typed_values(typed), with_unit=[r.value for r in ROLES_WITH_UNIT],
                        sheet_roles=[(r.value, self._(ROLE_LABELS[r])) for r in SHEET_ROLES],
                        notice=self.notice_of(DONE) if code == 200 else "")

    async def create(self, wanted: list[tuple[Role, int | None, str]]) -> tuple[str, list[InviteInfo]]:
        """The invitations, created in one go on the desk's action runner (whose bot knows its username)."""
        invites, actor = self.desk.services.invites, self.actor

        async def work(bot) -> tuple[str, list[InviteInfo]]:  # noqa: ANN001
            with self.desk.services.db.unit_of_work():
                made = [invites.create(actor, role, unit_id, name) for role, unit_id, name in wanted]
            return bot.username, made

        return await self.desk.actions.run(work)

    async def sheet(self, username: str, made: list[InviteInfo]) -> None:
        tr = self.tr
        await self.page("admin/invite_sheet.html", cards=[invite_card(tr, username, i) for i in made],
                        today=tr.date(self.desk.services.clock.today()))


class NewInvitation(PostOnly, InvitationList):
    async def post(self) -> None:
        typed = {name: self.get_body_argument(name, "") for name in ("role", "unit", "name")}
        role = parse_role(typed["role"])
        try:
            if role is None:
                raise DomainError(N_("Please choose the role."))
            unit_id = parse_id(typed["unit"]) if role in ROLES_WITH_UNIT else None
            username, made = await self.create([(role, unit_id, typed["name"])])
        except DomainError as error:
            if type(error) is not DomainError:
                raise
            await self.show(code=400, error=self.refusal(error), typed={**typed, "form": "new"})
            return
        await self.sheet(username, made)


class InvitationSheet(PostOnly, InvitationList):
    async def post(self) -> None:
        role = parse_role(self.get_body_argument("role", ""))
        unit_ids = [u for u in (parse_id(v) for v in self.get_body_arguments("unit")) if u is not None]
        try:
            if role not in SHEET_ROLES:
                raise DomainError(N_("Please choose the role."))
            if not unit_ids:
                raise DomainError(N_("Please choose at least one unit."))
            if len(unit_ids) > MAX_SHEET:
                raise DomainError(N_("At most {n} invitations fit on one sheet."), n=MAX_SHEET)
            username, made = await self.create([(role, unit_id, "") for unit_id in dict.fromkeys(unit_ids)])
        except DomainError as error:
            if type(error) is not DomainError:
                raise
            await self.show(code=400, error=self.refusal(error), typed={"form": "sheet"})
            return
        await self.sheet(username, made)


class RevokeInvitation(PostOnly, InvitationList):
    async def post(self, invite: str) -> None:
        await self.call(self.desk.services.invites.revoke, self.actor, path_id(invite))
        self.see_other("/desk/admin/invitations?done=revoke")


NAV: list = []  # reached from /desk/admin
ROUTES = [
    (r"/desk/admin/invitations", InvitationList),
    (r"/desk/admin/invitations/new", NewInvitation),
    (r"/desk/admin/invitations/sheet", InvitationSheet),
    (r"/desk/admin/invitations/(\d{1,10})/revoke", RevokeInvitation),
]
