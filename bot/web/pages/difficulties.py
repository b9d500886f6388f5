"""Page 4, difficulties: the list with its filters (state, unit, holder, overdue), one item with its history, and
the Office's and the leadership's actions, each through the chat's own service call and the chat's notices.

/desk/difficulties?state=&unit=&holder=&overdue=1, /desk/difficulties/<id>,
POST /desk/difficulties/<id>/<action code> (the chat's button codes: fwd, ans, ask, cls, ag, ins, ...),
/desk/difficulties/<id>/files/<event id> (0: the item's own file), after the same permission check as the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from bot.contracts import EscalationState as S
from bot.domain import Actor, DomainError, NotFound, PermissionDenied, Recipient, Role
from bot.i18n import N_, Translator
from bot.services.escalations.core import (ACTION_LABELS, OPEN_STATES, OUTCOME_LABELS, STATE_LABELS, EscalationView,
                                           HistoryEntry, Superseded, holder_of)
from bot.text import parse_id
from bot.web.base import DeskHandler, Nav, PostOnly, path_id
from handlers.escalations.actions import call_action
from handlers.escalations.notify import Notifier
from handlers.escalations.render import ACTS, DONE, HOLDER_LABELS, available, superseded_text


def can_see_difficulties(actor: Actor) -> bool:
    """The desk's people: the Office and the Director see every item, a deputy director those assigned to them."""
    return actor.is_office or actor.is_leadership


NAV = [Nav(N_("Difficulties"), "/desk/difficulties", can_see_difficulties, per_period=False)]
LIMIT = 300  # items read at most; the filters narrow a longer list
PER_PAGE = 50  # rows on one page of the list (a 300-row table cost most of the page's time, and scrolled badly)
# Codes that take a typed text on the desk, and whether it may be left empty (as the chat's PROMPTS).
TEXT_CODES = {"fwd": True, "ans": False, "ask": False, "cls": True, "dup": True, "ins": False,
              "ag": True, "na": True, "sm": True}
FIELD_LABELS = {
    "fwd": N_("Note of the Administration Office for the Director (optional)"),
    "ans": N_("Answer of the Administration Office to the unit"),
    "ask": N_("What information should the unit add?"),
    "cls": N_("Closing note: how it was resolved (optional)"),
    "dup": N_("Note (optional)"),
    "ins": N_("Your instruction"),
    "ag": N_("A few words to add (optional)"),
    "na": N_("A few words to add (optional)"),
    "sm": N_("A few words to add (optional)"),
}
MISSING_ARG = {"dup": N_("Please type the number of the original item, for example 7."),
               "asg": N_("That person is not a deputy director.")}
HOLDER_STATES = {holder: tuple(s for s in S if holder_of(s) == holder) for holder in HOLDER_LABELS}


@dataclass(frozen=True)
class Filters:
    """What the list shows: `state` a state value, "open" (the default), "closed" or "all"."""

    state: str = "open"
    unit_id: int | None = None
    holder: str = ""
    overdue: bool = False

    @classmethod
    def read(cls, arg) -> Filters:  # noqa: ANN001 - a handler's get_query_argument
        """From the address; an unknown value means no filter, never an error."""
        state = arg("state", "open")
        if state not in (*S.__members__.values(), "open", "all"):
            state = "open"
        holder = arg("holder", "")
        return cls(state=state, unit_id=parse_id(arg("unit", "")), holder=holder if holder in HOLDER_STATES else "",
                   overdue=arg("overdue", "") == "1")

    def states(self) -> tuple[S, ...]:
        """The states to ask the service for: the state filter and the holder's states together."""
        chosen = {"open": OPEN_STATES, "all": tuple(S)}.get(self.state) or (S(self.state),)
        if self.holder:
            chosen = tuple(s for s in chosen if s in HOLDER_STATES[self.holder])
        return chosen

    def query(self, **change: Any) -> str:
        """This filter's address with some values changed ("" drops a value)."""
        values = {"state": self.state, "unit": self.unit_id or "", "holder": self.holder,
                  "overdue": "1" if self.overdue else "", **change}
        kept = {key: value for key, value in values.items() if value not in ("", None) and
                not (key == "state" and value == "open")}
        return "?" + urlencode(kept) if kept else "?"


