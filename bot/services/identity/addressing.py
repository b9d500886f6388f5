"""Where a message for a person goes: the chat to address on each of their channels, preferred first; and the
Office's notices when a channel failed (Zalo's quota, a block) and the person's other channel was used instead.

A Telegram chat is addressed by the Telegram id; a Zalo chat by its stand-in integer (`channeladdress`, created
here when the person never wrote since the table was filled), which the transport routes to Zalo. Both are
returned as strings, the form the outbox keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import col, select

from bot.domain import Actor, Recipient
from bot.services.base import Service
from bot.services.channels.addresses import ChannelAddressService, is_synthetic
from bot.services.identity.base import recipient_channels
from bot.services.identity.people import to_recipient
from storage.models import DeliveryNotice, Person, Unit

QUOTA, BLOCKED = "quota", "blocked"
LATER = "later"  # a notice's `fallback` when the message was kept for its channel (Zalo's 429), not moved
NOTICE_QUIET = timedelta(seconds=60)  # a fan-out still failing over: wait until it has been quiet this long
NOTICE_LONGEST = timedelta(minutes=15)  # but never hold a notice longer than this
QUOTA_MEMORY = timedelta(minutes=10)  # after a 429 new fan-outs prefer the other channel this long


@dataclass(frozen=True)
class Route:
    """One way to reach a person: the channel and the chat id to address there."""

    channel: str
    chat_id: str


@dataclass(frozen=True)
class NoticeLine:
    """Someone a channel failed for, as the Office's notice names them."""

    person_name: str
    unit_name: str
    channel: str  # the channel that failed
    reason: str  # QUOTA or BLOCKED
    fallback: str | None  # the channel used instead, None when nothing was left


def reachable(person: Recipient | Actor | Person) -> bool:
    """The person has at least one channel the bot can write to."""
    return bool(recipient_channels(person))


class Addressing(Service):
    """Chat ids for people on each channel, and the notices the Office gets about failed channels."""

    def __init__(self, db, clock, addresses: ChannelAddressService) -> None:  # noqa: ANN001
        super().__init__(db, clock)
        self.addresses = addresses

    def chat_for(self, recipient: Recipient | Actor, channel: str) -> str | None:
        """The chat id that reaches `recipient` on `channel`, or None when they have no account there."""
        if channel == "telegram":
            return str(recipient.telegram_id) if recipient.telegram_id else None
        if channel == "zalo" and recipient.zalo_id:
            address = self.addresses.find("zalo", recipient.zalo_id) or self.addresses.address_for(
                "zalo", recipient.zalo_id)
            return str(address.synthetic_id)
        return None

    def routes(self, recipient: Recipient | Actor, skip: frozenset[str] = frozenset()) -> list[Route]:
        """Every way to reach the person, preferred channel first; `skip` leaves channels out (e.g. Zalo when
        its quota is used up). Send to the first; the others are only for a fallback."""
        routes = []
        for channel, _external in recipient_channels(recipient):
            chat = None if channel in skip else self.chat_for(recipient, channel)
            if chat:
                routes.append(Route(channel, chat))
        return routes

    def deliverable(self, recipient: Recipient | Actor, spent: frozenset[str]) -> list[Route]:
        """`routes` with the `spent` channels (a 429 lately, or the month's quota reached) moved behind the others:
        a person who has another channel is reached there, one who has only a spent channel is still queued there
        (the message waits for the channel; nothing is dropped). Either is noted for the Office."""
        usual = self.routes(recipient)
        routes = [r for r in usual if r.channel not in spent]
        if usual and (not routes or routes[0] != usual[0]):  # only a Zalo route can be spent: a real person
            self.note(recipient.person_id, usual[0].channel, QUOTA, routes[0].channel if routes else LATER)
        return routes + [r for r in usual if r.channel in spent]

    def recipient_at(self, chat_id: str) -> Recipient | None:
        """The active person a private chat id belongs to (a Telegram id or a Zalo stand-in), or None."""
        with self.db.session() as session:
            if is_synthetic(chat_id):
                address = self.addresses.by_synthetic(chat_id)
                if address is None:
                    return None
                person = session.exec(select(Person).where(Person.zalo_id == address.external_id)).first()
            else:
                person = session.exec(select(Person).where(Person.telegram_id == str(chat_id))).first()
            return to_recipient(person) if person is not None and person.is_active else None

    def other_route(self, recipient: Recipient, failed: str) -> Route | None:
        """The person's way in other than the `failed` channel, if they have one."""
        return next((r for r in self.routes(recipient) if r.channel != failed), None)

    def zalo_people(self) -> int:
        """How many active people have a Zalo account (the Office's quota line is shown only when some do)."""
        with self.db.session() as session:
            return session.exec(select(func.count()).select_from(Person).where(
                col(Person.zalo_id).is_not(None), Person.is_active)).one()

    # Notices for the Office ----------------------------------------------------------------------------
    def note(self, person_id: int, channel: str, reason: str, fallback: str | None) -> bool:
        """Remember that `channel` failed for the person today; True for the day's first (the one told)."""
        now = self.clock.now()
        # Imported here: the PostgreSQL dialect alone is ~0.1 s of every start, and a failed send is rare.
        if self.db.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        statement = insert(DeliveryNotice).values(
            person_id=person_id, day=self.clock.today(), channel=channel, reason=reason, fallback=fallback,
            created_at=now).on_conflict_do_nothing(index_elements=["person_id", "day"])
        with self.db.session() as session:
            return session.execute(statement).rowcount == 1

    def quota_hit(self, channel: str, within: timedelta = QUOTA_MEMORY) -> bool:
        """The channel refused for quota lately (someone's notice says so): new fan-outs skip it meanwhile."""
        since = self.clock.now() - within
        with self.db.session() as session:
            return session.exec(select(DeliveryNotice.id).where(
                DeliveryNotice.channel == channel, DeliveryNotice.reason == QUOTA,
                col(DeliveryNotice.created_at) >= since)).first() is not None

    def claim_notices(self) -> list[NoticeLine]:
        """Notices not yet told, claimed once (conditional update) for one combined message; nothing while a
        fan-out is still failing over (the newest is under a minute old), unless the oldest has waited long."""
        now = self.clock.now()
        with self.db.session() as session:
            oldest, newest = session.exec(select(func.min(DeliveryNotice.created_at), func.max(DeliveryNotice.created_at))
                                          .where(col(DeliveryNotice.notified_at).is_(None))).one()
            if oldest is None or (newest > now - NOTICE_QUIET and oldest > now - NOTICE_LONGEST):
                return []
            rows = session.exec(select(DeliveryNotice, Person, Unit)
                                .join(Person, col(Person.id) == DeliveryNotice.person_id)
                                .join(Unit, col(Unit.id) == Person.unit_id, isouter=True)
                                .where(col(DeliveryNotice.notified_at).is_(None))
                                .order_by(col(DeliveryNotice.id))).all()
            lines = []
            for notice, person, unit in rows:
                claimed = session.execute(update(DeliveryNotice).where(
                    col(DeliveryNotice.id) == notice.id, col(DeliveryNotice.notified_at).is_(None))
                    .values(notified_at=now)).rowcount
                if claimed:
                    lines.append(NoticeLine(person.full_name, unit.name if unit else "", notice.channel,
                                            notice.reason, notice.fallback))
            return lines

