"""Page 1, the status of a period: units × state, refreshed in place every 15 s, filtered by state, exported.

/desk/status (the latest period), /desk/status/<id>?state=&page=, /desk/status/<id>/grid (the table body alone,
polled by desk.js: "304 Not Modified" while its rows are unchanged), /desk/status/<id>/annex.xlsx (the official
report's annex, as /xuatbaocao makes it). The grid shows 100 units a page (`all=1`: every unit; printing does
that); the counts are always those of every unit.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from markupsafe import Markup

from bot.contracts import UNIT_STAGE_LABELS, UnitStage
from bot.i18n import N_, Translator
from bot.periods import period_title
from bot.services.desk.status import PeriodStatus, UnitRow
from bot.services.status.service import can_see_status
from bot.text import parse_id
from bot.web.base import DeskHandler, Nav, path_id

NAV = [Nav(N_("Status"), "/desk/status", can_see_status)]
POLL_SECONDS = 15
PER_PAGE = 100  # units on one page of the grid (the Department's 21 fit on one; 1,000 were 400 KiB a page)
# This process's code and templates: a grid tag from another process or an earlier release never matches.
RELEASE = secrets.token_hex(8)
UPDATED_HEADER = "X-Desk-Updated"  # a 304's "updated at" time (percent-encoded), for the line under the grid
STAGE_CLASS = {  # the cell's colour class in desk.css
    UnitStage.ACCEPTED: "ok", UnitStage.SUBMITTED_ON_TIME: "ok", UnitStage.SUBMITTED_LATE: "warn",
    UnitStage.RETURNED: "warn", UnitStage.DRAFT: "info", UnitStage.NOT_STARTED: "muted", UnitStage.OVERDUE: "bad",
}


def stage_text(row: UnitRow, tr: Translator) -> str:
    """"đang soạn 12/21", "đã nộp đúng hạn", ... as the chat words them."""
    label = tr.gettext(UNIT_STAGE_LABELS[row.stage])
    if row.stage == UnitStage.DRAFT and row.total:
        return f"{label} {row.answered}/{row.total}"
    return label


def row_cells(row: UnitRow, tr: Translator, day: Callable[[date], str] | None = None) -> dict[str, Any]:
    """One grid line, every value already in the reader's language (`day`: the short date, memoised by `grid`)."""
    _ = tr.gettext
    reminders = ""
    if row.reminders:
        reminders = _("{n} sent, last at {time}").format(n=row.reminders, time=tr.datetime(row.last_reminder_at)) \
            if row.last_reminder_at else _("{n} sent").format(n=row.reminders)
    return {
        "unit": row.unit_name, "stage": row.stage.value, "stage_text": stage_text(row, tr),
        "stage_class": STAGE_CLASS[row.stage],
        "submitted": tr.datetime(row.submitted_at) if row.submitted_at and row.version else "",
        "version": row.version, "deadline": (day or tr.short_date)(row.deadline),
        "extension": row.extension_reason or "",
        "reminders": reminders, "difficulties": row.open_difficulties,
        "report_url": f"/desk/reports/{row.report_id}" if row.report_id and row.version else "",
    }


def grid(rows: list[UnitRow], tr: Translator) -> list[dict[str, Any]]:
    """Every line; most units share the period's deadline, so each date is formatted once."""
    day = lru_cache(maxsize=None)(tr.short_date)
    return [row_cells(row, tr, day) for row in rows]


class RenderedRows:
    """The grid's rows as HTML, kept for the last few (locale, rows) seen: every reader of an unchanged period gets
    the same rows (the status page, and every open page's poll every 15 s), and a 1,000-unit grid costs more to
    render than to read. The key is the rows themselves (frozen, compared in full), so a change anywhere is a new
    entry: never a stale line."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def html(self, env: Environment, rows: tuple[UnitRow, ...], tr: Translator) -> Markup:
        key = (id(env), tr.locale, rows)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        html = Markup(env.get_template("status_rows.html").render({"_": tr.gettext, "rows": grid(list(rows), tr)}))
        with self._lock:
            self._kept[key] = html
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return html


ROWS = RenderedRows()


def filtered(status: PeriodStatus, stage: str) -> list[UnitRow]:
    """Rows in one state ("" or an unknown word: all of them)."""
    return [r for r in status.rows if not stage or stage not in UnitStage.__members__.values() or r.stage == stage]


def filters(status: PeriodStatus, tr: Translator) -> list[dict[str, Any]]:
    """The state filter: every state present, with its count."""
    counts = status.stage_counts
    return [{"value": s.value, "label": tr.gettext(UNIT_STAGE_LABELS[s]), "count": counts.get(s, 0)}
            for s in UnitStage if counts.get(s, 0)]


def one_page(rows: list[UnitRow], number: int, everything: bool) -> tuple[list[UnitRow], int, int]:
    """The rows of page `number` (past the end: the last page), that page's number and the number of pages;
    `everything`: all rows on one page."""
    if everything:
        return rows, 1, 1
    pages = max(1, -(-len(rows) // PER_PAGE))
    number = min(max(number, 1), pages)
    return rows[(number - 1) * PER_PAGE:number * PER_PAGE], number, pages


class GridView:
    """What the address asks for (state, page, every unit) and the grid's tag for it."""

    def __init__(self, handler: DeskHandler) -> None:
        arg = handler.get_query_argument
        self.stage = arg("state", "")
        self.number = parse_id(arg("page", "")) or 1
        self.everything = arg("all", "") == "1"
        self.pages = 1

    def query(self, **change: Any) -> str:
        """This view's query string with some values changed ("" or None drops one)."""
        values = {"state": self.stage, "page": self.number if self.number > 1 else "",
                  "all": "1" if self.everything else "", **change}
        kept = [f"{key}={quote(str(value))}" for key, value in values.items() if value not in ("", None)]
        return "?" + "&".join(kept) if kept else "?"

    def etag(self, version: str, actor_id: int, locale: str) -> str:
        raw = f"{RELEASE}|{version}|{actor_id}|{locale}|{self.stage}|{self.number}|{self.everything}"
        return '"' + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32] + '"'