def waiting_text(tr: Translator, view: EscalationView, day: Callable[[date], str] | None = None) -> str:
    """"the Director, until 27/11/2026" or the outcome once closed."""
    if view.state == S.CLOSED:
        outcome = tr.gettext(OUTCOME_LABELS.get(view.outcome or "", N_("closed")))
        return f"{outcome} (#{view.duplicate_of_id})" if view.duplicate_of_id else outcome
    holder = tr.gettext(HOLDER_LABELS[view.holder]) if view.holder else ""
    if view.holder == "director" and view.assignee:
        holder = f"{holder} ({view.assignee})"
    return tr.gettext("{holder}, until {date}").format(holder=holder, date=(day or tr.short_date)(view.due)) if view.due \
        else holder


def list_row(tr: Translator, view: EscalationView, day: Callable[[date], str] | None = None) -> dict[str, Any]:
    return {"id": view.item_id, "title": view.title, "urgent": view.urgent, "unit": view.unit_name,
            "state": tr.gettext(STATE_LABELS[view.state]), "open": view.is_open, "overdue": view.overdue,
            "waiting": waiting_text(tr, view, day), "raised": tr.datetime(view.created_at), "url":
            f"/desk/difficulties/{view.item_id}"}


def list_rows(tr: Translator, views: list[EscalationView]) -> list[dict[str, Any]]:
    """Every line of the list; the due dates repeat (items raised the same day), so each is formatted once."""
    day = lru_cache(maxsize=None)(tr.short_date)
    return [list_row(tr, v, day) for v in views]


def history_rows(tr: Translator, item_id: int, history: list[HistoryEntry]) -> list[dict[str, Any]]:
    """Every step, oldest first, as the chat's detail lists it, with a link to any file."""
    rows = []
    for entry in history:
        file_url = f"/desk/difficulties/{item_id}/files/{entry.event_id}" if entry.attachment else ""
        rows.append({"when": tr.datetime(entry.at), "who": entry.actor_name or tr.gettext("system"),
                     "action": tr.gettext(ACTION_LABELS.get(entry.action, entry.action)),
                     "text": entry.text if entry.text and entry.action != "raise" else "",
                     "file": (entry.attachment or {}).get("file_name") or "" if entry.attachment else "",
                     "file_url": file_url})
    return rows


def action_forms(tr: Translator, actor: Actor, view: EscalationView, deputies: list[Recipient]) -> list[dict]:
    """One form per action this person may take now (the service checks again when it is sent)."""
    forms = []
    for code in available(actor, view):
        if code in ("add", "ok", "rep"):
            continue  # the unit's own steps stay in the chat of the unit's people
        forms.append({"code": code, "label": tr.gettext(ACTS[code][3]), "text": code in TEXT_CODES,
                      "optional": TEXT_CODES.get(code, True), "field": tr.gettext(FIELD_LABELS.get(code, "")) if
                      code in FIELD_LABELS else "", "url": f"/desk/difficulties/{view.item_id}/{code}",
                      "danger": code in ("cls", "dup", "na"), "of": code == "dup"})
    if actor.is_director and view.state == S.FORWARDED:
        for deputy in deputies:
            if deputy.person_id != view.assignee_id:
                forms.append({"code": "asg", "label": tr.gettext(ACTS["asg"][3]).format(name=deputy.full_name),
                              "text": False, "optional": True, "field": "", "danger": False, "of": False,
                              "url": f"/desk/difficulties/{view.item_id}/asg", "deputy": deputy.person_id})
    return forms


def done_text(tr: Translator, code: str, view: EscalationView) -> str:
    """What the chat tells the person after the same action."""
    action = ACTS[code][0]
    text = tr.gettext(DONE[action]).format(id=view.item_id, name=view.assignee or "-")
    return text + " " + tr.gettext("The people concerned have been told in the chat.")


