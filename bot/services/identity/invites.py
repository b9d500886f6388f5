"""One-time, expiring invites that bring a unit head (or anyone) to the bot through a deep link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bot.domain import ROLES_WITH_UNIT, Actor, DomainError, NotFound, PermissionDenied, Role
from bot.i18n import N_
from bot.services.base import Service
from bot.services.identity.base import CHANNEL_COLUMNS, CHANNELS, InviteInfo, RedeemResult, RedeemStatus
from bot.services.identity.codes import hash_code, lookup_hashes, new_code
from bot.services.identity.people import to_actor
from bot.text import clean_line
from storage import audit
from storage.models import Invite, Person, Unit


class InviteService(Service):
    """Invites are created by the Office and redeemed once, atomically, before they expire."""

    def __init__(self, db, clock, ttl: timedelta = timedelta(hours=72)) -> None:  # noqa: ANN001
        super().__init__(db, clock)
        self.ttl = ttl

    def create(self, actor: Actor, role: Role, unit_id: int | None, full_name: str = "") -> InviteInfo:
        if not actor.is_office:
            raise PermissionDenied()
        if role in ROLES_WITH_UNIT and unit_id is None:
            raise DomainError(N_("Please choose the unit for this invite."))
        if role not in ROLES_WITH_UNIT and role != Role.OFFICE:
            unit_id = None
        now = self.clock.now()
        code = new_code()
        with self.db.session() as session:
            unit = None
            if role == Role.OFFICE and unit_id is None:
                unit = session.exec(select(Unit).where(Unit.is_admin_office)).first()
                unit_id = unit.id if unit else None
            elif unit_id is not None:
                unit = session.get(Unit, unit_id)
                if unit is None or not unit.is_active:
                    raise NotFound(N_("That unit does not exist or has been retired."))
            invite = Invite(code_hash=hash_code(code), role=role.value, unit_id=unit_id,
                            full_name=clean_line(full_name)[:255], created_by=actor.person_id,
                            created_at=now, expires_at=now + self.ttl)
            session.add(invite)
            session.flush()
            audit.record(session, at=now, actor_id=actor.person_id, action="invite.create", entity="invite",
                         entity_id=invite.id, after={"role": role.value, "unit_id": unit_id,
                                                     "expires_at": invite.expires_at})
            return InviteInfo(invite.id, code, role, unit_id, unit.name if unit else None, invite.full_name,
                              invite.expires_at)

    def bootstrap_office_invite(self) -> str | None:
        """First run: an Office invite printed on the console, only while nobody administers the bot.

        Only the code's hash is stored, so the printed code cannot be shown again: each start revokes the earlier
        pending bootstrap invite (created by nobody) in the same transaction and issues a new one. One link is valid
        at any time, the last one printed.
        """
        now = self.clock.now()
        with self.db.session() as session:
            office_units = select(Unit.id).where(Unit.is_admin_office)
            has_admin = session.exec(select(Person.id).where(
                Person.is_active, (Person.role == Role.OFFICE.value) | col(Person.unit_id).in_(office_units))).first()
            if has_admin is not None:
                return None
            earlier = session.exec(
                update(Invite).where(col(Invite.created_by).is_(None), Invite.role == Role.OFFICE.value,
                                     col(Invite.used_at).is_(None), col(Invite.revoked_at).is_(None))
                .values(revoked_at=now)).rowcount
            unit = session.exec(select(Unit).where(Unit.is_admin_office)).first()
            code = new_code()
            invite = Invite(code_hash=hash_code(code), role=Role.OFFICE.value, unit_id=unit.id if unit else None,
                            created_at=now, expires_at=now + self.ttl)
            session.add(invite)
            session.flush()
            audit.record(session, at=now, actor_id=None, action="invite.bootstrap", entity="invite",
                         entity_id=invite.id, after={"revoked_earlier": earlier})
            return code

    def list_pending(self, actor: Actor) -> list[InviteInfo]:
        if not actor.is_office:
            raise PermissionDenied()
        now = self.clock.now()
        with self.db.session() as session:
            rows = session.exec(
                select(Invite, Unit).join(Unit, isouter=True)
                .where(col(Invite.used_at).is_(None), col(Invite.revoked_at).is_(None), Invite.expires_at > now)
                .order_by(Invite.id)
            ).all()
            return [InviteInfo(i.id, None, Role(i.role), i.unit_id, u.name if u else None, i.full_name, i.expires_at)
                    for i, u in rows]

    def revoke(self, actor: Actor, invite_id: int) -> None:
        if not actor.is_office:
            raise PermissionDenied()
        now = self.clock.now()
        with self.db.session() as session:
            changed = session.exec(
                update(Invite).where(Invite.id == invite_id, col(Invite.used_at).is_(None),
                                     col(Invite.revoked_at).is_(None)).values(revoked_at=now)
            ).rowcount
            if not changed:
                raise NotFound(N_("This invite has already been used or revoked."))
            audit.record(session, at=now, actor_id=actor.person_id, action="invite.revoke", entity="invite",
                         entity_id=invite_id)

    def redeem(self, channel: str, external_id: str, code: str, full_name: str = "", locale: str = "vi") -> RedeemResult:
        """Register the person behind `external_id` on `channel` with the invite's role; each code works once.

        The code comes from a Telegram /start link or is typed (Zalo); the channel it is redeemed on becomes the
        person's preferred one."""
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        now = self.clock.now()
        with self.db.session() as session:
            column = CHANNEL_COLUMNS[channel]
            known = session.exec(select(Person).where(column == external_id, Person.is_active)).first()
            if known is not None:
                unit = session.get(Unit, known.unit_id) if known.unit_id else None
                return RedeemResult(RedeemStatus.ALREADY_REGISTERED, to_actor(known, unit))
            invite = session.exec(select(Invite).where(col(Invite.code_hash).in_(lookup_hashes(code)))).first()
            if invite is None:
                return RedeemResult(RedeemStatus.UNKNOWN)
            if invite.revoked_at is not None:
                return RedeemResult(RedeemStatus.REVOKED)
            if invite.used_at is not None:
                return RedeemResult(RedeemStatus.USED)
            if invite.expires_at <= now:
                return RedeemResult(RedeemStatus.EXPIRED)
            # Claim the invite with a conditional update: of two simultaneous redemptions only one wins.
            claimed = session.exec(
                update(Invite).where(Invite.id == invite.id, col(Invite.used_at).is_(None)).values(used_at=now)
            ).rowcount
            if not claimed:
                return RedeemResult(RedeemStatus.USED)
            person = session.exec(select(Person).where(column == external_id)).first()
            name = invite.full_name or clean_line(full_name)[:255] or external_id
            if person is None:
                person = Person(full_name=name, role=invite.role, unit_id=invite.unit_id, locale=locale,
                                preferred_channel=channel, created_at=now, updated_at=now)
                setattr(person, column.key, external_id)
            else:  # a person whose access had been removed comes back with the new role
                person.full_name, person.role, person.unit_id = name, invite.role, invite.unit_id
                person.is_active, person.updated_at = True, now
            session.add(person)
            session.flush()
            session.exec(update(Invite).where(Invite.id == invite.id).values(used_by=person.id))
            audit.record(session, at=now, actor_id=person.id, action="invite.redeem", entity="person",
                         entity_id=person.id, after={"invite_id": invite.id, "role": invite.role,
                                                     "unit_id": invite.unit_id, "full_name": name,
                                                     "channel": channel})
            unit = session.get(Unit, person.unit_id) if person.unit_id else None
            return RedeemResult(RedeemStatus.OK, to_actor(person, unit))
