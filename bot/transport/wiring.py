"""Hooks between the sender and the services: who blocked the bot, how a reminder ended."""

from __future__ import annotations

import logging

from bot.reminders.fanout import Outcome
from bot.services import Services

log = logging.getLogger(__name__)


def blocked_hook(services: Services, channel: str = "telegram"):  # noqa: ANN201
    """A person who blocked the bot is remembered (the Office sees it; reminders skip them)."""

    def on_blocked(chat_key: str) -> None:
        actor = services.people.actor_for(channel, chat_key)
        if actor is not None:
            services.people.mark_blocked(actor.person_id, True)
            log.info("person %s has blocked the bot", actor.person_id)

    return on_blocked


def outcome_hook(services: Services):  # noqa: ANN201
    """A reminder's delivery row learns how its queued message ended (sent, blocked, unreachable, unknown)."""

    def on_outcome(ref: str, outcome: Outcome, error: str) -> None:
        kind, _, value = ref.partition(":")
        if kind == "reminder" and value.isdigit():
            services.reminders.finish(int(value), None, outcome, error)

    return on_outcome
