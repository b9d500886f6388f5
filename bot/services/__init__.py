"""Domain services, built once by the composition root and handed to every channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.calendar import WorkingCalendar
from bot.clock import Clock
from bot.config import Settings
from bot.services.audit import AuditService
from bot.services.desk import DeskAuth
from bot.services.desk.status import DeskStatus
from bot.services.dialogs import DialogService
from bot.services.escalations.service import EscalationService
from bot.services.escalations.core import FollowUpRule
from bot.services.files import KeptFiles, kept_files
from bot.services.channels.addresses import ChannelAddressService
from bot.services.identity.addressing import Addressing
from bot.services.identity.invites import InviteService
from bot.services.identity.people import PeopleService
from bot.services.identity.service import AttemptLimits, IdentityService
from bot.services.official_report import OfficialReportService
from bot.services.org.service import OrgService
from bot.services.periods import PeriodService
from bot.services.privacy import PrivacyService
from bot.services.privacy.retention import RetentionService
from bot.services.progress import ProgressService
from bot.services.questionnaires import QuestionnaireService
from bot.services.reports.service import ReportService
from bot.services.reminders import ReminderService
from bot.services.status.service import StatusService
from bot.services.submissions import SubmissionService
from storage.db import Database


@dataclass
class Services:
    """Everything a channel may call; none of it knows about Telegram."""

    db: Database
    clock: Clock
    calendar: WorkingCalendar
    people: PeopleService
    org: OrgService
    invites: InviteService
    identity: IdentityService
    dialogs: DialogService
    audit: AuditService
    periods: PeriodService
    progress: ProgressService
    reports: ReportService
    reminders: ReminderService
    submissions: SubmissionService
    status: StatusService
    escalations: EscalationService
    official_report: OfficialReportService
    addresses: ChannelAddressService  # Zalo chats' stand-in ids, and who is speaking (bot.services.channels)
    addressing: Addressing  # a person's chat on each channel (bot.services.identity.addressing)
    privacy: PrivacyService  # a person's own data, requests about it, erasure (docs/PRIVACY.md)
    retention: RetentionService  # the daily cleanup of what is kept only for a while
    desk: DeskAuth  # the desk's login links and sessions (bot/services/desk)
    desk_status: DeskStatus  # the desk's status grid
    questionnaires: QuestionnaireService  # the questionnaire's versions: upload, activate (the desk's page 7)
    files: KeptFiles  # files kept because their only other copy expires (Zalo photos)


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    """The one place where services are constructed and wired together; each is built once and shared."""
    calendar = WorkingCalendar(db)
    periods = PeriodService(db, clock)
    progress = ProgressService(db, clock)
    submissions = SubmissionService(db, clock)
    escalations = EscalationService(db, clock, calendar, FollowUpRule.from_settings(settings))
    people = PeopleService(db, clock)
    status = StatusService(db, clock, periods, progress, submissions, escalations)
    org = OrgService(db, clock, settings.organization_file)
    official_report = OfficialReportService(db, clock, status, org)
    org.publish_office_names()  # the catalogs' {office}: the Office as the organisation data names it
    invites = InviteService(db, clock, ttl=timedelta(hours=settings.invite_ttl_hours))
    reports = ReportService(db, clock)
    addresses = ChannelAddressService(db, clock)
    return Services(
        db=db,
        clock=clock,
        calendar=calendar,
        people=people,
        org=org,
        invites=invites,
        identity=IdentityService(db, clock, invites, limits=AttemptLimits(
            settings.code_attempts_per_chat, settings.code_attempts_per_channel,
            timedelta(minutes=settings.code_attempts_window_minutes))),
        dialogs=DialogService(db, clock),
        audit=AuditService(db, clock),
        periods=periods,
        progress=progress,
        reports=reports,
        reminders=ReminderService(db, clock, settings, calendar, people, progress),
        submissions=submissions,
        status=status,
        escalations=escalations,
        official_report=official_report,
        addresses=addresses,
        addressing=Addressing(db, clock, addresses),
        privacy=PrivacyService(db, clock, calendar, settings.data_dir),
        retention=RetentionService(db, clock, settings),
        desk=DeskAuth(db, clock),
        desk_status=DeskStatus(db, clock, status),
        questionnaires=QuestionnaireService(db, clock, reports.store),
        files=kept_files(settings),
    )
