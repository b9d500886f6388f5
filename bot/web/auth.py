"""Signing in with the one-time link from /banlamviec, and signing out.

Opening the link (GET) only checks it and shows a sign-in page whose form the desk's script submits at once:
a chat app's link preview fetches the URL too, and must not spend the link. The POST redeems it, sets the
session cookie and sends the browser to /desk/, so no secret stays in the address bar or the history.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.services.desk import LinkRefused
from bot.services.desk.auth import SESSION_TTL
from bot.web import security
from bot.web.base import DeskHandler

AGAIN = N_("Type /desk in your private chat with the assistant to receive a new link.")
REFUSALS = {
    "used": (N_("This sign-in link has already been used"), N_("Each link works only once.")),
    "expired": (N_("This sign-in link has expired"), N_("A link works for 10 minutes after it is sent.")),
    "invalid": (N_("This sign-in link is not valid"), N_("The link is incomplete or was not sent by the assistant.")),
}


class LinkRefusal(DeskHandler):
    public = True

    async def refuse(self, refused: LinkRefused) -> None:
        title, why = REFUSALS.get(refused.reason, REFUSALS["invalid"])
        await self.page("message.html", code=410 if refused.reason != "invalid" else 404, title=self._(title),
                        text=f"{self._(why)} {self._(AGAIN)}")


class LoginLink(LinkRefusal):
    """GET /desk/login/<secret>: the sign-in page, or why the link cannot be used."""

    async def get(self, secret: str) -> None:
        try:
            await self.call(self.desk.services.desk.check_link, secret)
        except LinkRefused as refused:
            await self.refuse(refused)
            return
        await self.page("login.html", secret=secret)


class Login(LinkRefusal):
    """POST /desk/login: spend the link, start the session, go to the desk."""

    async def post(self) -> None:
        try:
            started = await self.call(self.desk.services.desk.redeem, self.get_body_argument("link", ""))
        except LinkRefused as refused:
            await self.refuse(refused)
            return
        self.set_cookie(self.desk.cookie_name, started.secret,
                        **security.cookie_options(self.desk.secure_cookie, int(SESSION_TTL.total_seconds())))
        self.see_other("/desk/")


class Logout(DeskHandler):
    """POST /desk/logout (with the CSRF token): the session ends in the database, for every process."""

    async def post(self) -> None:
        await self.call(self.desk.services.desk.end, self.secret)
        self.clear_cookie(self.desk.cookie_name, path="/")
        self.see_other("/desk/signed-out")


class SignedOut(DeskHandler):
    public = True

    async def get(self) -> None:
        await self.message(200, N_("You have signed out of the desk"), AGAIN)


ROUTES = [
    (r"/desk/login/([A-Za-z0-9_-]{1,128})", LoginLink),
    (r"/desk/login", Login),
    (r"/desk/logout", Logout),
    (r"/desk/signed-out", SignedOut),
]
