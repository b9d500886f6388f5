"""Zalo's monthly quota is counted in the configured zone's month, by the injected clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.clock import TZ, ManualClock
from bot.transport.outbox import SENT, Outbox, enqueue_values
from bot.transport.policy import ANSWER
from storage.models.transport import OutboxMessage


def sent_at(db, *moments: datetime) -> None:
    rows = [enqueue_values(channel="zalo", chat_key=f"c{i}", method="sendMessage", params={"text": "x"}, files=None,
                           priority=ANSWER, resend=False, inbox_id=None) | {"state": SENT, "sent_at": m.timestamp()}
            for i, m in enumerate(moments)]
    with db.engine.begin() as connection:
        connection.execute(insert(OutboxMessage.__table__), rows)


def test_a_message_at_20h_on_31_december_counts_in_december(db):
    sent_at(db, datetime(2026, 12, 31, 20, 0, tzinfo=TZ))  # 13:00 UTC
    outbox = Outbox(db)
    assert outbox.sent_this_month("zalo", ANSWER, ManualClock(datetime(2026, 12, 31, 23, 59, tzinfo=TZ))) == 1
    # 03:00 on 1 January in Hanoi is still 31 December in UTC: January's count starts empty all the same.
    assert outbox.sent_this_month("zalo", ANSWER, ManualClock(datetime(2027, 1, 1, 3, 0, tzinfo=TZ))) == 0


def test_january_starts_at_midnight_in_hanoi(db):
    sent_at(db, datetime(2027, 1, 1, 6, 30, tzinfo=TZ))  # 23:30 UTC on 31/12
    assert Outbox(db).sent_this_month("zalo", ANSWER, ManualClock(datetime(2027, 1, 1, 7, 0, tzinfo=TZ))) == 1


def test_the_month_follows_the_clock_not_the_wall(db):
    """The count reads the injected clock: a clock set into a later month counts from that month's start."""
    now = datetime(2027, 3, 1, 0, 0, tzinfo=TZ)
    sent_at(db, now - timedelta(minutes=1), now + timedelta(minutes=1))
    assert Outbox(db).sent_this_month("zalo", ANSWER, ManualClock(now + timedelta(hours=1))) == 1
