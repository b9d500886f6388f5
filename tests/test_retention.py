"""Retention (RETENTION_* settings): under a long simulated year the tables that hold passing data stop growing,
the cleanup runs once a day whichever process asks, and the Department's records are never touched."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert
from sqlmodel import select

from bot.domain import Role
from storage.models import (DialogState, InboxUpdate, Invite, LinkCode, OutboxMessage, Person, ReportAnswer,
                            RetentionRun)

TABLES = {"inbox": InboxUpdate, "outbox": OutboxMessage, "invites": Invite, "link_codes": LinkCode,
          "dialogs": DialogState}
PER_DAY = 20  # updates in, calls out


def counts(services) -> dict[str, int]:
    with services.db.session() as session:
        return {name: session.exec(select(func.count()).select_from(model)).one() for name, model in TABLES.items()}


def a_day_of_traffic(services, day: int, office, head, people: list) -> None:
    """What one working day leaves behind: updates processed, calls sent on both channels, invitations and a
    linking code made, a few questions left pending."""
    stamp = services.clock.now().timestamp()
    with services.db.engine.begin() as connection:  # rows as the inbox and the sender leave them
        connection.execute(insert(InboxUpdate), [
            {"channel": "telegram", "external_key": f"{day}-{n}", "seq": day * 100 + n, "chat_key": str(7000 + n),
             "payload": '{"message": {"text": "Trả lời"}}', "state": "done", "lease_owner": "", "lease_until": 0,
             "attempts": 1, "received_at": stamp, "done_at": stamp} for n in range(PER_DAY)])
        connection.execute(insert(OutboxMessage), [
            {"channel": "zalo" if n % 4 == 0 else "telegram", "chat_key": str(7000 + n), "method": "sendMessage",
             "params": '{"text": "Câu hỏi tiếp theo"}', "priority": 1, "resend": True, "state": "sent", "ref": "",
             "not_before": 0, "attempts": 1, "created_at": stamp, "sent_at": stamp, "error": ""}
            for n in range(PER_DAY)])
    services.invites.create(office, Role.UNIT_HEAD, head.unit_id, "Người được mời")
    services.identity.issue_link_code(head)
    services.dialogs.set(people[day % len(people)].person_id, "pv_menu")


def test_a_year_of_use_leaves_the_tables_no_bigger_than_after_two_months(services) -> None:
    office = services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="7001",
                                        unit_id=services.org.office_unit().unit_id)
    head = services.people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id="7002",
                                      unit_id=services.org.find_unit("khtc").unit_id)
    people = [services.people.add_person(full_name=f"Cán bộ {n}", role=Role.OFFICE, telegram_id=f"71{n:02d}",
                                         unit_id=services.org.office_unit().unit_id) for n in range(90)]
    start = services.clock.now()
    monthly: list[dict[str, int]] = []
    claimed = 0
    for day in range(365):
        services.clock.set(start + timedelta(days=day))
        a_day_of_traffic(services, day, office, head, people)
        first, second = services.retention.run("process-1"), services.retention.run("process-2")
        claimed += (first is not None) + (second is not None)
        if day % 30 == 29:
            monthly.append(counts(services))
    assert claimed == 365  # once a day, whichever process asked first
    after_two_months = monthly[1]
    for month, seen in enumerate(monthly[2:], start=3):
        for name, count in seen.items():
            assert count <= after_two_months[name] * 1.2 + 5, (month, name, count, after_two_months[name])
    assert monthly[-1]["inbox"] <= PER_DAY * 8  # a week of updates, not a year's 7,300
    assert monthly[-1]["outbox"] <= PER_DAY * 8 + PER_DAY // 4 * 32  # Zalo keeps this month's (its quota count)
    assert monthly[-1]["invites"] <= 34 and monthly[-1]["link_codes"] <= 34
    assert monthly[-1]["dialogs"] <= 31  # only questions left within the last 30 days
    with services.db.session() as session:
        assert len(session.exec(select(Person)).all()) == 92  # people are never cleaned away
        runs = session.exec(select(RetentionRun)).all()
        assert len(runs) == 365 and all(r.finished_at for r in runs)


def test_the_department_records_are_never_cleaned(services) -> None:
    from tests.report_helpers import fill, submit
    from tests.world import period_id

    head = services.people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id="7002",
                                      unit_id=services.org.find_unit("khtc").unit_id)
    submit(services, head, fill(services, head, services.reports.open(head, period_id(services, "2026-Y"))))
    with services.db.session() as session:
        answers = session.exec(select(func.count()).select_from(ReportAnswer)).one()
    services.clock.set(services.clock.now() + timedelta(days=400))
    assert services.retention.run("p") is not None
    with services.db.session() as session:
        assert session.exec(select(func.count()).select_from(ReportAnswer)).one() == answers > 0


async def test_the_bots_ticker_runs_the_cleanup_daily(sim) -> None:
    await sim.send("khtc", "/dulieu")  # leaves the menu's question pending
    person = sim.services.people.actor_for("telegram", "1003").person_id
    assert sim.services.dialogs.get(person) is not None
    await sim.advance(timedelta(days=32), step=timedelta(hours=12))
    assert sim.services.dialogs.get(person) is None
    with sim.services.db.session() as session:
        days = [r.day for r in session.exec(select(RetentionRun)).all()]
    assert len(days) == len(set(days)) >= 30
