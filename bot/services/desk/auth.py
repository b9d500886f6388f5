"""One-time login links and desk sessions, knowing nothing of the web server.

A link's secret and a session's secret live only with the person (in the chat message, in the browser's
cookie); the database keeps their SHA-256. A link is redeemed by a conditional UPDATE, so it works once even
when two processes receive it at the same moment. The CSRF token is derived from the session's secret with
HMAC: tied to the session, never stored, useless without the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bot.domain import Actor, DomainError, PermissionDenied
from bot.i18n import N_
from bot.services.base import Service
from bot.services.identity.people import to_actor
from storage import audit
from storage.models import DeskLoginToken, DeskSession, Person, Unit

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=8)  # absolute: a session ends 8 hours after login, however busy
IDLE_TTL = timedelta(minutes=30)
TOUCH_EVERY = timedelta(minutes=1)  # last activity is written at most this often (not one write per click)
SECRET_BYTES = 32


def can_use_desk(actor: Actor) -> bool:
    """The Administration Office, the Director and the deputy directors; unit heads work in the chat."""
    return actor.is_office or actor.is_leadership


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class LinkRefused(DomainError):
    """A login link that cannot start a session; `reason` is "invalid", "used" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(N_("This sign-in link cannot be used."))
        self.reason = reason


@dataclass(frozen=True)
class NewSession:
    secret: str  # goes into the cookie, never stored
    person_id: int
    expires_at: datetime


@dataclass(frozen=True)
class DeskSessionInfo:
    """A live session: who is signed in (as the chat would build them) and the form token for this session."""

    session_id: int
    actor: Actor
    csrf: str
    expires_at: datetime


def csrf_for(secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), b"desk-csrf", hashlib.sha256).hexdigest()


def csrf_matches(secret: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_for(secret), token or "")


class DeskAuth(Service):
    """Issues links, redeems them into sessions, looks sessions up, ends them."""

    def issue_link(self, actor: Actor) -> tuple[str, datetime]:
        """A new one-time secret for `actor` and when it stops working; earlier unused links stop at once."""
        if not can_use_desk(actor):
            raise PermissionDenied(N_("The desk is for the Administration Office and the Department's leadership."))
        now = self.clock.now()
        secret = secrets.token_urlsafe(SECRET_BYTES)
        with self.db.session() as session:
            session.exec(update(DeskLoginToken)
                         .where(col(DeskLoginToken.person_id) == actor.person_id, col(DeskLoginToken.used_at).is_(None),
                                col(DeskLoginToken.expires_at) > now)
                         .values(expires_at=now))
            session.add(DeskLoginToken(token_hash=digest(secret), person_id=actor.person_id, created_at=now,
                                       expires_at=now + LINK_TTL))
        return secret, now + LINK_TTL

    def check_link(self, secret: str) -> None:
        """Raise LinkRefused unless the link could be redeemed now (read only: a link preview must not spend it)."""
        with self.db.session() as session:
            row = self._link(session, secret)
            self._refuse_if_spent(row)

    def redeem(self, secret: str) -> NewSession:
        """Spend the link (once, across processes) and start a session for its person."""
        now = self.clock.now()
        with self.db.session() as session:
            row = self._link(session, secret)
            claimed = session.exec(update(DeskLoginToken)
                                   .where(col(DeskLoginToken.id) == row.id, col(DeskLoginToken.used_at).is_(None),
                                          col(DeskLoginToken.expires_at) > now)
                                   .values(used_at=now))
            if claimed.rowcount != 1:
                session.refresh(row)
                self._refuse_if_spent(row)
                raise LinkRefused("used")
            actor = self._actor(session, row.person_id)
            if actor is None or not can_use_desk(actor):
                raise LinkRefused("invalid")
            cookie = secrets.token_urlsafe(SECRET_BYTES)
            desk = DeskSession(session_hash=digest(cookie), person_id=row.person_id, created_at=now,
                               expires_at=now + SESSION_TTL, last_seen_at=now)
            session.add(desk)
            audit.record(session, at=now, actor_id=row.person_id, action="desk.login", entity="person",
                         entity_id=row.person_id)
        return NewSession(cookie, row.person_id, now + SESSION_TTL)

    def session(self, secret: str | None) -> DeskSessionInfo | None:
        """The live session behind a cookie, its last activity moved on; None when absent, ended or timed out."""
        if not secret:
            return None
        now = self.clock.now()
        with self.db.session() as session:
            row = session.exec(select(DeskSession).where(DeskSession.session_hash == digest(secret))).first()
            if row is None or row.ended_at is not None or row.expires_at <= now or row.last_seen_at + IDLE_TTL <= now:
                return None
            actor = self._actor(session, row.person_id)
            if actor is None or not can_use_desk(actor):  # removed or moved to another role since login
                return None
            if row.last_seen_at + TOUCH_EVERY <= now:
                session.exec(update(DeskSession).where(col(DeskSession.id) == row.id, col(DeskSession.ended_at).is_(None))
                             .values(last_seen_at=now))
            return DeskSessionInfo(row.id, actor, csrf_for(secret), row.expires_at)

    def end(self, secret: str | None) -> bool:
        """Log out: the session stops working everywhere at once."""
        if not secret:
            return False
        with self.db.session() as session:
            done = session.exec(update(DeskSession).where(col(DeskSession.session_hash) == digest(secret),
                                                          col(DeskSession.ended_at).is_(None))
                                .values(ended_at=self.clock.now()))
            return done.rowcount == 1

    # Internals -----------------------------------------------------------------------------------
    @staticmethod
    def _link(session, secret: str) -> DeskLoginToken:  # noqa: ANN001
        if not secret or len(secret) > 128:
            raise LinkRefused("invalid")
        row = session.exec(select(DeskLoginToken).where(DeskLoginToken.token_hash == digest(secret))).first()
        if row is None:
            raise LinkRefused("invalid")
        return row

    def _refuse_if_spent(self, row: DeskLoginToken) -> None:
        if row.used_at is not None:
            raise LinkRefused("used")
        if row.expires_at <= self.clock.now():
            raise LinkRefused("expired")

    @staticmethod
    def _actor(session, person_id: int) -> Actor | None:  # noqa: ANN001
        found = session.exec(select(Person, Unit).join(Unit, isouter=True)
                             .where(Person.id == person_id, Person.is_active)).first()
        return to_actor(*found) if found else None
