"""The error handler: log the cause (never the token) and tell the person something went wrong."""

from __future__ import annotations

import logging

from telegram import Update

from bot.redact import RedactingFilter, Redactor
from storage.db import Database

from handlers.common import reply, tr_for
from handlers.context import BotApp, BotContext

log = logging.getLogger(__name__)


class RedactToken(RedactingFilter):
    """Removes the bot token from every log record (it appears in Bot API URLs); see `bot.redact`."""

    def __init__(self, token: str) -> None:
        super().__init__(Redactor([token], mask="<token>"))


async def on_error(update: object, context: BotContext) -> None:
    """Log, then apologise to the person whose update failed."""
    ambient = Database.ambient()
    if ambient is not None and Database.tainted(ambient):
        # A write failed in the optimistic run (a race lost, most often), which left the transaction unusable: the
        # update runs again from the start with a SAVEPOINT per block, where that failure is handled as meant.
        log.debug("update runs again with savepoints after %r", context.error)
        return
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            actor = context.services.people.actor_for("telegram", str(update.effective_user.id)) \
                if update.effective_user else None
            _ = tr_for(update, context, actor).gettext
            await reply(update, context, _("Sorry, something went wrong on my side. What you saved before is kept; "
                                           "please try again in a moment."))
        except Exception:  # the apology itself must never raise
            log.exception("could not send the error notice")


def register(app: BotApp) -> None:
    app.add_error_handler(on_error)
