"""Who hears about each step of an escalation, in their own language, with the buttons they may press."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Bot

from bot.contracts import EscalationState as S
from bot.domain import Actor, DomainError, OutMessage, Recipient, Role
from bot.i18n import Translator
from bot.services.escalations.core import EscalationView, FollowUp
from handlers.common import deliver_with
from handlers.context import AppData
from handlers.escalations.render import (action_buttons, available, briefing, card, holder_label, notice_text,
                                         outcome_text, titled_name, typed_hint)

LEADERS = (Role.DIRECTOR, Role.DEPUTY_DIRECTOR)
OFFICE_CHAT = -1  # person id of the Office's group chat: no person, so nothing is marked blocked
Param = str | Callable[[Translator], str]  # a callable is rendered in each recipient's language

class Notifier:
    """Sends through `deliver_with`, so it works from handlers and from the periodic follow-up alike."""

    def __init__(self, bot: Bot, data: AppData) -> None:
        self.bot, self.data = bot, data
        self.services = data.services

    def _office(self) -> list[Recipient]:
        people = self.services.people.office_recipients()
        chat = self.data.settings.office_chat_id
        if chat:
            people.append(Recipient(OFFICE_CHAT, "HC-TH", self.data.settings.default_locale, chat))
        return people

    def _leaders(self, view: EscalationView) -> list[Recipient]:
        people = self.services.people.leadership_recipients((Role.DIRECTOR,))
        if view.assignee_id and (assignee := self.services.people.recipient(view.assignee_id)):
            people.append(assignee)
        return people

    def _unit(self, view: EscalationView) -> list[Recipient]:
        return self.services.people.unit_recipients(view.unit_id)

    def _actor_of(self, recipient: Recipient) -> Actor:
        if recipient.person_id == OFFICE_CHAT:  # the group chat gets the Office's buttons
            return Actor(OFFICE_CHAT, recipient.full_name, Role.OFFICE, recipient.locale)
        return self.services.people.get_actor(recipient.person_id)

    def _briefing(self, tr: Translator, actor: Actor, view: EscalationView) -> str:
        """The leader's card: the description, the Office's note and the exchange with the unit."""
        try:
            history = self.services.escalations.history(actor, view.item_id)
        except DomainError:  # cannot happen for a holder; the plain card is still enough to act on
            return card(tr, view)
        return briefing(tr, view, history)

    async def _send(self, recipients: list[Recipient], view: EscalationView, intro: str, skip: int | None,
                    buttons: bool = True, full: bool = True, brief: bool = False, **params: Param) -> None:
        seen: set[int] = set()
        deputies = self.services.people.leadership_recipients((Role.DEPUTY_DIRECTOR,))
        for recipient in recipients:
            if recipient.person_id == skip or recipient.person_id in seen:
                continue
            seen.add(recipient.person_id)
            tr = self.data.i18n.get(recipient.locale)
            values = {key: value(tr) if callable(value) else value for key, value in params.items()}
            rows, body, hint = [], None, ""
            if buttons:
                actor = self._actor_of(recipient)
                codes = available(actor, view)
                rows = action_buttons(tr, actor, view, codes, deputies)
                hint = typed_hint(tr, view, codes)
                body = self._briefing(tr, actor, view) if brief else card(tr, view, full=full)
            text = notice_text(tr, intro, view, body, hint, **values)
            await deliver_with(self.bot, self.services, recipient, OutMessage(text, rows))

    async def announce(self, view: EscalationView, action: str, actor: Actor, text: str | None = None) -> None:
        """Tell the next holder (with buttons) and the others concerned (briefly) about one step."""
        who, body, skip = actor.full_name, text or "-", actor.person_id
        if action == "receive":
            await self._send(self._unit(view), view, "receive", skip, buttons=False, name=who)
        elif action == "forward":
            await self._send(self._leaders(view), view, "forward", skip, brief=True, name=who)
            await self._send(self._unit(view), view, "forward_unit", skip, buttons=False)
        elif action in ("answer", "ask"):
            await self._send(self._unit(view), view, action, skip, full=False, name=who, text=body)
        elif action in ("close", "duplicate"):
            await self._send(self._unit(view), view, "close", skip, buttons=False, name=who,
                             text=lambda tr: outcome_text(tr, view))
        elif action == "instruct":
            # "Đồng chí Phó Giám đốc Sở Lý Thị Ngọc có ý kiến chỉ đạo": the unit may not know who the name is
            leader: Param = (lambda tr: titled_name(tr, actor.role, who)) if actor.role in LEADERS else who
            await self._send(self._office(), view, "instruct", skip, full=False, name=leader, text=body)
            await self._send(self._unit(view), view, "instruct_unit", skip, full=False, name=leader, text=body)
        elif action == "assign":
            assignee = self.services.people.recipient(view.assignee_id or 0)
            await self._send([assignee] if assignee else [], view, "assign", skip, brief=True)
            await self._send(self._office(), view, "assign_office", skip, buttons=False, text=view.assignee or "-")
        elif action == "follow_up":
            await self._send(self._office(), view, "follow_up", skip, full=False, name=who)
        elif action == "add_info":
            recipients = self._office() + (self._leaders(view) if view.state == S.FORWARDED else [])
            await self._send(recipients, view, "add_info", skip, full=False, name=who, text=body)
        elif action == "confirm":
            leader = [r for r in [self.services.people.recipient(view.instruction_by_id or 0)] if r]
            await self._send(self._office() + leader, view, "confirm", skip, buttons=False, name=who)
        elif action == "reply":
            await self._send(self._office(), view, "reply", skip, full=False, name=who, text=body)
        elif action == "comment":
            await self._send(self._office(), view, "comment", skip, full=False, name=who, text=body)

    async def raised(self, view: EscalationView) -> None:
        await self._send(self._office(), view, "raise", view.raised_by_id)

    async def remind(self, follow_up: FollowUp) -> None:
        """A follow-up reminder to whoever holds the item now."""
        view = follow_up.item
        holders: dict[str, Callable[[EscalationView], list[Recipient]]] = {
            "office": lambda _view: self._office(), "unit": self._unit, "director": self._director_holder}
        recipients = holders[follow_up.holder](view)
        director = follow_up.holder == "director"
        intro = "reminder_director" if director else "reminder"
        await self._send(recipients, view, intro, None, full=director, brief=director,
                         holder=lambda tr: holder_label(tr, follow_up.holder),
                         since=lambda tr: tr.short_date(tr.local_date(view.held_since)),
                         due=lambda tr: tr.short_date(follow_up.due))

    def _director_holder(self, view: EscalationView) -> list[Recipient]:
        """A forwarded item is held by the assigned deputy director when there is one, else by the Director."""
        if view.assignee_id and (assignee := self.services.people.recipient(view.assignee_id)):
            return [assignee]
        return self.services.people.leadership_recipients((Role.DIRECTOR,))
