"""Hooks between the sender and the services: who blocked the bot, how a reminder ended, where a failed call goes."""

from __future__ import annotations

import logging

from bot.transport.results import Outcome
from bot.services import Services
from bot.transport.fallback import FallBack, reminder_of

log = logging.getLogger(__name__)


def blocked_hook(services: Services, channel: str = "telegram"):  # noqa: ANN201
    """A person who blocked the bot is remembered (the Office sees it; reminders skip them)."""

    def on_blocked(chat_key: str) -> None:
        recipient = services.addressing.recipient_at(chat_key)  # a Telegram id or a Zalo stand-in
        if recipient is not None:
            services.people.mark_blocked(recipient.person_id, True)
            log.info("person %s has blocked the bot on %s", recipient.person_id, channel)

    return on_blocked


def outcome_hook(services: Services, channel: str = "telegram"):  # noqa: ANN201
    """A reminder's delivery row learns how its queued message ended (sent, blocked, unreachable, unknown) and on
    which channel (the sender's: a fallback copy reports from the other channel); so does the status board or a
    scheduled summary in the group (its lease is freed, a failed post retried)."""

    def on_outcome(ref: str, outcome: Outcome, error: str) -> None:
        reminder = reminder_of(ref)
        if reminder is not None:
            services.reminders.finish(reminder, None, outcome, error, channel=channel)
        elif services.status.settle_post(ref, outcome.value):
            if outcome not in (Outcome.SENT, Outcome.IN_DOUBT):
                log.warning("the group post %s was not delivered (%s: %s)", ref, outcome, error)

    return on_outcome


def fallback_hook(services: Services, channel: str = "telegram") -> FallBack:
    """The sender's `on_failed`: a notification or reminder that failed for quota or block goes to the person's
    other channel (see bot.transport.fallback)."""
    return FallBack(services, channel)


def message_hook(services: Services):  # noqa: ANN201
    """A sent call with a ref learns the message id the channel gave it (the status board edits that message)."""

    def on_message(ref: str, message_id: int) -> None:
        services.status.note_post(ref, message_id)

    return on_message
