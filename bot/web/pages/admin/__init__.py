"""Page 6, administration: periods and the calendar, units, people and their channels, invitations, the audit log.

One module per area; each calls the same service as the chat command (/kybaocao, /donvi, /nguoidung and /dulieu,
/moi, /nhatky), which checks the person's role again and writes the audit log in its own transaction. Only the
Office administers; the Director also reads the people list and the audit log, as in the chat. A deputy director
or a unit head is refused on the server (403), whatever address they type.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from bot.domain import Actor, DomainError, PermissionDenied
from bot.i18n import N_
from bot.periods import parse_vn_date
from bot.text import clean_line
from bot.web.base import DeskHandler

BAD_DATE = N_("\"{text}\" is not a valid date. Please type it as day/month/year, for example 20/12/2026.")


def is_office(actor: Actor) -> bool:
    return actor.is_office


def office_or_director(actor: Actor) -> bool:
    """Who may read the people list and the audit log on the desk (the chat's /nhatky audience)."""
    return actor.is_office or actor.is_director


def form_date(text: str, today: date) -> date:
    """A date typed into a form the Vietnamese way (20/12/2026, 20/12, or ISO), as in the chat; else a short refusal."""
    day = parse_vn_date(text or "", today)
    if day is None:
        raise DomainError(BAD_DATE, text=clean_line(text or "")[:40])
    return day


def typed_date(day: date) -> str:
    """A date as a form shows it and form_date reads it back: day/month/year, in every language."""
    return day.strftime("%d/%m/%Y")


def typed_values(values: dict | None = None) -> defaultdict:
    """What was typed into a refused form, for the page to show again ("" for any field not sent)."""
    return defaultdict(str, values or {})


class AdminHandler(DeskHandler):
    """An administration page: `audience` is checked on the server before anything is read or changed."""

    audience = staticmethod(is_office)

    async def prepare(self) -> None:
        await super().prepare()
        if self._finished:
            return
        if not self.audience(self.actor):
            raise PermissionDenied()

    def notice_of(self, done: dict[str, str]) -> str:
        """The "done" banner named by ?done= after a POST (an unknown word shows nothing)."""
        word = self.get_query_argument("done", "")
        return self._(done[word]) if word in done else ""

    def refusal(self, error: DomainError) -> str:
        return self._(error.message).format(**error.params)


