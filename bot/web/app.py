"""The desk's routes: the sign-in routes, then every page area in `PAGES`, then a plain 404 under /desk.

To add a page area: a module under bot/web/pages/ with `ROUTES` (tornado patterns and handlers) and `NAV`
(menu entries, each with who may see it), its templates under bot/web/templates/, and one line in `PAGES`.
Live, `python -m bot desk` serves them alone on its own port, or `python -m bot run` beside its webhooks when no
desk process runs (bot/transport/runtime.py: `Runtime.desk_routes`, `Runtime.web_routes`); the simulator and the
browser tests serve them on 127.0.0.1 with `serve`.
"""

from __future__ import annotations

import tornado.web
from tornado.httpserver import HTTPServer

from bot.domain import Actor
from bot.i18n import Translator
from bot.web import auth
from bot.web.base import NotFoundHandler, StaticHandler
from bot.web.desk import STATIC, Desk, LoopActions, ThreadActions
from bot.web.pages import difficulties, home, official, questionnaire, questions, reports, status
from bot.web.pages.admin import audit as admin_audit
from bot.web.pages.admin import home as admin_home
from bot.web.pages.admin import invitations as admin_invitations
from bot.web.pages.admin import people as admin_people
from bot.web.pages.admin import periods as admin_periods
from bot.web.pages.admin import units as admin_units


PAGES = [home, status, reports, questions, difficulties, official,
         admin_home, admin_periods, admin_units, admin_people, admin_invitations, admin_audit, questionnaire]


def navigation(actor: Actor, tr: Translator) -> list[dict]:
    """The menu entries this person may use, labelled in their language."""
    return [{"label": tr.gettext(item.label), "url": item.url, "per_period": item.per_period}
            for page in PAGES for item in page.NAV if item.audience(actor)]


def desk_routes(desk: Desk) -> list:
    """Every desk route, each handler given the desk."""
    routes: list = [(r"/desk/static/(.*)", StaticHandler, {"path": str(STATIC)})]
    for pattern, handler in auth.ROUTES + [route for page in PAGES for route in page.ROUTES]:
        routes.append((pattern, handler, {"desk": desk}))
    routes.append((r"/desk(/.*)?", NotFoundHandler, {"desk": desk}))
    return routes


def live_desk_routes(runtime) -> list:  # noqa: ANN001 - bot.transport.runtime.Runtime (no import cycle)
    """The desk's routes for a live process (`desk`, or `run` when it serves the desk: Settings.desk_enabled); its
    actions run on a thread of their own with their own Application, like the ticker's, and what they send
    becomes outbox rows that the sender of whichever process holds the channel's lease sends."""
    if getattr(runtime, "desk", None) is None:
        runtime.desk = Desk(runtime.services, runtime.i18n, runtime.settings,
                            ThreadActions(runtime._build_app, runtime.wake_sender))  # noqa: SLF001
    return desk_routes(runtime.desk)


def serve_simulator(sim, port: int, after=None) -> HTTPServer:  # noqa: ANN001 - a ChatSimulator
    """The simulator's desk on 127.0.0.1: actions run on the simulator's loop with its bot; `after` (the REPL)
    delivers and prints what they sent at once."""
    desk = Desk(sim.services, sim.i18n, sim.settings, LoopActions(lambda: sim.app.bot, after))
    return serve(desk, "127.0.0.1", port)


def serve(desk: Desk, host: str, port: int) -> HTTPServer:
    """The desk alone on host:port (the simulator, the browser tests), on the running event loop."""
    server = HTTPServer(tornado.web.Application(desk_routes(desk)), xheaders=False)
    server.listen(port, host)
    return server
