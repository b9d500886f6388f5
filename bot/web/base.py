"""The base of every desk handler: security headers, the session, the person's language, CSRF on every POST.

Handlers stay thin: they read the request, call a service in the page thread (`call`), and render a template
(`page`). Services check permissions again, exactly as for the chat.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import mimetypes
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import tornado.web
from telegram.error import TelegramError

from bot.domain import Actor, DomainError, NotFound, PermissionDenied
from bot.i18n import N_, Translator
from bot.services.desk import DeskSessionInfo
from bot.services.desk.auth import csrf_matches
from bot.text import clean_line, parse_id
from bot.web import security
from bot.web.desk import Desk

log = logging.getLogger(__name__)
# The desk's service and template work, one page at a time per process: several threads of one interpreter only
# wait for each other's lock (a 1,000-unit grid fetched row by row gives it up at every row), so a page took longer
# beside others than after them (benchmarks/desk.py: status p95 565 -> 245 ms with one thread). A second page waits
# here, and `python -m bot desk` forks DESK_PROCESSES workers for pages at the same time. Apart from the default
# executor, so in a one-process install the webhooks' storing never queues behind a page.
PAGE_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-page")
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


# Downloads: what the browser may show itself, and what keeps its own type; anything else is opaque bytes.
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})
DOWNLOAD_TYPES = INLINE_TYPES | frozenset({
    "application/pdf", "application/msword", "application/vnd.ms-excel", "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
})
NAME_LIMIT = 150
UNSAFE_IN_NAMES = str.maketrans({c: "_" for c in '/\\"\';:*?<>|%'})


def safe_filename(name: str, fallback: str) -> str:
    """A name a browser saves as it is: one line, no folder, quote or reserved sign, not hidden, not too long."""
    clean = clean_line(str(name or "")).translate(UNSAFE_IN_NAMES).strip(" .")
    if len(clean) > NAME_LIMIT:  # shortened before its extension, which says what opens it
        stem, dot, extension = clean.rpartition(".")
        keep = f"{dot}{extension}" if dot and len(extension) <= 8 else ""
        clean = (stem if keep else clean)[:NAME_LIMIT - len(keep)].rstrip(" .") + keep
    return clean or fallback


def content_disposition(name: str, inline: bool) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact UTF-8 name in `filename*`."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c if 32 <= ord(c) < 127 else "_" for c in ascii_name if not unicodedata.combining(c))
    return f'{"inline" if inline else "attachment"}; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(name)}'


def stored_path(data_dir: Path, meta: dict) -> Path | None:
    """The file store's copy of an attachment (`meta["stored"]`, a path under DATA_DIR), if it is there; a path
    that leaves DATA_DIR is ignored."""
    stored = meta.get("stored")
    if not stored or not isinstance(stored, str):
        return None
    root = data_dir.resolve()
    path = (root / stored).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def path_id(text: str | None) -> int:
    """An id from the address (1..2^31-1), or the plain 404 page."""
    number = parse_id(text)
    if number is None:
        raise NotFound()
    return number


class PostOnly:
    """Mixed in before a page class: an action's address answers only POST (a GET, say from a bookmark or a
    prefetch, is a 405 rather than the page it inherits)."""

    async def get(self, *_args: str) -> None:
        raise tornado.web.HTTPError(405)


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
        """Run blocking service code in the desk's page thread: the loop keeps receiving requests meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(PAGE_THREAD, functools.partial(fn, *args, **kwargs))

    def context(self, **values: Any) -> dict[str, Any]:
        from bot.web.app import navigation

        tr = self.tr
        return {"_": tr.gettext, "tr": tr, "lang": tr.locale, "who": self.who,
                "csrf": self.who.csrf if self.who else "", "csrf_field": CSRF_FIELD,
                "nav": navigation(self.who.actor, tr) if self.who else [], "here": self.request.path, **values}

    async def page(self, template: str, code: int = 200, **values: Any) -> None:
        """Render a template (in the page thread: a 1,000-unit grid takes a while) and finish."""
        self.send_page(await self.call(self.render_page, template, **values), code)

    def render_page(self, template: str, **values: Any) -> str:
        """A template's HTML, for a page that reads and renders in one turn of the page thread."""
        return self.desk.env.get_template(template).render(self.context(**values))

    def send_page(self, html: str, code: int = 200) -> None:
        self.set_status(code)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(html)

    async def message(self, status: int, title: str, text: str, **params: Any) -> None:
        """A short page saying one thing (a refusal, an expired link), and nothing else."""
        await self.page("message.html", code=status, title=self._(title), text=self._(text).format(**params))

    async def send_attachment(self, meta: dict | None, fallback_name: str) -> None:
        """An attachment the caller's service has already let this person see (`meta`: the stored dict, with
        "file_id", "file_name", "mime_type" and, once kept in the file store, "stored"). Served from the file store
        when it is there, else fetched from the channel it came by, as the chat forwards it."""
        if not meta or not (meta.get("stored") or meta.get("file_id")):
            raise NotFound()
        path = await self.call(stored_path, self.desk.settings.data_dir, meta)
        if path is not None:
            content = await self.call(path.read_bytes)
        elif meta.get("file_id"):
            file_id = str(meta["file_id"])

            async def fetch(bot) -> bytes:  # noqa: ANN001
                file = await bot.get_file(file_id)
                return bytes(await file.download_as_bytearray())

            try:
                content = await self.desk.actions.run(fetch)
            except TelegramError as error:
                log.warning("desk: an attachment could not be fetched from its channel: %s", type(error).__name__)
                await self.message(502, N_("The file cannot be fetched now"),
                                   N_("The chat channel did not hand over the file. Please try again in a moment."))
                return
        else:
            raise NotFound()
        mime = str(meta.get("mime_type") or "") or mimetypes.guess_type(str(meta.get("file_name") or ""))[0] or ""
        extension = mimetypes.guess_extension(mime) or ""
        name = safe_filename(str(meta.get("file_name") or ""), f"{fallback_name}{extension}")
        self.set_header("Content-Type", mime if mime in DOWNLOAD_TYPES else "application/octet-stream")
        self.set_header("Content-Disposition", content_disposition(name, inline=mime in INLINE_TYPES))
        self.set_header("Content-Security-Policy", f"{security.CSP}; sandbox")  # nothing in it ever runs
        self.set_header("Cache-Control", "no-store, private")
        self.set_header("Pragma", "no-cache")
        self.finish(content)

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
