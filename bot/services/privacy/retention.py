"""The daily cleanup of what is kept only for a while (RETENTION_* settings, docs/PRIVACY.md).

Processed updates and settled outgoing calls hold message texts (a processed Zalo update is then kept as a bare key,
no text and no chat, for ZALO_REPLAY_DAYS: Zalo replays old updates and has no update_id to tell them by); a pending question nobody answered and a Zalo
chat's last menu hold what was on screen; expired invitations and linking codes hold names. Once a day one process
claims the day (a row under a primary key: a second process, or a second run, finds it and does nothing) and
deletes what is older than its setting; expired file links go too. Reports, versions, difficulties, reminders and
the audit log are the Department's records and are never touched here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, update
from sqlalchemy.exc import IntegrityError

from bot.channels.links import FileLinks
from bot.config import Settings
from bot.services.base import Service
from storage.db import Database
from storage.models import ChannelMenu, DialogState, InboxUpdate, Invite, LinkCode, OutboxMessage, RetentionRun

SETTLED = ("sent", "failed", "unknown")


@dataclass(frozen=True)
class Retention:
    """How long each kind is kept, in days (at least one)."""

    inbox_days: int = 7
    outbox_days: int = 7
    dialog_days: int = 30
    codes_days: int = 30
    zalo_keys_days: int = 180

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(*(max(1, days) for days in (settings.retention_inbox_days, settings.retention_outbox_days,
                                               settings.retention_dialog_days, settings.retention_codes_days,
                                               settings.zalo_replay_days)))


def month_start(now: datetime) -> datetime:
    """Midnight of the 1st of `now`'s month, in `now`'s zone."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class RetentionService(Service):
    """`run()` once a day in whichever process gets there first."""

    def __init__(self, db: Database, clock, settings: Settings) -> None:  # noqa: ANN001
        super().__init__(db, clock)
        self.settings = settings
        self.retention = Retention.from_settings(settings)

    def claim(self, owner: str) -> bool:
        """Take today's cleanup; False when it was already taken (here or by another process)."""
        try:
            with self.db.session() as session:
                session.add(RetentionRun(day=self.clock.today(), owner=owner[:64], started_at=self.clock.now()))
                session.flush()
        except IntegrityError:
            return False
        return True

    def run(self, owner: str = "") -> dict[str, int] | None:
        """Today's cleanup, if this call claims it: rows removed per kind (None when already done today)."""
        if not self.claim(owner):
            return None
        removed = self.clean()
        with self.db.session() as session:
            session.execute(update(RetentionRun).where(RetentionRun.day == self.clock.today())
                            .values(finished_at=self.clock.now(), removed=removed))
        return removed

    def clean(self) -> dict[str, int]:
        """Delete everything past its retention now (safe to repeat: it only deletes what is old enough)."""
        now, keep = self.clock.now(), self.retention
        inbox_cut = (now - timedelta(days=keep.inbox_days)).timestamp()
        outbox_cut = (now - timedelta(days=keep.outbox_days)).timestamp()
        # Zalo's calls of this month are its quota count (bot/transport/outbox.py): kept until the month is over,
        # with a day's margin for a count that starts the month in UTC.
        zalo_cut = min(outbox_cut, (month_start(now) - timedelta(days=1)).timestamp())
        dialog_cut, codes_cut = now - timedelta(days=keep.dialog_days), now - timedelta(days=keep.codes_days)
        settled_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
        keys_cut = (now - timedelta(days=max(keep.zalo_keys_days, keep.inbox_days))).timestamp()
        removed: dict[str, int] = {}
        finished = or_((InboxUpdate.state == "done") & (InboxUpdate.done_at < inbox_cut),
                       (InboxUpdate.state == "dead") & (InboxUpdate.received_at < inbox_cut))
        with self.db.session() as session:
            # Zalo: the text and the chat go; the key stays, so a replay is still known (until `keys_cut`).
            removed["inbox_text"] = session.execute(update(InboxUpdate).where(
                InboxUpdate.channel == "zalo", finished, InboxUpdate.payload != "")
                .values(payload="", chat_key="")).rowcount
            removed["inbox"] = session.execute(delete(InboxUpdate).where(
                finished, or_(InboxUpdate.channel != "zalo", InboxUpdate.received_at < keys_cut))).rowcount
            removed["outbox"] = session.execute(delete(OutboxMessage).where(
                OutboxMessage.state.in_(SETTLED),
                or_((OutboxMessage.channel != "zalo") & (settled_at < outbox_cut),
                    (OutboxMessage.channel == "zalo") & (settled_at < zalo_cut)))).rowcount
            removed["dialogs"] = session.execute(delete(DialogState).where(DialogState.updated_at < dialog_cut)).rowcount
            removed["menus"] = session.execute(delete(ChannelMenu).where(ChannelMenu.updated_at < dialog_cut)).rowcount
            removed["invites"] = session.execute(delete(Invite).where(Invite.expires_at < codes_cut)).rowcount
            removed["link_codes"] = session.execute(delete(LinkCode).where(LinkCode.expires_at < codes_cut)).rowcount
        links = FileLinks.from_settings(self.settings, self.clock)
        removed["files"] = links.purge() if isinstance(links, FileLinks) else 0
        return removed
