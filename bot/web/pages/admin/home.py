"""/desk/admin: the administration areas this person may open (the Office all five, the Director two)."""

from __future__ import annotations

from bot.i18n import N_
from bot.web.base import Nav
from bot.web.pages.admin import AdminHandler, is_office, office_or_director

NAV = [Nav(N_("Administration"), "/desk/admin", office_or_director, per_period=False)]

AREAS = [  # (address, title, what it is for, who may open it)
    ("/desk/admin/periods", N_("Reporting periods"),
     N_("Open and close periods, move deadlines, give a unit more time, days off and make-up working days."),
     is_office),
    ("/desk/admin/units", N_("Units"), N_("The Department's units with their full and short names; add, rename, "
                                          "retire."), is_office),
    ("/desk/admin/people", N_("People"), N_("Who uses the assistant, on which channel; remove an access or an "
                                            "account; requests about personal data."), office_or_director),
    ("/desk/admin/invitations", N_("Invitations"), N_("One-time links and the codes typed on Zalo, and a sheet to "
                                                      "print for a meeting."), is_office),
    ("/desk/admin/audit", N_("Audit log"), N_("Every administrative action, filtered by person, unit, kind and "
                                              "dates; export to XLSX."), office_or_director),
]


class AdminHome(AdminHandler):
    audience = staticmethod(office_or_director)

    async def get(self) -> None:
        areas = [{"url": url, "title": self._(title), "text": self._(text)}
                 for url, title, text, audience in AREAS if audience(self.actor)]
        await self.page("admin/home.html", areas=areas)


ROUTES = [(r"/desk/admin/?", AdminHome)]
