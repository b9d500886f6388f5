"""Units, as /donvi: the list with full and short names (the official report writes a unit in full first, then by
its short name), a unit added, renamed, given a short name, retired or restored.

/desk/admin/units, POST /desk/admin/units/add, POST /desk/admin/units/<id>/{name,short,retire,restore}: each one call
of bot.services.org.service.OrgService, which checks the Office and writes the audit log.
"""

from __future__ import annotations

from bot.domain import DomainError
from bot.i18n import N_
from bot.web.base import path_id
from bot.web.base import PostOnly
from bot.web.pages.admin import AdminHandler, typed_values

DONE = {"add": N_("The unit has been added."), "name": N_("The unit's name has been changed."),
        "short": N_("The short name has been saved."), "retire": N_("The unit has been retired; its history is kept."),
        "restore": N_("The unit has been restored.")}


class UnitList(AdminHandler):
    async def get(self) -> None:
        await self.show()

    async def show(self, code: int = 200, error: str = "", typed: dict | None = None) -> None:
        units = await self.call(self.desk.services.org.list_units, True)
        await self.page("admin/units.html", code=code, units=units, error=error, typed=typed_values(typed),
                        notice=self.notice_of(DONE) if code == 200 else "",
                        changed=self.get_query_argument("unit", ""))


class AddUnit(PostOnly, UnitList):
    async def post(self) -> None:
        typed = {"name": self.get_body_argument("name", ""), "short": self.get_body_argument("short", ""),
                 "form": "add"}
        try:
            unit = await self.call(self.desk.services.org.add_unit, self.actor, typed["name"], typed["short"])
        except DomainError as error:
            if type(error) is not DomainError:
                raise
            await self.show(code=400, error=self.refusal(error), typed=typed)
            return
        self.see_other(f"/desk/admin/units?done=add&unit={unit.unit_id}#unit-{unit.unit_id}")


class UnitAction(PostOnly, UnitList):
    async def post(self, unit: str, action: str) -> None:
        unit_id, org, actor = path_id(unit), self.desk.services.org, self.actor
        text = self.get_body_argument("text", "")
        try:
            if action == "name":
                await self.call(org.rename_unit, actor, unit_id, text)
            elif action == "short":
                await self.call(org.set_short_name, actor, unit_id, text)
            else:
                await self.call(org.retire_unit if action == "retire" else org.restore_unit, actor, unit_id)
        except DomainError as error:
            if type(error) is not DomainError:
                raise
            await self.show(code=400, error=self.refusal(error), typed={"form": f"{action}-{unit_id}", "text": text})
            return
        self.see_other(f"/desk/admin/units?done={action}&unit={unit_id}#unit-{unit_id}")


NAV: list = []  # reached from /desk/admin
ROUTES = [
    (r"/desk/admin/units", UnitList),
    (r"/desk/admin/units/add", AddUnit),
    (r"/desk/admin/units/(\d{1,10})/(name|short|retire|restore)", UnitAction),
]
