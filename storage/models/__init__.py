"""Every table, imported here so that metadata and Alembic see them all."""

from storage.models.channels import ChannelAddress, ChannelMenu
from storage.models.desk import DeskLoginToken, DeskSession
from storage.models.identity import DeliveryNotice, LinkCode
from storage.models.escalations import Escalation, EscalationEvent, EscalationReminder
from storage.models.official_report import OfficialReportText
from storage.models.org import AuditLog, DialogState, Invite, OrgSetting, Person, Unit
from storage.models.privacy import PersonErasure, PrivacyRequest, RetentionRun
from storage.models.periods import CalendarOverride, DeadlineExtension, Period
from storage.models.reminders import ReminderDelivery
from storage.models.reports import QuestionnaireSnapshot, Report, ReportAnswer, ReportVersion
from storage.models.status import StatusBoard, StatusSummary
from storage.models.transport import ChannelLease, InboxUpdate, OutboxMessage

__all__ = [
    "AuditLog",
    "CalendarOverride",
    "ChannelAddress",
    "ChannelMenu",
    "ChannelLease",
    "DeadlineExtension",
    "DeskLoginToken",
    "DeskSession",
    "DeliveryNotice",
    "DialogState",
    "Escalation",
    "EscalationEvent",
    "EscalationReminder",
    "InboxUpdate",
    "Invite",
    "OfficialReportText",
    "OrgSetting",
    "LinkCode",
    "OutboxMessage",
    "Period",
    "ReminderDelivery",
    "Person",
    "PersonErasure",
    "PrivacyRequest",
    "QuestionnaireSnapshot",
    "Report",
    "ReportAnswer",
    "ReportVersion",
    "RetentionRun",
    "StatusBoard",
    "StatusSummary",
    "Unit",
]
