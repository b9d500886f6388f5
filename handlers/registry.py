"""All Telegram registration in one composition function; the order is the order of precedence.

It is also the order of each person's command menu: everyday actions first, administration last.
"""

from __future__ import annotations

from handlers import arrival, errors, paging
from handlers.audit import entry as audit
from handlers.desk import entry as desk
from handlers.escalations import entry as escalations
from handlers.identity import entry as identity
from handlers.identity import invites, language, link, people
from handlers.official_report import entry as official_report
from handlers.org import entry as org
from handlers.periods import entry as periods
from handlers.privacy import entry as privacy
from handlers.status import entry as status
from handlers.reports import entry as reports
from handlers.reminders import entry as reminders
from handlers.reports import review as report_review
from handlers.context import BotApp

# Feature modules, each with `COMMANDS` and `register(app)`. A feature package may list several, each where its
# commands belong in the menu (reports and their review; identity's way in first, its administration with the
# others). `arrival` (the arrival rules in group -2 and the fallback) must stay last.
FEATURES = [identity, reports, report_review, escalations, reminders, status, official_report, periods, org, invites,
            people, audit, link, privacy, desk, language, paging]


def register_all(app: BotApp) -> None:
    for module in [*FEATURES, arrival]:
        app.bot_data.commands.extend(module.COMMANDS)
        module.register(app)
    errors.register(app)
