"""The audit log, as /nhatky: the entries as the chat's sentences, filtered by person, unit, kind and dates, and the
same selection as an XLSX file for an inspection (the chat's export: handlers/audit/export.py).

/desk/admin/audit?person=&unit=&kind=&since=&until=, /desk/admin/audit.xlsx with the same filters. The Office and
the Director read it (bot.services.audit.AuditService checks again); the export changes nothing and, as in the chat,
is not itself an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from bot.i18n import N_
from bot.periods import parse_vn_date
from bot.services.audit import AuditFilter
from bot.services.audit.service import KINDS
from bot.text import parse_id
from bot.web.pages.admin import AdminHandler, office_or_director
from handlers.audit.export import audit_workbook
from handlers.audit.render import describe

KIND_LABELS = {"invite": N_("Invitations"), "person": N_("People"), "unit": N_("Units"),
               "period": N_("Reporting periods"), "calendar": N_("Working calendar"), "report": N_("Reports"),
               "escalation": N_("Difficulties"), "status": N_("Exported reports")}
PAGE_LIMIT, EXPORT_LIMIT = 200, 5000


@dataclass(frozen=True)
class AuditQuery:
    """The filters from the address; anything that is not a known id, kind or date means no filter."""

    person_id: int | None = None
    unit_id: int | None = None
    kind: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def read(cls, arg) -> AuditQuery:  # noqa: ANN001 - a handler's get_query_argument
        kind = arg("kind", "")
        return cls(parse_id(arg("person", "")), parse_id(arg("unit", "")), kind if kind in KINDS else "",
                   parse_vn_date(arg("since", ""), None), parse_vn_date(arg("until", ""), None))

    def where(self) -> AuditFilter:
        return AuditFilter(self.person_id, self.unit_id, self.kind or None, self.since, self.until)

    def query(self) -> str:
        values = {"person": self.person_id or "", "unit": self.unit_id or "", "kind": self.kind,
                  "since": self.since.isoformat() if self.since else "",
                  "until": self.until.isoformat() if self.until else ""}
        return urlencode({k: v for k, v in values.items() if v})


class AuditPage(AdminHandler):
    audience = staticmethod(office_or_director)

    async def get(self) -> None:
        audit, tr = self.desk.services.audit, self.tr
        chosen = AuditQuery.read(self.get_query_argument)
        entries = await self.call(audit.recent, self.actor, PAGE_LIMIT + 1, chosen.where())
        people, units = await self.call(audit.people_and_units)
        rows = [{"at": tr.datetime(e.at), "unit": e.names.get("unit", ""), "text": describe(tr, e)}
                for e in entries[:PAGE_LIMIT]]
        kinds = [(k, self._(KIND_LABELS[k])) for k in KINDS]
        query = chosen.query()
        await self.page("admin/audit.html", rows=rows, more=len(entries) > PAGE_LIMIT, limit=PAGE_LIMIT,
                        people=people, units=units, kinds=kinds, chosen=chosen,
                        export_url="/desk/admin/audit.xlsx" + (f"?{query}" if query else ""))


class AuditExport(AdminHandler):
    audience = staticmethod(office_or_director)

    async def get(self) -> None:
        audit = self.desk.services.audit
        chosen = AuditQuery.read(self.get_query_argument)
        entries = await self.call(audit.recent, self.actor, EXPORT_LIMIT, chosen.where())
        content = await self.call(audit_workbook, self.tr, entries)
        name = f"nhat-ky-{audit.clock.today():%Y%m%d}.xlsx"
        self.set_header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}")
        self.finish(content)


NAV: list = []  # reached from /desk/admin
ROUTES = [(r"/desk/admin/audit", AuditPage), (r"/desk/admin/audit\.xlsx", AuditExport)]
