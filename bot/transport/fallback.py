"""When a notification or reminder fails on one channel for a reason the other channel does not share, the same
call goes to the person's other channel, once, and the Office hears of it.

- Zalo answered 429 (its usage limit: a rate or the month's quota, the documentation does not say; no retry time)
  or 403 read as a block (bot/transport/zalo.py); Telegram answered 403 (blocked) for a person who also has Zalo.
- A 429 loses nothing: for a person with only Zalo the call stays queued (the sender pauses Zalo briefly and
  probes), and is sent when Zalo accepts again; the Office's notice says it is kept (`deliverynotice.fallback`
  "later").
- The copy is a new outbox row for the other channel (same method and parameters, the chat id replaced, the
  reference marked `|fallback`), written in one transaction with the Office's notice and, when nothing is left,
  the reminder's final state; a copy that fails is never handed on again (at most one message per person).
- After a Zalo 429 every pending Zalo notification and reminder of a person who has the other channel is handed
  over at once: it may be the month's quota, and waiting would only delay them (the rest wait for Zalo).
- Replies and button answers stay on their channel: the person is there.
Reminder rows learn where they were delivered through the outcome hook of the sender that sent the copy.
"""

from __future__ import annotations

import logging

from sqlalchemy import update

from bot.transport.results import Outcome, SendResult
from bot.reminders.refs import FALLBACK_MARK, reminder_of, split_ref  # noqa: F401 - reminder_of: wiring's
from bot.services import Services
from bot.services.identity.addressing import BLOCKED, LATER, QUOTA
from bot.transport.outbox import FAILED, PENDING, Outbox, Outgoing, pack_files
from bot.transport.policy import NOTIFY
from storage.models.transport import OutboxMessage

log = logging.getLogger(__name__)
def is_message(method: str) -> bool:
    return method.startswith("send") and method != "sendChatAction"


class FallBack:
    """The sender's `on_failed` hook for one channel: True when it took the failed call over."""

    def __init__(self, services: Services, channel: str) -> None:
        self.services, self.channel = services, channel
        self.outbox = Outbox(services.db)

    def __call__(self, row: Outgoing, result: SendResult) -> bool:
        reason = self.reason(row, result)
        if reason is None or not self.hand_over(row, reason):
            return False
        if reason == QUOTA:
            swept = self.sweep()
            if swept:
                log.warning("%s quota used up: %d queued messages handed to the other channel", self.channel, swept)
        return True

    def reason(self, row: Outgoing, result: SendResult) -> str | None:
        if row.priority < NOTIFY or not is_message(row.method):
            return None
        if self.channel == "zalo" and result.outcome == Outcome.RETRY:
            return QUOTA
        if result.outcome == Outcome.BLOCKED:
            return BLOCKED
        return None

    def hand_over(self, row: Outgoing, reason: str, claim: bool = False) -> bool:
        """Queue the call on the other channel, or settle it when there is none; False leaves the row to the
        sender's usual handling (Telegram with no other channel). `claim`: the row is still pending (a sweep)."""
        ref, copy = split_ref(row.ref)
        addressing = self.services.addressing
        recipient = addressing.recipient_at(row.chat_key)
        other = None if copy or recipient is None else addressing.other_route(recipient, self.channel)
        if other is None and reason == QUOTA:  # kept on this channel until it accepts again: never dropped
            if recipient is not None:
                addressing.note(recipient.person_id, self.channel, reason, LATER)
            return False
        if other is None and self.channel != "zalo":
            return False
        with self.services.db.unit_of_work() as session:
            if claim and not session.execute(update(OutboxMessage).where(
                    OutboxMessage.id == row.id, OutboxMessage.state == PENDING)
                    .values(state=FAILED, error=f"{self.channel} {reason}: handed over")).rowcount:
                return True  # the sender took it meanwhile: its own outcome will come through this hook
            if other is not None:
                self.outbox.enqueue(session, channel=other.channel, chat_key=other.chat_id, method=row.method,
                                    params={**row.params, "chat_id": other.chat_id}, files=pack_files(row.files),
                                    priority=row.priority, resend=row.resend, inbox_id=None, ref=ref + FALLBACK_MARK)
            elif (reminder := reminder_of(ref)) is not None:
                self.services.reminders.finish(reminder, None, Outcome.BLOCKED, f"{self.channel} {reason}",
                                               office_told=recipient is not None)
            elif reason == BLOCKED and recipient is not None:
                self.services.people.mark_blocked(recipient.person_id, True)
            if recipient is not None:
                addressing.note(recipient.person_id, self.channel, reason, other.channel if other else None)
        return True

    def sweep(self) -> int:
        """Hand over every pending notification and reminder of this channel (its quota is used up)."""
        rows = self.outbox.pending(self.channel, 100_000, min_priority=NOTIFY, including_later=True)
        count = 0
        for row in rows:
            if not is_message(row.method):
                continue
            count += self.hand_over(row, QUOTA, claim=True)
        return count
