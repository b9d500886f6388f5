"""The last numbered menu sent to a chat without buttons (Zalo), and what a typed bare number means there.

Rules (docs/ZALO.md, "Typed numbers"):
- a bare number picks the button with that number in the LAST menu sent to that chat;
- while a typed answer is pending (a `dialogstate` row), numbers answer the question, never the menu;
- a menu pushed unprompted (a reminder, the Director's instruction) on top of a numbered menu sent within the
  last 30 minutes continues its numbering (the reply's 1-3, the push's 4-5), so every number still means one
  thing; on an older menu it starts at 1 and replaces it;
- if a pushed menu could not continue the numbering (its labels carry their own numbers) and more than one menu
  reached the chat since the person last wrote, or the number is not in the list, nothing is applied: the
  current menu's choices are shown again.
The button data itself carries step tokens the handlers check, so even an applied number cannot act on an old
screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.services.base import Service
from bot.services.identity.base import CHANNEL_COLUMNS
from bot.text import nfc
from storage.models import ChannelAddress, ChannelMenu, DialogState, Person

STACK_WINDOW = timedelta(minutes=30)  # a menu this recent may still be being answered: a pushed one goes on top
STACK_LIMIT = 9  # at most this many numbers in one stack (a pushed menu beyond it replaces instead)
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

    def stack_point(self, address_id: int) -> tuple[int, int] | None:
        """Where a menu pushed now (a reminder, the Director's instruction) continues the numbering: (version, count)
        of a numbered menu sent within STACK_WINDOW, which the person may still be answering; None to start at 1.

        Numbered on from it ("4. Xem chỉ đạo" under a reply's 1-3), the pushed menu leaves every number meaning one
        thing: nothing is ambiguous, so the person's next number is applied instead of refused as stale."""
        with self.db.session() as session:
            row = session.get(ChannelMenu, address_id)
            if row is None or not row.choices or not row.numbered or len(row.choices) >= STACK_LIMIT:
                return None
            if row.updated_at < self.clock.now() - STACK_WINDOW:
                return None
            return row.version, len(row.choices)

    def record(self, address_id: int, message_id: int | None, choices: list[str], text: str,
               numbered: bool, reply: bool = False, stacked_on: tuple[int, int] | None = None) -> int:
        """Remember a menu the chat has just been sent (after the channel accepted it); returns its version.

        `reply`: sent while handling this chat's own message, so it is the list the person is looking at. A menu
        pushed unprompted (a reminder, a notice) on top of a recent one the person may still be answering either
        continues its numbering (`stacked_on`: what `stack_point` gave; its numbers were rendered after that
        menu's) or, when it could not, makes the next bare number ambiguous. A push on a menu older than
        STACK_WINDOW replaces it: that one is no longer being read.
        """
        if stacked_on is not None:
            stacked = self._stack(address_id, message_id, choices, text, stacked_on[0])
            if stacked is not None:
                return stacked
            # Another menu came in between: keep the numbers as sent (the first ones lead nowhere) and let the
            # next number be refused as ambiguous, which shows this menu again.
            choices = [""] * stacked_on[1] + list(choices)
            reply = False
        values = {"message_id": message_id, "choices": list(choices), "text": text, "numbered": numbered,
                  "updated_at": self.clock.now()}
        unread = 1 if reply else self._push_unread(address_id)
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

    def _push_unread(self, address_id: int) -> Any:
        """`unread` for a pushed menu that replaces the row: one more, unless the menu it replaces is old."""
        with self.db.session() as session:
            row = session.get(ChannelMenu, address_id)
            if row is not None and row.updated_at < self.clock.now() - STACK_WINDOW:
                return 1
        return ChannelMenu.unread + 1

    def _stack(self, address_id: int, message_id: int | None, choices: list[str], text: str,
               version: int) -> int | None:
        """Append a pushed menu's choices to menu `version` (still the chat's menu); None when it is not."""
        with self.db.session() as session:
            row = session.get(ChannelMenu, address_id)
            if row is None or row.version != version:
                return None
            done = session.execute(update(ChannelMenu).where(ChannelMenu.address_id == address_id,
                                                             ChannelMenu.version == version).values(
                version=version + 1, choices=[*row.choices, *choices], text=f"{row.text}\n\n{text}",
                message_id=message_id, updated_at=self.clock.now()))
            return version + 1 if done.rowcount else None

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
            if not 1 <= number <= len(menu.choices) or not menu.choices[number - 1]:
                return Resolution("stale", menu_text=menu.text, message_id=menu.message_id, reason="out_of_range")
            return Resolution("choice", data=menu.choices[number - 1], message_id=menu.message_id)
