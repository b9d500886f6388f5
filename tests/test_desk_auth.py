"""The desk's sign-in without a browser: one-time links, sessions, idle and absolute ends, CSRF, /banlamviec."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.domain import PermissionDenied, Role
from bot.services.desk import LinkRefused
from bot.services.desk.auth import csrf_for, csrf_matches, digest
from storage.models import DeskLoginToken, DeskSession


@pytest.fixture
def office(services):
    unit = services.org.office_unit()
    return services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="7001",
                                      unit_id=unit.unit_id)


def refused(services, secret: str) -> str:
    with pytest.raises(LinkRefused) as caught:
        services.desk.redeem(secret)
    return caught.value.reason


def test_a_link_works_once_and_starts_a_session(services, office):
    secret, expires = services.desk.issue_link(office)
    assert expires == services.clock.now() + timedelta(minutes=10)
    services.desk.check_link(secret)  # a link preview only looks: the link still works afterwards
    started = services.desk.redeem(secret)
    assert refused(services, secret) == "used"
    live = services.desk.session(started.secret)
    assert live.actor.person_id == office.person_id and live.actor.is_office
    with services.db.session() as session:  # only hashes are kept
        assert session.get(DeskLoginToken, 1).token_hash == digest(secret)
        assert {s.session_hash for s in session.exec(DeskSession.__table__.select())} == {digest(started.secret)}


def test_expired_forged_and_replaced_links_are_refused(services, office):
    old, _ = services.desk.issue_link(office)
    secret, _ = services.desk.issue_link(office)
    assert refused(services, old) == "expired"  # a new /banlamviec stops the earlier link
    assert refused(services, secret[:-1] + ("A" if secret[-1] != "A" else "B")) == "invalid"
    assert refused(services, "") == "invalid" and refused(services, "x" * 500) == "invalid"
    services.clock.advance(timedelta(minutes=10))
    assert refused(services, secret) == "expired"
    with pytest.raises(LinkRefused):
        services.desk.check_link(secret)


def test_people_without_a_desk_get_no_link(services, office):
    head = services.people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id="7002",
                                      unit_id=services.org.list_units()[1].unit_id)
    with pytest.raises(PermissionDenied):
        services.desk.issue_link(head)
    director = services.people.add_person(full_name="Hoàng Văn Quang", role=Role.DIRECTOR, telegram_id="7003")
    deputy = services.people.add_person(full_name="Lý Thị Ngọc", role=Role.DEPUTY_DIRECTOR, telegram_id="7004")
    assert services.desk.redeem(services.desk.issue_link(director)[0])
    assert services.desk.redeem(services.desk.issue_link(deputy)[0])


def test_a_session_ends_when_idle_after_8_hours_on_logout_and_when_the_person_is_removed(services, office):
    started = services.desk.redeem(services.desk.issue_link(office)[0])
    for _ in range(15):  # busy for 7.5 hours: the idle limit never strikes
        services.clock.advance(timedelta(minutes=29, seconds=59))
        assert services.desk.session(started.secret) is not None
    services.clock.advance(timedelta(minutes=31))
    assert services.desk.session(started.secret) is None  # 8 hours after login, however busy

    idle = services.desk.redeem(services.desk.issue_link(office)[0])
    services.clock.advance(timedelta(minutes=30))
    assert services.desk.session(idle.secret) is None

    ended = services.desk.redeem(services.desk.issue_link(office)[0])
    assert services.desk.end(ended.secret) and services.desk.session(ended.secret) is None
    assert not services.desk.end(ended.secret)

    kept = services.desk.redeem(services.desk.issue_link(office)[0])
    manager = services.people.add_person(full_name="Trần Thị Mai", role=Role.OFFICE, telegram_id="7009",
                                         unit_id=office.unit_id)
    services.people.deactivate(manager, office.person_id)
    assert services.desk.session(kept.secret) is None
    assert services.desk.session(None) is None and services.desk.session("forged") is None


def test_the_csrf_token_belongs_to_one_session(services, office):
    one = services.desk.redeem(services.desk.issue_link(office)[0])
    two = services.desk.redeem(services.desk.issue_link(office)[0])
    assert services.desk.session(one.secret).csrf == csrf_for(one.secret)
    assert csrf_matches(one.secret, csrf_for(one.secret))
    assert not csrf_matches(one.secret, csrf_for(two.secret))
    assert not csrf_matches(one.secret, None) and not csrf_matches(one.secret, "")


def test_two_processes_opening_one_link_start_one_session(services, office):
    secret, _ = services.desk.issue_link(office)
    outcomes: list[str] = []

    def open_link() -> None:
        try:
            services.desk.redeem(secret)
            outcomes.append("session")
        except LinkRefused as error:
            outcomes.append(error.reason)

    threads = [threading.Thread(target=open_link) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["session", "used", "used", "used"]


async def test_banlamviec_sends_a_link_to_the_office_only_in_a_private_chat(sim):
    sent = await sim.send("vanthu", "/banlamviec")
    assert "/desk/login/" in sent[-1].text and "10 phút" in sent[-1].text
    sent = await sim.send("khtc", "/banlamviec")
    assert "/desk/login/" not in sent[-1].text and "Bàn làm việc dành cho" in sent[-1].text
    sent = await sim.send("giamdoc", "/desk")
    assert "/desk/login/" in sent[-1].text
    sent = await sim.send_group("vanthu", "/banlamviec")
    assert all("/desk/login/" not in m.text for m in sent)
