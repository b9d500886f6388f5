"""All Telegram registration in one composition function; the order is the order of precedence."""

from __future__ import annotations

from handlers import errors, fallback, invites, language, people, start, units
from handlers import periods_admin, reminders
from handlers import export, status
from handlers import escalation
from handlers import report_review, reports
from handlers.context import BotApp

# Feature modules, each with `COMMANDS` and `register(app)`. `fallback` must stay last.
FEATURES = [start, language, units, invites, people, periods_admin, reminders, status, export, escalation, reports, report_review]


def register_all(app: BotApp) -> None:
    for module in [*FEATURES, fallback]:
        app.bot_data.commands.extend(module.COMMANDS)
        module.register(app)
    errors.register(app)
