"""People: who is behind a chat id, their language, and who receives what."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.domain import Actor, DomainError, NotFound, PermissionDenied, Recipient, Role
from bot.i18n import N_, SUPPORTED_LOCALES
from bot.services.base import Service
from bot.services.identity.base import CHANNEL_COLUMNS, PersonInfo
from bot.text import clean_line
from storage import audit
from storage.models import Person, Unit


def to_actor(person: Person, unit: Unit | None) -> Actor:
    return Actor(
        person_id=person.id, full_name=person.full_name, role=Role(person.role), locale=person.locale,
        unit_id=person.unit_id, unit_name=unit.name if unit else None,
        unit_is_office=bool(unit and unit.is_admin_office), telegram_id=person.telegram_id,
        zalo_id=person.zalo_id, preferred_channel=person.preferred_channel,
    )


def to_recipient(person: Person) -> Recipient:
    return Recipient(person_id=person.id, full_name=person.full_name, locale=person.locale, telegram_id=person.telegram_id,
                     zalo_id=person.zalo_id, preferred_channel=person.preferred_channel)


def remember_speaker(memo: dict | None, channel: str, external_id: str, person: Person | None,
                     unit: Unit | None) -> None:
    """What `actor_for(channel, external_id)` answers for the rest of the update (the inbox's claim reads it)."""
    if memo is not None:
        memo[("actor", channel, external_id)] = to_actor(person, unit) if person is not None else None


class PeopleService(Service):
    """Looks people up by channel id and answers role questions."""

    def actor_for(self, channel: str, external_id: str) -> Actor | None:
        """The active registered person behind a channel id, or None for a stranger (read once per update)."""
        column = CHANNEL_COLUMNS[channel]
        with self.db.session() as session:

            def read() -> Actor | None:
                row = session.exec(
                    select(Person, Unit).join(Unit, isouter=True).where(column == external_id, Person.is_active)
                ).first()
                return to_actor(*row) if row else None

            return self.db.remembered(session, ("actor", channel, external_id), read, keep=lambda _actor: True)

    def get_actor(self, person_id: int) -> Actor:
        with self.db.session() as session:
            row = session.exec(select(Person, Unit).join(Unit, isouter=True).where(Person.id == person_id)).first()
            if row is None:
                raise NotFound()
            return to_actor(*row)

    def set_locale(self, person_id: int, locale: str) -> None:
        if locale not in SUPPORTED_LOCALES:
            raise DomainError(N_("Unknown language."))
        with self.db.session() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise NotFound()
            person.locale = locale
            person.updated_at = self.clock.now()

    def add_person(
        self, *, full_name: str, role: Role, telegram_id: str | None, unit_id: int | None = None,
        locale: str = "vi", actor_id: int | None = None, zalo_id: str | None = None,
    ) -> Actor:
        """Register someone directly (command line, demo data); replaces the role of a known id."""
        now = self.clock.now()
        with self.db.session() as session:
            person = session.exec(select(Person).where(Person.telegram_id == telegram_id)).first() if telegram_id else None
            if person is None and zalo_id:
                person = session.exec(select(Person).where(Person.zalo_id == zalo_id)).first()
            before = _snapshot(person) if person else None
            if person is None:
                person = Person(full_name=clean_line(full_name), telegram_id=telegram_id, zalo_id=zalo_id,
                                preferred_channel="telegram" if telegram_id or not zalo_id else "zalo",
                                role=role.value, unit_id=unit_id, locale=locale, created_at=now, updated_at=now)
            else:
                person.full_name, person.role, person.unit_id = clean_line(full_name), role.value, unit_id
                person.is_active, person.updated_at = True, now
            session.add(person)
            session.flush()
            audit.record(session, at=now, actor_id=actor_id, action="person.add", entity="person",
                         entity_id=person.id, before=before, after=_snapshot(person))
            unit = session.get(Unit, unit_id) if unit_id else None
            return to_actor(person, unit)

    def list_people(self, actor: Actor, include_inactive: bool = False) -> list[PersonInfo]:
        if not actor.sees_all_units:
            raise PermissionDenied()
        with self.db.session() as session:
            query = select(Person, Unit).join(Unit, isouter=True).order_by(col(Unit.sort_order), Person.role, Person.full_name)
            if not include_inactive:
                query = query.where(Person.is_active)
            return [_info(p, u) for p, u in session.exec(query).all()]

    def deactivate(self, actor: Actor, person_id: int) -> PersonInfo:
        """The Office removes someone's access (they left the unit); their history stays."""
        if not actor.is_office:
            raise PermissionDenied()
        if person_id == actor.person_id:
            raise DomainError(N_("You cannot remove your own access."))
        now = self.clock.now()
        with self.db.session() as session:
            person = session.get(Person, person_id)
            if person is None or not person.is_active:
                raise NotFound()
            before = _snapshot(person)
            person.is_active, person.updated_at = False, now
            session.add(person)
            audit.record(session, at=now, actor_id=actor.person_id, action="person.deactivate", entity="person",
                         entity_id=person_id, before=before, after=_snapshot(person))
            return _info(person, session.get(Unit, person.unit_id) if person.unit_id else None)

    def mark_blocked(self, person_id: int, blocked: bool) -> None:
        """Remember that sends to this person fail (they blocked the bot), or that they came back."""
        with self.db.session() as session:
            person = session.get(Person, person_id)
            if person is not None:
                person.blocked_at = self.clock.now() if blocked else None
                session.add(person)

    # Recipients ---------------------------------------------------------------------------------
    def office_recipients(self) -> list[Recipient]:
        """Everyone who administers the bot: Office staff and the Office's own head and deputy."""
        with self.db.session() as session:
            return [to_recipient(p) for p in office_people(session)]

    def leadership_recipients(self, roles: tuple[Role, ...] = (Role.DIRECTOR,)) -> list[Recipient]:
        with self.db.session() as session:
            rows = session.exec(select(Person).where(col(Person.role).in_([r.value for r in roles]), Person.is_active))
            return [to_recipient(p) for p in rows.all()]

    def unit_recipients(self, unit_id: int) -> list[Recipient]:
        """The head(s) and deputies of a unit, who receive its reminders and answers."""
        with self.db.session() as session:
            rows = session.exec(
                select(Person).where(Person.unit_id == unit_id, Person.is_active,
                                     col(Person.role).in_([Role.UNIT_HEAD.value, Role.DEPUTY.value]))
                .order_by(Person.role.desc(), Person.id)
            )
            return [to_recipient(p) for p in rows.all()]

    def recipient(self, person_id: int) -> Recipient | None:
        with self.db.session() as session:
            person = session.get(Person, person_id)
            return to_recipient(person) if person and person.is_active else None

    def units_recipients(self, unit_ids: set[int]) -> dict[int, list[Recipient]]:
        """`unit_recipients` of many units in one query (units with nobody are left out)."""
        if not unit_ids:
            return {}
        result: dict[int, list[Recipient]] = {}
        with self.db.session() as session:
            # Plain rows, not ORM objects (a tenth of the cost for thousands); to_recipient reads them alike.
            rows = session.execute(
                select(*Person.__table__.columns).where(
                    col(Person.unit_id).in_(sorted(unit_ids)), Person.is_active,
                    col(Person.role).in_([Role.UNIT_HEAD.value, Role.DEPUTY.value]))
                .order_by(Person.unit_id, Person.role.desc(), Person.id))
            for person in rows.all():
                result.setdefault(person.unit_id, []).append(to_recipient(person))
        return result

    def recipients(self, person_ids: set[int]) -> dict[int, Recipient]:
        """`recipient` of many people in one query (inactive and unknown people are left out)."""
        if not person_ids:
            return {}
        with self.db.session() as session:
            rows = session.exec(select(Person).where(col(Person.id).in_(sorted(person_ids)), Person.is_active)).all()
            return {person.id: to_recipient(person) for person in rows}


def office_people(session: Session) -> list[Person]:
    """Office staff and the Office's own head and deputy, active (also the reviewers of reports)."""
    office_units = select(Unit.id).where(Unit.is_admin_office)
    rows = session.exec(
        select(Person).where(
            Person.is_active,
            (Person.role == Role.OFFICE.value)
            | (col(Person.unit_id).in_(office_units) & col(Person.role).in_([Role.UNIT_HEAD.value, Role.DEPUTY.value])),
        ).order_by(Person.id)
    )
    return list(rows.all())


def _info(person: Person, unit: Unit | None) -> PersonInfo:
    return PersonInfo(
        person_id=person.id, full_name=person.full_name, role=Role(person.role), unit_id=person.unit_id,
        unit_name=unit.name if unit else None, locale=person.locale, is_active=person.is_active,
        telegram_id=person.telegram_id, blocked_at=person.blocked_at, zalo_id=person.zalo_id,
        preferred_channel=person.preferred_channel,
    )


def _snapshot(person: Person) -> dict:
    return {"full_name": person.full_name, "role": person.role, "unit_id": person.unit_id,
            "is_active": person.is_active, "telegram_id": person.telegram_id, "zalo_id": person.zalo_id,
            "preferred_channel": person.preferred_channel}
