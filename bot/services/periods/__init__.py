"""Reporting periods: a stored period as every feature reads it, with its state and a unit's extension (`base`),
and the service that creates the defaults, lists them and carries out the Office's changes to periods, deadlines,
extensions and the calendar (`service`). The plan itself (kinds, default dates, titles) is `bot/periods.py`; the
chat commands are in handlers/periods/."""

from bot.services.periods.service import PeriodService

__all__ = ["PeriodService"]
