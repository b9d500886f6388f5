"""One person, one or two channels: typed codes, linking codes, removal, preferred channel (services only)."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.domain import DomainError, PermissionDenied, Recipient, Role
from bot.services.identity.base import CodeStatus, recipient_channels
from bot.services.identity.codes import ALPHABET, canonical, new_code
from storage.models import AuditLog, Invite, LinkCode
from tests.world import head, office


def audit_actions(services):
    with services.db.session() as session:
        return [row.action for row in session.exec(select(AuditLog).order_by(AuditLog.id)).all()]


def test_codes_are_typeable_and_fold_case_spaces_and_hyphens():
    code = new_code()
    assert len(code) == 14 and code[4] == code[9] == "-"
    raw = code.replace("-", "")
    assert all(ch in ALPHABET for ch in raw) and any(ch.isalpha() for ch in raw)
    assert canonical(code) == canonical(code.lower()) == canonical(f"  {raw[:4]} {raw[4:8]} {raw[8:]} ") == raw
    for not_a_code in ("123456789012", "xin chào đồng chí", "ABCD-EFGH-IJK0", "báo cáo", "", None, "ABCDEFGHJKMNP"):
        assert canonical(not_a_code) is None, not_a_code


def test_invitation_typed_on_zalo_registers_there_with_zalo_preferred(services):
    unit = services.org.find_unit("qlkh")
    invite = services.invites.create(office(services), Role.UNIT_HEAD, unit.unit_id, "Phạm Thị Lan")
    typed = invite.code.lower().replace("-", " ")
    result = services.identity.redeem_code("zalo", "a1b2c3d4e5", typed, "Lan Zalo", "vi")
    assert result.status == CodeStatus.REGISTERED
    actor = services.people.actor_for("zalo", "a1b2c3d4e5")
    assert actor.person_id == result.actor.person_id and actor.unit_id == unit.unit_id
    assert actor.zalo_id == "a1b2c3d4e5" and actor.telegram_id is None and actor.preferred_channel == "zalo"
    assert services.identity.redeem_code("zalo", "ffff", invite.code).status == CodeStatus.USED


def test_older_invitation_links_still_work(services):
    invite = services.invites.create(office(services), Role.DIRECTOR, None)
    with services.db.session() as session:  # an invite made before codes were typeable: hash of the raw token
        row = session.get(Invite, invite.invite_id)
        row.code_hash = hashlib.sha256(b"Ab3_legacyToken1").hexdigest()
        session.add(row)
    result = services.invites.redeem("telegram", "7001", "Ab3_legacyToken1", "Cũ", "vi")
    assert result.actor is not None and result.actor.role == Role.DIRECTOR


def test_linking_code_binds_the_other_channel_to_the_same_person(services):
    person = head(services)
    services.people.set_locale(person.person_id, "en")
    code = services.identity.issue_link_code(person)
    assert code.expires_at == services.clock.now() + timedelta(minutes=15)
    result = services.identity.redeem_code("zalo", "zz01", code.code)
    assert result.status == CodeStatus.LINKED and result.actor.person_id == person.person_id
    on_zalo = services.people.actor_for("zalo", "zz01")
    on_telegram = services.people.actor_for("telegram", "1003")
    assert on_zalo == on_telegram  # same role, unit, language: one person
    assert on_zalo.locale == "en" and on_zalo.role == Role.UNIT_HEAD
    assert services.identity.redeem_code("zalo", "zz02", code.code).status == CodeStatus.USED
    assert "identity.link" in audit_actions(services)


def test_linking_code_is_short_lived_single_and_only_the_latest(services):
    person = head(services)
    first = services.identity.issue_link_code(person)
    second = services.identity.issue_link_code(person)
    assert services.identity.redeem_code("zalo", "zz01", first.code).status == CodeStatus.UNKNOWN
    services.clock.advance(timedelta(minutes=16))
    assert services.identity.redeem_code("zalo", "zz01", second.code).status == CodeStatus.EXPIRED
    assert services.people.actor_for("zalo", "zz01") is None
    with services.db.session() as session:  # only hashes are kept
        hashes = [row.code_hash for row in session.exec(select(LinkCode)).all()]
    assert hashes and all(second.code not in h and len(h) == 64 for h in hashes)


def test_conflicts_are_refused_and_leave_the_code_usable(services):
    person = head(services)
    other = office(services)
    code = services.identity.issue_link_code(person)
    # Telegram 1002 already belongs to the Office colleague: refused, code still usable
    assert services.identity.redeem_code("telegram", "1002", code.code).status == CodeStatus.CONFLICT
    assert services.people.actor_for("telegram", "1002").person_id == other.person_id
    # The person's own Telegram account: already linked
    assert services.identity.redeem_code("telegram", "1003", code.code).status == CodeStatus.ALREADY_LINKED
    assert services.identity.redeem_code("zalo", "zz01", code.code).status == CodeStatus.LINKED
    # A second Zalo account for the same person: remove the first one before linking another
    again = services.identity.issue_link_code(person)
    assert services.identity.redeem_code("zalo", "zz02", again.code).status == CodeStatus.CHANNEL_TAKEN


def test_two_chats_racing_for_one_code_link_once(services):
    person = head(services)
    code = services.identity.issue_link_code(person)
    results: list[CodeStatus] = []
    barrier = threading.Barrier(2)

    def attempt(zalo_id: str) -> None:
        barrier.wait()
        results.append(services.identity.redeem_code("zalo", zalo_id, code.code).status)

    threads = [threading.Thread(target=attempt, args=(z,)) for z in ("zz01", "zz02")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([CodeStatus.LINKED, CodeStatus.USED]) or \
        sorted(results) == sorted([CodeStatus.LINKED, CodeStatus.CHANNEL_TAKEN])
    linked = services.identity.identities(person.person_id)
    assert linked.zalo_id in ("zz01", "zz02")


def test_unlink_keeps_one_identity_and_moves_the_preference(services):
    person = head(services)
    services.identity.redeem_code("zalo", "zz01", services.identity.issue_link_code(person).code)
    services.identity.set_preferred(person, "zalo")
    ids = services.identity.unlink(person, person.person_id, "zalo")
    assert ids.zalo_id is None and ids.preferred_channel == "telegram"
    with pytest.raises(DomainError):
        services.identity.unlink(person, person.person_id, "telegram")  # the last one stays
    with pytest.raises(DomainError):
        services.identity.unlink(person, person.person_id, "zalo")  # nothing to remove
    assert services.people.actor_for("zalo", "zz01") is None
    assert services.people.actor_for("telegram", "1003").person_id == person.person_id


def test_only_the_person_or_the_office_removes_an_identity(services):
    person = head(services)
    services.identity.redeem_code("zalo", "zz01", services.identity.issue_link_code(person).code)
    colleague = services.people.add_person(full_name="Đỗ Thanh Sơn", role=Role.UNIT_HEAD, telegram_id="1009",
                                           unit_id=services.org.find_unit("ttud").unit_id)
    with pytest.raises(PermissionDenied):
        services.identity.unlink(colleague, person.person_id, "telegram")
    ids = services.identity.unlink(office(services), person.person_id, "telegram")
    assert ids.telegram_id is None and ids.preferred_channel == "zalo"
    with services.db.session() as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "identity.unlink")).one()
    assert entry.before["telegram_id"] == "1003" and entry.after["telegram_id"] is None


def test_preferred_channel_orders_recipient_channels(services):
    person = head(services)
    recipient = services.people.recipient(person.person_id)
    assert recipient_channels(recipient) == [("telegram", "1003")]
    services.identity.redeem_code("zalo", "zz01", services.identity.issue_link_code(person).code)
    assert recipient_channels(services.people.recipient(person.person_id)) == [("telegram", "1003"), ("zalo", "zz01")]
    with pytest.raises(DomainError):
        services.identity.set_preferred(person, "viber")
    services.identity.set_preferred(person, "zalo")
    recipient = services.people.recipient(person.person_id)
    assert recipient.preferred_channel == "zalo" and recipient.telegram_id == "1003"
    assert recipient_channels(recipient) == [("zalo", "zz01"), ("telegram", "1003")]
    assert "identity.prefer" in audit_actions(services)
    assert recipient_channels(Recipient(1, "X", "vi", zalo_id="z")) == [("zalo", "z")]


def test_preferring_an_unlinked_channel_is_refused(services):
    person = head(services)
    with pytest.raises(DomainError):
        services.identity.set_preferred(person, "zalo")
