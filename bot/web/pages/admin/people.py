"""People and their channels, as /nguoidung, and the requests about personal data, as the Office's /dulieu.

/desk/admin/people (the Office and the Director read it; the Office acts), POST /desk/admin/people/<id>/deactivate
(their access removed, history kept), POST /desk/admin/people/<id>/unlink/<telegram|zalo> (one account removed,
one must remain), POST /desk/admin/privacy/<request>/{receive,done} (a request received, a correction made, an
erasure carried out: bot.services.privacy, docs/PRIVACY.md). The person is told in chat as the chat tells them.
"""

from __future__ import annotations

from typing import Any

from bot.domain import Actor, DomainError, OutMessage, PermissionDenied
from bot.glossary import person_title
from bot.i18n import N_, Translator
from bot.services.identity.base import CHANNEL_NAMES, PersonInfo
from bot.services.privacy.service import RequestInfo
from bot.text import parse_id
from bot.web.base import path_id
from bot.web.base import PostOnly
from bot.web.pages.admin import AdminHandler, office_or_director
from handlers.common import deliver_with
from handlers.privacy.render import ERASED, KIND_LABELS, STATE_LABELS, deadlines_line, request_notice

DONE = {"deactivate": N_("The person can no longer use the assistant. Their reports and history are kept."),
        "unlink": N_("The account has been removed; the person uses their other account."),
        "receive": N_("The request is marked as received; the person has been told in the chat."),
        "done": N_("The request is closed; the person has been told in the chat."),
        "erased": N_("The personal data has been erased. The erasure is in the audit log.")}


def person_row(tr: Translator, actor: Actor, p: PersonInfo) -> dict[str, Any]:
    channels = [{"code": code, "name": name, "preferred": p.preferred_channel == code}
                for code, name in CHANNEL_NAMES.items() if (p.telegram_id if code == "telegram" else p.zalo_id)]
    return {"id": p.person_id, "name": p.full_name, "title": person_title(tr, p.role, p.unit_name),
            "unit_id": p.unit_id, "active": p.is_active, "blocked": bool(p.blocked_at), "channels": channels,
            "removable": actor.is_office and p.is_active and p.person_id != actor.person_id,
            "unlinkable": actor.is_office and p.is_active and len(channels) > 1}


def request_row(tr: Translator, r: RequestInfo) -> dict[str, Any]:
    _ = tr.gettext
    return {"id": r.request_id, "name": r.person_name, "title": person_title(tr, r.role, r.unit_name),
            "kind": r.kind, "kind_text": _(KIND_LABELS[r.kind]), "text": r.text, "state": r.state,
            "state_text": _(STATE_LABELS.get(r.state, r.state)), "received": tr.datetime(r.created_at),
            "deadlines": deadlines_line(tr, r)}


class PeopleList(AdminHandler):
    audience = staticmethod(office_or_director)

    async def get(self) -> None:
        await self.show()

    async def show(self, code: int = 200, error: str = "") -> None:
        services, actor, tr = self.desk.services, self.actor, self.tr
        everyone = self.get_query_argument("all", "") == "1"
        unit_id = parse_id(self.get_query_argument("unit", ""))
        people = await self.call(services.people.list_people, actor, everyone)
        rows = [person_row(tr, actor, p) for p in people if unit_id is None or p.unit_id == unit_id]
        requests = await self.call(services.privacy.open_requests, actor) if actor.is_office else []
        units = await self.call(services.org.list_units, True)
        await self.page("admin/people.html", code=code, rows=rows, requests=[request_row(tr, r) for r in requests],
                        units=units, unit_id=unit_id, everyone=everyone, error=error,
                        notice=self.notice_of(DONE) if code == 200 else "")


class PersonAction(PostOnly, PeopleList):
    audience = staticmethod(lambda actor: actor.is_office)

    async def post(self, person: str, action: str, channel: str | None = None) -> None:
        person_id, services, actor = path_id(person), self.desk.services, self.actor
        try:
            if action == "deactivate":
                await self.call(services.people.deactivate, actor, person_id)
            else:
                await self.call(services.identity.unlink, actor, person_id, channel)
        except DomainError as error:
            if type(error) is not DomainError:
                raise
            await self.show(code=400, error=self.refusal(error))
            return
        self.see_other(f"/desk/admin/people?done={action}")


class RequestAction(PostOnly, PeopleList):
    """The Office's /dulieu tiepnhan and /dulieu xong (an erasure after the page's confirmation), with the same
    message to the person, in one unit of work with the change."""

    audience = staticmethod(lambda actor: actor.is_office)

    async def post(self, request: str, action: str) -> None:
        request_id, services, actor, i18n = path_id(request), self.desk.services, self.actor, self.desk.i18n

        async def work(bot) -> str:  # noqa: ANN001
            with services.db.unit_of_work():
                if action == "receive":
                    info = services.privacy.acknowledge(actor, request_id)
                    await tell(bot, info, "acknowledged")
                    return "receive"
                info = next((r for r in services.privacy.open_requests(actor) if r.request_id == request_id), None)
                if info is None:
                    raise DomainError(N_("This request has already been handled."))
                if info.kind == "correct":
                    await tell(bot, services.privacy.close(actor, request_id), "done")
                    return "done"
                recipient = services.people.recipient(info.person_id)
                services.privacy.erase(actor, info.person_id, request_id)
                if recipient is not None and recipient.telegram_id:  # as the chat: Telegram only (docs/PRIVACY.md)
                    await bot.send_message(int(recipient.telegram_id), i18n.get(recipient.locale).gettext(ERASED))
                return "erased"

        async def tell(bot, info: RequestInfo, state: str) -> None:  # noqa: ANN001
            recipient = services.people.recipient(info.person_id)
            if recipient is not None:
                text = request_notice(i18n.get(recipient.locale), info, state)
                await deliver_with(bot, services, recipient, OutMessage(text))

        try:
            done = await self.desk.actions.run(work)
        except DomainError as error:
            if isinstance(error, PermissionDenied):
                raise
            await self.show(code=409, error=self.refusal(error))
            return
        self.see_other(f"/desk/admin/people?done={done}")


NAV: list = []  # reached from /desk/admin
ROUTES = [
    (r"/desk/admin/people", PeopleList),
    (r"/desk/admin/people/(\d{1,10})/(deactivate)", PersonAction),
    (r"/desk/admin/people/(\d{1,10})/(unlink)/(telegram|zalo)", PersonAction),
    (r"/desk/admin/privacy/(\d{1,10})/(receive|done)", RequestAction),
]
