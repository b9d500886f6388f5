"""Every table, imported here so that metadata and Alembic see them all."""

from storage.models.org import AuditLog, DialogState, Invite, Person, Unit
from storage.models.periods import CalendarOverride, DeadlineExtension, Period
from storage.models.reports import Report, ReportAnswer, ReportVersion

__all__ = [
    "AuditLog",
    "CalendarOverride",
    "DeadlineExtension",
    "DialogState",
    "Invite",
    "Period",
    "Person",
    "Report",
    "ReportAnswer",
    "ReportVersion",
    "Unit",
]
