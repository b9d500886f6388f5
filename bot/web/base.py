"""The base of every desk handler: security headers, the session, the person's language, CSRF on every POST.

Handlers stay thin: they read the request, call a service in a worker thread (`call`), and render a template
(`page`). Services check permissions again, exactly as for the chat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from dataclasses import dataclass

import tornado.web

from bot.domain import Actor, DomainError, NotFound, PermissionDenied
from bot.i18n import N_, Translator
from bot.services.desk import DeskSessionInfo
from bot.services.desk.auth import csrf_matches
from bot.text import parse_id
from bot.web import security
from bot.web.desk import Desk

log = logging.getLogger(__name__)
CSRF_FIELD = "csrf"
NOT_SIGNED_IN = N_("Please sign in again: type /desk in your private chat with the assistant, then open the link "
                   "it sends.")


@dataclass(frozen=True)
class Nav:
    """A menu entry of a page area: its label (msgid), address, and who sees it (the route checks again)."""

    label: str
    url: str  # without a period: the latest one; `url/<period id>` opens a period's page when `per_period`
    audience: Callable[[Actor], bool]
    per_period: bool = True


def path_id(text: str | None) -> int:
    """An id from the address (1..2^31-1), or the plain 404 page."""
    number = parse_id(text)
    if number is None:
        raise NotFound()
    return number


class DeskHandler(tornado.web.RequestHandler):
    """Pages need a live session unless `public`; a POST needs the session's CSRF token."""

    public = False

    def initialize(self, desk: Desk) -> None:
        self.desk = desk
        self.who: DeskSessionInfo | None = None
        self.secret: str | None = None

    def set_default_headers(self) -> None:
        for name, value in security.HEADERS.items():
            self.set_header(name, value)
        self.set_header("Cache-Control", security.NO_STORE)

    async def prepare(self) -> None:
        self.secret = self.get_cookie(self.desk.cookie_name) or None
        if self.secret:
            self.who = await self.call(self.desk.services.desk.session, self.secret)
        if self.who is None and not self.public:
            self.clear_cookie(self.desk.cookie_name, path="/")
            await self.message(401, N_("You are not signed in to the desk"), NOT_SIGNED_IN)
            return
        if self.request.method == "POST" and not self.public:
            if not csrf_matches(self.secret or "", self.get_body_argument(CSRF_FIELD, None)):
                await self.message(403, N_("This form has expired"),
                                   N_("The page was open too long or came from elsewhere. Please reload the page "
                                      "and try again."))
                return

    # Who and in which language --------------------------------------------------------------------------
    @property
    def actor(self) -> Actor:
        assert self.who is not None
        return self.who.actor

    @property
    def tr(self) -> Translator:
        locale = self.who.actor.locale if self.who is not None else self.desk.settings.default_locale
        return self.desk.i18n.get(locale)

    def _(self, message: str) -> str:  # noqa: N802 - the gettext name, as in templates
        return self.tr.gettext(message)

    # Work and output ------------------------------------------------------------------------------------
    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run blocking service code in a worker thread: the loop keeps receiving updates meanwhile."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def context(self, **values: Any) -> dict[str, Any]:
        from bot.web.app import navigation

        tr = self.tr
        return {"_": tr.gettext, "tr": tr, "lang": tr.locale, "who": self.who,
                "csrf": self.who.csrf if self.who else "", "csrf_field": CSRF_FIELD,
                "nav": navigation(self.who.actor, tr) if self.who else [], "here": self.request.path, **values}

    async def page(self, template: str, code: int = 200, **values: Any) -> None:
        """Render a template (in a worker thread: a 1,000-unit grid takes a while) and finish."""
        html = await self.call(self.desk.env.get_template(template).render, self.context(**values))
        self.set_status(code)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(html)

    async def message(self, status: int, title: str, text: str, **params: Any) -> None:
        """A short page saying one thing (a refusal, an expired link), and nothing else."""
        await self.page("message.html", code=status, title=self._(title), text=self._(text).format(**params))

    def see_other(self, url: str) -> None:
        """After a POST: the browser loads the result with GET, so reloading never repeats the action."""
        self.set_status(303)
        self.set_header("Location", url)
        self.finish()

    # Errors --------------------------------------------------------------------------------------------
    def log_exception(self, typ, value, tb) -> None:  # noqa: ANN001
        if isinstance(value, DomainError):
            return  # a refusal a person reads, not a fault
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Refusals from services in the person's language; anything else a plain page without a traceback."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        title, text, params = N_("Something went wrong"), N_("Please try again in a moment."), {}
        if isinstance(error, DomainError):
            title, text, params = N_("This cannot be done"), error.message, error.params
            self.set_status(403 if isinstance(error, PermissionDenied) else 404 if isinstance(error, NotFound)
                            else 409)
        elif status_code == 404:
            title, text = N_("Page not found"), N_("This page does not exist on the desk.")
        elif status_code in (400, 405):
            title, text = N_("This request cannot be handled"), N_("Please go back and try again.")
        html = self.desk.env.get_template("message.html").render(self.context(title=self._(title),
                                                                              text=self._(text).format(**params)))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(html)


class NotFoundHandler(DeskHandler):
    """Any other address under /desk: the same plain page, with the same headers."""

    public = True

    async def get(self, *_args: str) -> None:
        await self.message(404, N_("Page not found"), N_("This page does not exist on the desk."))

    post = get


class StaticHandler(tornado.web.StaticFileHandler):
    """The desk's CSS and JS, with the desk's security headers (cacheable: they hold nothing personal)."""

    def set_default_headers(self) -> None:
        for name, value in security.HEADERS.items():
            self.set_header(name, value)