class DifficultyList(DeskHandler):
    async def get(self) -> None:
        if not can_see_difficulties(self.actor):
            raise NotFound()
        filters = Filters.read(self.get_query_argument)
        number = parse_id(self.get_query_argument("page", "")) or 1
        services = self.desk.services
        found = await self.call(services.escalations.list_page, self.actor, states=filters.states(),
                                unit_id=filters.unit_id, overdue=filters.overdue, page=number, per_page=PER_PAGE,
                                limit=LIMIT)
        units = await self.call(services.escalations.units_with_items, self.actor) \
            if self.actor.is_office or self.actor.is_director else []
        tr = self.tr
        await self.page("difficulties.html", rows=list_rows(tr, found.views), more=found.more, page=found.page,
                        pages=max(1, -(-found.count // PER_PAGE)), shown=found.count,
                        limit=LIMIT, filters=filters, units=units, states=[(s.value, tr.gettext(STATE_LABELS[s])) for s in S],
                        holders=[(h, tr.gettext(label)) for h, label in HOLDER_LABELS.items()])


class DifficultyPage(DeskHandler):
    async def get(self, item: str) -> None:
        await self.show(path_id(item))

    async def show(self, item_id: int, *, code: int = 200, error: str = "", notice: str = "", typed: str = "",
                   failed: str = "") -> None:
        escalations, people = self.desk.services.escalations, self.desk.services.people
        view = await self.call(escalations.get, self.actor, item_id)
        history = await self.call(escalations.history, self.actor, item_id)
        deputies = await self.call(people.leadership_recipients, (Role.DEPUTY_DIRECTOR,)) \
            if self.actor.is_director else []
        tr = self.tr
        done = self.get_query_argument("done", "")
        if not notice and done in ACTS:
            notice = done_text(tr, done, view)
        await self.page("difficulty.html", code=code, view=view, row=list_row(tr, view),
                        history=history_rows(tr, item_id, history), forms=action_forms(tr, self.actor, view, deputies),
                        notice=notice, error=error, typed=typed, failed=failed,
                        raised=tr.datetime(view.created_at),
                        instruction_at=tr.datetime(view.instruction_at) if view.instruction_at else "",
                        file_url=f"/desk/difficulties/{item_id}/files/0" if view.attachment else "")


class DifficultyAction(PostOnly, DifficultyPage):
    """One action: the chat button's service call and the chat's notices, in one unit of work."""

    async def post(self, item: str, code: str) -> None:
        item_id = path_id(item)
        if code not in ACTS or code in ("add", "ok", "rep"):
            raise NotFound()
        typed = self.get_body_argument("text", "")
        text = typed if code in TEXT_CODES else None
        arg = None
        if code == "asg":
            arg = parse_id(self.get_body_argument("deputy", ""))
        elif code == "dup":
            arg = parse_id(self.get_body_argument("of", ""))
        if code in ("asg", "dup") and arg is None:
            refusal = MISSING_ARG[code]
            await self.show(item_id, code=400, error=self._(refusal), typed=typed, failed=code)
            return
        services, actor, desk = self.desk.services, self.actor, self.desk

        async def work(bot) -> tuple[EscalationView | None, Superseded | None]:  # noqa: ANN001
            with services.db.unit_of_work():
                try:
                    view = call_action(services, desk.i18n.get, actor, code, item_id, text or None, arg)
                except Superseded as refused:  # someone acted first: the text is kept and passed on as in chat
                    if refused.kept:
                        await Notifier(bot, desk).announce(refused.item, "comment", actor, refused.kept_text)
                    return None, refused
                action = ACTS[code][0]
                await Notifier(bot, desk).announce(view, action, actor,
                                                   view.instruction if action == "instruct" else text or None)
                return view, None

        try:
            _view, refused = await self.desk.actions.run(work)
        except DomainError as error:
            if isinstance(error, (NotFound, PermissionDenied)):
                raise  # the plain refusal page, as for any other page this person may not open
            await self.show(item_id, code=400, error=self._(error.message).format(**error.params), typed=typed,
                            failed=code)
            return
        if refused is not None:
            await self.show(item_id, code=409, error=superseded_text(self.tr, refused))
            return
        self.see_other(f"/desk/difficulties/{item_id}?done={quote(code)}")


class DifficultyFile(DeskHandler):
    """A file attached to the item or to one step (the file store's copy, or the channel's)."""

    async def get(self, item: str, event: str) -> None:
        item_id, event_id = path_id(item), parse_id(event) if event != "0" else 0
        if event_id is None:
            raise NotFound()
        found = await self.call(self.desk.services.escalations.event_attachment, self.actor, item_id, event_id)
        await self.send_attachment(found, f"vuong-mac-{item_id}")


ROUTES = [
    (r"/desk/difficulties", DifficultyList),
    (r"/desk/difficulties/(\d{1,10})", DifficultyPage),
    (r"/desk/difficulties/(\d{1,10})/([a-z0-9]{1,4})", DifficultyAction),
    (r"/desk/difficulties/(\d{1,10})/files/(\d{1,10})", DifficultyFile),
]
