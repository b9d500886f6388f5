"""Hooks between the sender and the services: who blocked the bot, how a reminder ended, where a failed call goes."""

from __future__ import annotations

import logging

from bot.reminders.fanout import Outcome
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
    which channel (the sender's: a fallback copy reports from the other channel)."""

    def on_outcome(ref: str, outcome: Outcome, error: str) -> None:
        reminder = reminder_of(ref)
        if reminder is not None:
            services.reminders.finish(reminder, None, outcome, error, channel=channel)

    return on_outcome


def fallback_hook(services: Services, channel: str = "telegram") -> FallBack:
    """The sender's `on_failed`: a notification or reminder that failed for quota or block goes to the person's
    other channel (see bot.transport.fallback)."""
    return FallBack(services, channel)
