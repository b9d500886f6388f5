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
    """A reminder's delivery row learns how its queued message ended (sent, blocked, unreachable, unknown);
    so does the status board or a scheduled summary in the group (its lease is freed, a failed post retried)."""

    def on_outcome(ref: str, outcome: Outcome, error: str) -> None:
        kind, _, value = ref.partition(":")
        if kind == "reminder" and value.isdigit():
            services.reminders.finish(int(value), None, outcome, error)
        elif services.status.settle_post(ref, outcome.value):
            if outcome not in (Outcome.SENT, Outcome.IN_DOUBT):
                log.warning("the group post %s was not delivered (%s: %s)", ref, outcome, error)

    return on_outcome


def message_hook(services: Services):  # noqa: ANN201
    """A sent call with a ref learns the message id the channel gave it (the status board edits that message)."""

    def on_message(ref: str, message_id: int) -> None:
        services.status.note_post(ref, message_id)

    return on_message