class StatusPage(DeskHandler):
    """The grid; without a period id, the first period the chat would offer (latest deadline first)."""

    async def get(self, period: str | None = None) -> None:
        period_id = await self.period_id(period)
        if period_id is None:
            await self.message(404, N_("No reporting period has opened yet."), N_("Please come back later."))
            return
        self.send_page(await self.call(self.whole, period_id, GridView(self)))

    def whole(self, period_id: int, view: GridView) -> str:
        """The page read and rendered in one turn of the page thread: a page that queued for each step waited
        behind every other page at each."""
        tr = self.tr
        version, status, shown, rows_html = self.grid_of(period_id, view)
        p = status.period
        grid = f"/desk/status/{period_id}/grid"
        return self.render_page(
            "status.html", status=status, period_title=period_title(tr, p.kind, p.year, p.phase),
            deadline=tr.date(p.deadline), rows_html=rows_html,
            filters=filters(status, tr), stage=view.stage, period_id=period_id, poll=POLL_SECONDS,
            updated=tr.datetime(status.generated_at), view=view, page=view.number, pages=view.pages,
            shown=len(shown), paged=len(shown) > PER_PAGE,
            grid_url=grid + view.query(), grid_tag=view.etag(version, self.actor.person_id, tr.locale),
            print_url=grid + view.query(page="", all="1"))

    def grid_of(self, period_id: int, view: GridView) -> tuple[str, PeriodStatus, list[UnitRow], str]:
        """The version (read before the rows, see `DeskStatus.version`), the rows, those the view shows and their
        HTML."""
        desk_status = self.desk.services.desk_status
        version = desk_status.version(self.actor, period_id)
        status = desk_status.period_status(self.actor, period_id)
        shown = filtered(status, view.stage)
        rows, view.number, view.pages = one_page(shown, view.number, view.everything)
        return version, status, shown, ROWS.html(self.desk.env, tuple(rows), self.tr)

    async def period_id(self, given: str | None) -> int | None:
        if given:
            return path_id(given)
        periods = await self.call(self.desk.services.desk_status.periods, self.actor)
        return periods[0].period_id if periods else None


class StatusGrid(DeskHandler):
    """The table body alone, for desk.js to swap in without a reload."""

    async def get(self, period: str) -> None:
        period_id, desk_status, view, tr = path_id(period), self.desk.services.desk_status, GridView(self), self.tr
        version = await self.call(desk_status.version, self.actor, period_id)  # before the rows (see `version`)
        self.set_header("Etag", view.etag(version, self.actor.person_id, tr.locale))
        if self.check_etag_header():  # the rows the page shows are still the rows: nothing is built or sent
            self.set_header(UPDATED_HEADER, quote(tr.datetime(self.desk.services.clock.now())))
            self.set_status(304)
            self.finish()
            return
        self.send_page(await self.call(self.rows, period_id, view))

    def rows(self, period_id: int, view: GridView) -> str:
        """The rows the view shows, read and rendered in one turn of the page thread."""
        status = self.desk.services.desk_status.period_status(self.actor, period_id)
        rows, _number, _pages = one_page(filtered(status, view.stage), view.number, view.everything)
        return self.render_page("status_grid.html", rows_html=ROWS.html(self.desk.env, tuple(rows), self.tr),
                                updated=self.tr.datetime(status.generated_at))


class StatusAnnex(DeskHandler):
    """The official report's XLSX annex (its sheets list every unit's submission), audited like /xuatbaocao."""

    async def get(self, period: str) -> None:
        files = await self.call(self.desk.services.official_report.export, self.actor, path_id(period))
        self.set_header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(files.xlsx_name)}")
        self.finish(files.xlsx)


ROUTES = [
    (r"/desk/status", StatusPage),
    (r"/desk/status/(\d{1,10})", StatusPage),
    (r"/desk/status/(\d{1,10})/grid", StatusGrid),
    (r"/desk/status/(\d{1,10})/annex\.xlsx", StatusAnnex),
]
