"""The last numbered menu sent to a chat without buttons (Zalo), and what a typed bare number means there.

Rules (docs/ZALO.md, "Typed numbers"):
- a bare number picks the button with that number in the LAST menu sent to that chat;
- while a typed answer is pending (a `dialogstate` row), numbers answer the question, never the menu;
- if more than one menu reached the chat since the person last wrote (a reminder arrived on top of the list
  they were reading), or the number is not in the list, nothing is applied: the current menu is shown again.
The button data itself carries step tokens the handlers check, so even an applied number cannot act on an old
screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.services.base import Service
from bot.services.people import CHANNEL_COLUMNS
from bot.text import nfc
from storage.models import ChannelAddress, ChannelMenu, DialogState, Person

_NUMBER = re.compile(r"^\s*(?:số|so|#)?\s*(\d{1,3})\s*[.)]?\s*$", re.IGNORECASE)


def bare_number(text: str | None) -> int | None:
    """The number in "3", " 3. ", "số 3" or "#3" (any script's digits), else None."""
    if not text:
        return None
    match = _NUMBER.match(nfc(text))
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class MenuSnapshot:
    version: int
    message_id: int | None
    choices: tuple[str, ...]
    numbered: bool
    text: str
    unread: int


@dataclass(frozen=True)
class Resolution:
    """What an incoming message means: `text` (pass it on), `choice` (press `data`) or `stale` (show `menu_text`)."""

    kind: str
    data: str | None = None
    message_id: int | None = None
    menu_text: str = ""
    reason: str = ""  # for `stale`: "ambiguous" (a newer menu arrived unread) or "out_of_range"


TEXT = Resolution("text")


def _snapshot(row: ChannelMenu) -> MenuSnapshot:
    return MenuSnapshot(row.version, row.message_id, tuple(row.choices), row.numbered, row.text, row.unread)


class MenuService(Service):
    """Owns `channelmenu`; every method is one short transaction."""

    def _answer_pending(self, session: Session, address_id: int) -> bool:
        """True when the person behind the address has a typed question pending."""
        address = session.get(ChannelAddress, address_id)
        column = CHANNEL_COLUMNS.get(address.channel) if address else None
        if column is None:
            return False
        person = session.exec(select(Person).where(column == address.external_id)).first()
        return person is not None and session.get(DialogState, person.id) is not None

    def numbered_for(self, address_id: int) -> bool:
        """Whether a menu sent now should be numbered (False while a typed answer is pending)."""
        with self.db.session() as session:
            return not self._answer_pending(session, address_id)

    def current(self, address_id: int) -> MenuSnapshot | None:
        with self.db.session() as session:
            row = session.get(ChannelMenu, address_id)
            return _snapshot(row) if row and row.choices else None

    def record(self, address_id: int, message_id: int | None, choices: list[str], text: str,
               numbered: bool, reply: bool = False) -> int:
        """Remember a menu the chat has just been sent (after the channel accepted it); returns its version.

        `reply`: sent while handling this chat's own message, so it is the list the person is looking at. A menu
        pushed unprompted (a reminder, a notice) stacks on top of one the person may still be answering.
        """
        values = {"message_id": message_id, "choices": list(choices), "text": text, "numbered": numbered,
                  "updated_at": self.clock.now()}
        unread = 1 if reply else ChannelMenu.unread + 1
        for _attempt in range(2):
            try:
                with self.db.session() as session:
                    done = session.execute(update(ChannelMenu).where(ChannelMenu.address_id == address_id).values(
                        version=ChannelMenu.version + 1, unread=unread, **values))
                    if done.rowcount == 0:
                        session.add(ChannelMenu(address_id=address_id, version=1, unread=1, **values))
                        session.flush()
                    return session.get(ChannelMenu, address_id, populate_existing=True).version
            except IntegrityError:  # a first menu recorded by another process at the same moment
                continue
        raise RuntimeError("menu could not be recorded")  # pragma: no cover - two collisions in a row

    def clear(self, address_id: int, message_id: int | None = None) -> bool:
        """Forget the menu (only if it is message `message_id`, when given): its buttons are gone."""
        with self.db.session() as session:
            query = update(ChannelMenu).where(ChannelMenu.address_id == address_id)
            if message_id is not None:
                query = query.where(ChannelMenu.message_id == message_id)
            done = session.execute(query.values(choices=[], text="", version=ChannelMenu.version + 1,
                                                updated_at=self.clock.now()))
            return done.rowcount > 0

    def resolve(self, address_id: int, text: str | None) -> Resolution:
        """What an incoming message means; every incoming message also marks the menus so far as read."""
        with self.db.session() as session:
            row = session.get(ChannelMenu, address_id)
            if row is None:
                return TEXT
            menu = _snapshot(row)
            session.execute(update(ChannelMenu).where(ChannelMenu.address_id == address_id).values(unread=0))
            number = bare_number(text)
            if number is None or not menu.choices or not menu.numbered or self._answer_pending(session, address_id):
                return TEXT
            if menu.unread > 1:
                return Resolution("stale", menu_text=menu.text, message_id=menu.message_id, reason="ambiguous")
            if not 1 <= number <= len(menu.choices):
                return Resolution("stale", menu_text=menu.text, message_id=menu.message_id, reason="out_of_range")
            return Resolution("choice", data=menu.choices[number - 1], message_id=menu.message_id)
