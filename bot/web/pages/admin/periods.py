"""Periods and the working calendar, as /kybaocao: open or close a period, move its opening date or deadline,
give one unit more time (with the reason) or take it back, declare days off and make-up working days.

/desk/admin/periods (every period, and the calendar's exceptions), /desk/admin/periods/<id> (one period, its
extensions), POST /desk/admin/periods/<id>/{open,close,opens,deadline,extend,unextend},
POST /desk/admin/calendar/{set,clear}. Each POST is one call of bot.services.periods.PeriodService, which checks
the Office and writes the audit log; nobody is told in chat at once, as with the chat command (the opening notice
and the reminders follow from the new dates).
"""

from __future__ import annotations

from typing import Any

from bot.domain import DomainError
from bot.i18n import N_, Translator
from bot.periods import PERIOD_STATE_LABELS, period_title
from bot.services.periods.base import OverrideInfo, PeriodInfo
from bot.text import parse_id
from bot.web.base import path_id
from bot.web.base import PostOnly
from bot.web.pages.admin import AdminHandler, form_date, typed_date, typed_values

DONE = {"open": N_("The period is open."), "close": N_("The period is closed: no more reports or reminders."),
        "opens": N_("The opening date has been changed."), "deadline": N_("The deadline has been changed."),
        "extend": N_("The unit's extension has been saved."), "unextend": N_("The extension has been cancelled."),
        "dayset": N_("The calendar has been saved."), "dayclear": N_("The exception has been removed.")}
NOTE_PAST = N_("Note: this deadline has already passed, so a unit that has not submitted yet is now late.")
STATE_CLASS = {"open": "ok", "upcoming": "info", "closed": "muted"}


def period_row(tr: Translator, p: PeriodInfo, extensions: int = 0) -> dict[str, Any]:
    return {"id": p.period_id, "code": p.code, "title": period_title(tr, p.kind, p.year, p.phase),
            "state": p.state, "state_text": tr.gettext(PERIOD_STATE_LABELS[p.state]),
            "state_class": STATE_CLASS[p.state], "opens": tr.short_date(p.opens_on),
            "deadline": tr.short_date(p.deadline), "closes": tr.short_date(p.closes_on),
            "opens_typed": typed_date(p.opens_on), "deadline_typed": typed_date(p.deadline), "extensions": extensions}


def override_row(tr: Translator, o: OverrideInfo) -> dict[str, Any]:
    _ = tr.gettext
    return {"day": tr.short_date(o.day), "iso": o.day.isoformat(), "working": o.is_working, "note": o.note,
            "kind": _("make-up working day") if o.is_working else _("day off"), "holiday": o.holiday or ""}


class PeriodList(AdminHandler):
    async def get(self) -> None:
        await self.show()

    async def show(self, code: int = 200, error: str = "", typed: dict | None = None) -> None:
        periods = self.desk.services.periods
        tr = self.tr
        rows = []
        for p in await self.call(periods.list_periods):
            rows.append(period_row(tr, p, len(await self.call(periods.extensions, p.period_id))))
        overrides = [override_row(tr, o) for o in await self.call(periods.overrides)]
        await self.page("admin/periods.html", code=code, rows=rows, overrides=overrides, error=error,
                        typed=typed_values(typed), notice=self.notice_of(DONE) if code == 200 else "")


class PeriodPage(AdminHandler):
    async def get(self, period: str) -> None:
        await self.show(path_id(period))

    async def show(self, period_id: int, code: int = 200, error: str = "", typed: dict | None = None) -> None:
        services, tr = self.desk.services, self.tr
        p = await self.call(services.periods.get, period_id)
        extensions = await self.call(services.periods.extensions, period_id)
        units = await self.call(services.org.list_units)
        notice = self.notice_of(DONE) if code == 200 else ""
        if notice and self.get_query_argument("done", "") == "deadline" and p.deadline < services.clock.today():
            notice += " " + self._(NOTE_PAST)
        await self.page("admin/period.html", code=code, p=period_row(tr, p), error=error, typed=typed_values(typed),
                        extensions=[{"unit_id": e.unit_id, "unit": e.unit_name, "deadline": tr.short_date(e.deadline),
                                     "reason": e.reason} for e in extensions],
                        units=units, notice=notice)


class PeriodAction(PostOnly, PeriodPage):
    """One change of /kybaocao's buttons, by its word in the address."""

    async def post(self, period: str, action: str) -> None:
        period_id = path_id(period)
        svc, actor, today = self.desk.services.periods, self.actor, self.desk.services.clock.today()
        arg = self.get_body_argument
        typed = {name: arg(name, "") for name in ("day", "unit", "reason")}
        try:
            if action in ("open", "close"):
                await self.call(svc.open_now if action == "open" else svc.close, actor, period_id)
            elif action in ("opens", "deadline"):
                change = svc.set_opens_on if action == "opens" else svc.set_deadline
                await self.call(change, actor, period_id, form_date(typed["day"], today))
            elif action == "extend":
                unit_id = parse_id(typed["unit"])
                if unit_id is None:
                    raise DomainError(N_("Please choose the unit."))
                await self.call(svc.extend, actor, period_id, unit_id, form_date(typed["day"], today),
                                typed["reason"])
            else:  # unextend
                unit_id = parse_id(typed["unit"])
                if unit_id is None:
                    raise DomainError(N_("Please choose the unit."))
                await self.call(svc.remove_extension, actor, period_id, unit_id)
        except DomainError as error:
            if type(error) is not DomainError:
                raise  # not found, not allowed: the plain refusal page
            await self.show(period_id, code=400, error=self.refusal(error), typed={**typed, "form": action})
            return
        self.see_other(f"/desk/admin/periods/{period_id}?done={action}")


class CalendarAction(PostOnly, PeriodList):
    """A day off or a make-up working day (replacing an earlier exception), or an exception removed."""

    async def post(self, action: str) -> None:
        svc, actor, today = self.desk.services.periods, self.actor, self.desk.services.clock.today()
        typed = {name: self.get_body_argument(name, "") for name in ("day", "kind", "note")}
        try:
            day = form_date(typed["day"], today)
            if action == "set":
                await self.call(svc.set_override, actor, day, typed["kind"] == "work", typed["note"])
            else:
                await self.call(svc.clear_override, actor, day)
        except DomainError as error:
            if type(error) is not DomainError:
                raise
            await self.show(code=400, error=self.refusal(error), typed=typed)
            return
        self.see_other(f"/desk/admin/periods?done=day{action}")


NAV: list = []  # reached from /desk/admin
ROUTES = [
    (r"/desk/admin/periods", PeriodList),
    (r"/desk/admin/periods/(\d{1,10})", PeriodPage),
    (r"/desk/admin/periods/(\d{1,10})/(open|close|opens|deadline|extend|unextend)", PeriodAction),
    (r"/desk/admin/calendar/(set|clear)", CalendarAction),
]
