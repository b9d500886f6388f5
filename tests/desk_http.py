"""The desk over plain HTTP (httpx) against the real server of tests/desk_site.py, for tests that need no browser:
a signed-in client per person (a session started the way the one-time link starts it) and its form token."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from bot.services.desk.auth import csrf_for
from tests.desk_site import DeskSite

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class Desk:
    """One person's browser, without the browser: a cookie jar and the session's CSRF token."""

    client: httpx.Client
    csrf: str

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def post(self, path: str, data: dict | None = None, csrf: str | None = None, files: dict | None = None
             ) -> httpx.Response:
        """A form sent with this session's token (or `csrf`, "" for none)."""
        token = self.csrf if csrf is None else csrf
        fields = {**(data or {}), **({"csrf": token} if token else {})}
        return self.client.post(path, data=fields, files=files)


def anonymous(site: DeskSite) -> Desk:
    return Desk(httpx.Client(base_url=site.base, follow_redirects=False, timeout=60), "")


def signed_in(site: DeskSite, key: str) -> Desk:
    """The persona's desk session (what opening the /banlamviec link gives the browser)."""
    desk = site.sim.services.desk
    actor = site.actor(key)
    started = site.run(lambda: desk.redeem(desk.issue_link(actor)[0]))
    client = httpx.Client(base_url=site.base, follow_redirects=False, timeout=60, cookies={"desk": started.secret})
    return Desk(client, csrf_for(started.secret))
