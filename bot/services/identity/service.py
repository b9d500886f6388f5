"""Which channels a person is reachable on: codes typed to register or link, removal, the preferred channel.

Roles, unit, language and history belong to the person (one `person` row); a channel identity is only
`person.telegram_id` or `person.zalo_id`, so linking a second channel changes nothing else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.domain import Actor, DomainError, NotFound, PermissionDenied
from bot.i18n import N_
from bot.services.base import Service
from bot.services.identity.base import (CHANNEL_COLUMNS, CHANNEL_NAMES, CHANNELS, CodeResult, CodeStatus, Identities,
                                        LinkCodeInfo, RedeemStatus)
from bot.services.identity.codes import canonical, hash_code, new_code
from bot.services.identity.invites import InviteService
from bot.services.identity.people import to_actor
from storage import audit
from storage.models import AuditLog, LinkCode, Person, Unit

LINK_TTL = timedelta(minutes=15)
REFUSED = "identity.code_refused"  # audit action of a typed code that matched nothing usable (written out below)
FAILED = frozenset({CodeStatus.UNKNOWN, CodeStatus.EXPIRED, CodeStatus.USED, CodeStatus.REVOKED})


@dataclass(frozen=True)
class AttemptLimits:
    """Failed code attempts allowed within `window`, per chat and per channel (settings CODE_ATTEMPTS_*)."""

    per_chat: int = 5
    per_channel: int = 100
    window: timedelta = timedelta(minutes=15)


def chat_key(channel: str, external_id: str) -> str:
    """How the audit log names the chat of a refused code: a digest, so the log keeps no chat id in clear."""
    return hashlib.sha256(f"{channel}:{external_id}".encode()).hexdigest()[:32]


_INVITE_STATUS = {
    RedeemStatus.OK: CodeStatus.REGISTERED, RedeemStatus.UNKNOWN: CodeStatus.UNKNOWN,
    RedeemStatus.EXPIRED: CodeStatus.EXPIRED, RedeemStatus.USED: CodeStatus.USED,
    RedeemStatus.REVOKED: CodeStatus.REVOKED, RedeemStatus.ALREADY_REGISTERED: CodeStatus.ALREADY_REGISTERED,
}


def _snapshot(person: Person) -> dict:
    return {"telegram_id": person.telegram_id, "zalo_id": person.zalo_id,
            "preferred_channel": person.preferred_channel}


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise DomainError(N_("Unknown channel. Choose telegram or zalo."))


class IdentityService(Service):
    """Binds Telegram and Zalo ids to people; checks its own permissions."""

    def __init__(self, db, clock, invites: InviteService, link_ttl: timedelta = LINK_TTL,  # noqa: ANN001
                 limits: AttemptLimits | None = None) -> None:
        super().__init__(db, clock)
        self.invites = invites
        self.link_ttl = link_ttl
        self.limits = limits or AttemptLimits()

    def identities(self, person_id: int) -> Identities:
        with self.db.session() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise NotFound()
            return Identities.of(person)

    # Codes -----------------------------------------------------------------------------------------
    def issue_link_code(self, actor: Actor) -> LinkCodeInfo:
        """A fresh single-use code for /lienket; earlier unused codes of the person stop working."""
        now = self.clock.now()
        code = new_code()
        with self.db.session() as session:
            person = session.get(Person, actor.person_id)
            if person is None or not person.is_active:
                raise PermissionDenied()
            session.exec(delete(LinkCode).where(LinkCode.person_id == person.id, col(LinkCode.used_at).is_(None)))
            row = LinkCode(code_hash=hash_code(code), person_id=person.id, created_at=now,
                           expires_at=now + self.link_ttl)
            session.add(row)
            session.flush()
            audit.record(session, at=now, actor_id=person.id, action="identity.code", entity="person",
                         entity_id=person.id, after={"expires_at": row.expires_at})
            return LinkCodeInfo(code, row.expires_at)

    def redeem_code(self, channel: str, external_id: str, code: str, full_name: str = "",
                    locale: str = "vi") -> CodeResult:
        """A code typed (or sent through /start) on `channel`: a linking code binds this channel to its person,
        an invitation code registers a new person. Refusals leave the code unused. A wrong code is audited; after
        too many from this chat (or this channel) within the window, codes are not looked up (TOO_MANY)."""
        _check_channel(channel)
        if self._too_many(channel, external_id):
            return CodeResult(CodeStatus.TOO_MANY)
        result = None
        if canonical(code):
            result = self._link(channel, external_id, code)
        if result is None:
            redeemed = self.invites.redeem(channel, external_id, code, full_name, locale)
            result = CodeResult(_INVITE_STATUS[redeemed.status], redeemed.actor)
        if result.status in FAILED:
            with self.db.session() as session:
                audit.record(session, at=self.clock.now(), actor_id=None, action="identity.code_refused", entity=channel,
                             entity_id=chat_key(channel, external_id), after={"status": result.status.value})
        return result

    def _too_many(self, channel: str, external_id: str) -> bool:
        """The failed attempts in the window, counted in the audit log (one count for every process)."""
        since = self.clock.now() - self.limits.window
        recent = (select(func.count()).select_from(AuditLog)
                  .where(AuditLog.action == REFUSED, AuditLog.entity == channel, col(AuditLog.at) > since))
        with self.db.session() as session:
            if session.exec(recent.where(AuditLog.entity_id == chat_key(channel, external_id))).one() \
                    >= self.limits.per_chat:
                return True
            return session.exec(recent).one() >= self.limits.per_channel

    def _link(self, channel: str, external_id: str, code: str) -> CodeResult | None:
        """Use a linking code; None when no linking code has that value (it may be an invitation)."""
        now = self.clock.now()
        column = CHANNEL_COLUMNS[channel]
        try:
            with self.db.session() as session:
                row = session.exec(select(LinkCode).where(LinkCode.code_hash == hash_code(code))).first()
                if row is None:
                    return None
                person = session.get(Person, row.person_id)
                holder = session.exec(select(Person).where(column == external_id)).first()
                if holder is not None and person is not None and holder.id == person.id:
                    return CodeResult(CodeStatus.ALREADY_LINKED, self._actor(session, person))
                if row.used_at is not None:
                    return CodeResult(CodeStatus.USED)
                if row.expires_at <= now:
                    return CodeResult(CodeStatus.EXPIRED)
                if person is None or not person.is_active:
                    return CodeResult(CodeStatus.REVOKED)
                if holder is not None:
                    return CodeResult(CodeStatus.CONFLICT)
                if getattr(person, column.key) is not None:
                    return CodeResult(CodeStatus.CHANNEL_TAKEN)
                claimed = session.exec(update(LinkCode).where(LinkCode.id == row.id, col(LinkCode.used_at).is_(None))
                                       .values(used_at=now)).rowcount
                if not claimed:
                    return CodeResult(CodeStatus.USED)
                before = _snapshot(person)
                setattr(person, column.key, external_id)
                person.updated_at = now
                session.add(person)
                session.flush()
                audit.record(session, at=now, actor_id=person.id, action="identity.link", entity="person",
                             entity_id=person.id, before=before, after=_snapshot(person))
                return CodeResult(CodeStatus.LINKED, self._actor(session, person))
        except IntegrityError:  # the same id was bound to someone else at the same moment
            return CodeResult(CodeStatus.CONFLICT)

    # Removing and preferring -----------------------------------------------------------------------
    def unlink(self, actor: Actor, person_id: int, channel: str) -> Identities:
        """Remove a person's Telegram or Zalo identity (the person, or the Office); one identity must remain."""
        _check_channel(channel)
        if actor.person_id != person_id and not actor.is_office:
            raise PermissionDenied()
        column = CHANNEL_COLUMNS[channel]
        other = "zalo" if channel == "telegram" else "telegram"
        now = self.clock.now()
        with self.db.session() as session:
            person = session.get(Person, person_id)
            if person is None or not person.is_active:
                raise NotFound()
            if getattr(person, column.key) is None:
                raise DomainError(N_("{name} has no {channel} account linked."), name=person.full_name,
                                  channel=CHANNEL_NAMES[channel])
            if getattr(person, CHANNEL_COLUMNS[other].key) is None:
                raise DomainError(N_("The {channel} account is the only way {name} reaches the bot, so it cannot "
                                     "be removed. To end their access, the Office uses /people remove."),
                                  name=person.full_name, channel=CHANNEL_NAMES[channel])
            before = _snapshot(person)
            setattr(person, column.key, None)
            person.preferred_channel = other
            person.updated_at = now
            session.add(person)
            audit.record(session, at=now, actor_id=actor.person_id, action="identity.unlink", entity="person",
                         entity_id=person.id, before=before, after=_snapshot(person))
            return Identities.of(person)

    def set_preferred(self, actor: Actor, channel: str) -> Identities:
        """The channel the person wants reminders and notifications on; it must be linked."""
        _check_channel(channel)
        now = self.clock.now()
        with self.db.session() as session:
            person = session.get(Person, actor.person_id)
            if person is None or not person.is_active:
                raise NotFound()
            if getattr(person, CHANNEL_COLUMNS[channel].key) is None:
                raise DomainError(N_("You have no {channel} account linked yet. Type /link to get a linking code."),
                                  channel=CHANNEL_NAMES[channel])
            if person.preferred_channel != channel:
                before = _snapshot(person)
                person.preferred_channel = channel
                person.updated_at = now
                session.add(person)
                audit.record(session, at=now, actor_id=person.id, action="identity.prefer", entity="person",
                             entity_id=person.id, before=before, after=_snapshot(person))
            return Identities.of(person)

    @staticmethod
    def _actor(session, person: Person) -> Actor:  # noqa: ANN001
        return to_actor(person, session.get(Unit, person.unit_id) if person.unit_id else None)
