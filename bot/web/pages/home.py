"""/desk/: the periods a person may open, each with its status and its side-by-side answers."""

from __future__ import annotations

from bot.periods import period_title
from bot.web.base import DeskHandler, Nav

NAV: list[Nav] = []


class Home(DeskHandler):
    async def get(self) -> None:
        periods = await self.call(self.desk.services.desk_status.periods, self.actor)
        tr = self.tr
        items = [{"id": p.period_id, "title": period_title(tr, p.kind, p.year, p.phase), "code": p.code,
                  "deadline": tr.date(p.deadline), "state": p.state} for p in periods]
        await self.page("home.html", periods=items)


ROUTES = [(r"/desk/?", Home)]
