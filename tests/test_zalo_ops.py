"""Zalo as the live platform behaves (issue 22): a single 429 among successes pauses Zalo for seconds and loses
nothing, a 403 is a block only when it says so, any `date` Zalo sends is stored (never a 500), an update without
`event_name` is read by what it carries, texts are cut as Zalo counts (UTF-16), and a replayed update is recognised
for as long as ZALO_REPLAY_DAYS. Against the Zalo stand-in (bot/simulator/zalo_fake.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import select

import bot.transport.zalo as zalo_transport
from bot.channels.zalo.render import split_text
from bot.channels.zalo.updates import TEXT, accept, parse

from bot.config import Settings
from bot.domain import OutMessage, Role
from bot.i18n import I18n
from bot.simulator.zalo_fake import SECRET_HEADER, TOKEN, ZaloFakeApi, zalo_id
from bot.text import utf16_length
from bot.transport.inbox import Inbox
from bot.transport.outbox import Outbox
from bot.transport.policy import REPLY
from bot.transport.outbox import priority
from bot.transport.zalo import ZaloSide
from bot.services.identity.addressing import LATER, QUOTA
from handlers.common import deliver_with
from storage.models import InboxUpdate, OutboxMessage, Person
from tests.test_zalo_delivery import Channels, _units, telegram_server  # noqa: F401 - the fixture is used

SECRET = "a-good-zalo-secret"
USER = "6ede9afa66b88fe6d6a9"


def zalo_only(sim, zalo: ZaloFakeApi, key: str = "only-zalo"):  # noqa: ANN201
    """A deputy with only a Zalo account, who has written to the bot."""
    zid = zalo_id(key)
    zalo.known[zid] = "Phạm Thị Zalo"
    actor = sim.services.people.add_person(full_name="Phạm Thị Zalo", role=Role.DEPUTY, telegram_id=None, zalo_id=zid,
                                           unit_id=_units(sim.services)[0])
    return zid, sim.services.people.recipient(actor.person_id)


async def send_everything(channels: Channels, timeout: float = 40.0) -> None:
    """Run both senders until nothing is pending on Zalo, even what waits (a pause, a retry a second later)."""
    stop, outbox = asyncio.Event(), Outbox(channels.sim.db)
    tasks = [asyncio.create_task(channels.telegram.run(stop)), asyncio.create_task(channels.zalo_sender.run(stop))]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and {"pending", "sending"} & set(outbox.counts("zalo")):  # one read
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*tasks)


def states(sim) -> list[tuple[str, str]]:
    with sim.db.session() as session:
        return sorted((r.channel, r.state) for r in session.exec(select(OutboxMessage).where(
            OutboxMessage.channel == "zalo")).all())


# 429 -----------------------------------------------------------------------------------------------------------
async def test_one_429_among_successes_pauses_zalo_briefly_and_every_message_still_goes(sim, telegram_server,
                                                                                      monkeypatch):
    """With ZALO_MONTHLY_QUOTA=0 (unknown): one 429, then normal answers. The reply the person waits for and the
    notification for a Zalo-only head both arrive after a short pause and a probe, once each; nothing is dropped,
    and a notice queued while Zalo is known to refuse is still queued (not refused by `deliver_with`)."""
    monkeypatch.setattr(zalo_transport, "QUOTA_PAUSE", 0.5)  # 30 s live; the same rule, quicker
    zalo = ZaloFakeApi()
    async with Channels(sim, telegram_server, zalo) as channels:
        zid, head = zalo_only(sim, zalo)
        chat = sim.services.addressing.chat_for(head, "zalo")
        zalo.scripted.append((429, "Quota exceeded"))
        with priority(REPLY):
            await channels.bot.send_message(chat, "Câu hỏi tiếp theo: số đề tài?")
        assert await deliver_with(channels.bot, sim.services, head, OutMessage("Báo cáo đã được tiếp nhận."))
        started = time.monotonic()
        await send_everything(channels, timeout=20)
        first_round = time.monotonic() - started
        # A 429 on a notification is remembered a few minutes (a notice for the Office): meanwhile a notice for a
        # Zalo-only person is still queued, on Zalo, and goes.
        sim.services.addressing.note(head.person_id, "zalo", QUOTA, LATER)
        assert sim.services.addressing.quota_hit("zalo")
        assert await deliver_with(channels.bot, sim.services, head, OutMessage("Đơn vị khác đã gửi báo cáo."))
        await send_everything(channels, timeout=20)
    assert zalo.refused[429] == 1 and first_round < 10  # seconds, not the hour it was
    assert sorted(zalo.texts_to(zid)) == sorted(["Câu hỏi tiếp theo: số đề tài?", "Báo cáo đã được tiếp nhận.",
                                                 "Đơn vị khác đã gửi báo cáo."])
    assert states(sim) == [("zalo", "sent")] * 3


async def test_zalo_refusing_again_and_again_keeps_the_message_and_probes_one_call_at_a_time(
        sim, telegram_server, monkeypatch):
    """Each refused probe doubles the pause; only one call is in flight while probing; the message stays pending
    (no retry limit for a 429: it certainly did not leave) and goes once Zalo accepts."""
    monkeypatch.setattr(zalo_transport, "QUOTA_PAUSE", 0.2)
    zalo = ZaloFakeApi()
    async with Channels(sim, telegram_server, zalo) as channels:
        zid, head = zalo_only(sim, zalo)
        for n in range(3):
            await deliver_with(channels.bot, sim.services, head, OutMessage(f"Thông báo {n + 1}."))
        zalo.scripted.extend([(429, "Quota exceeded")] * 7)  # more refusals than the old limit of six attempts
        await send_everything(channels, timeout=60)
    assert zalo.refused[429] == 7 and channels.zalo_sender.refusals_in_row == 0
    assert zalo.texts_to(zid) == ["Thông báo 1.", "Thông báo 2.", "Thông báo 3."]
    assert states(sim) == [("zalo", "sent")] * 3


# 403 -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("answers", "delivered", "blocked"), [
    ([(403, "Internal server error")], True, False),  # the documentation's own name for 403: tried again
    ([(403, "Internal server error")] * 2, True, False),
    ([(403, "Forbidden")], True, False),  # unclear: tried once more before it is read as a block
    ([(403, "Forbidden")] * 2, False, True),
    ([(403, "Forbidden: the user has blocked the bot")], False, True),  # says so: a block at once
])
async def test_a_403_is_told_apart_by_its_description(sim, telegram_server, answers, delivered, blocked):
    zalo = ZaloFakeApi()
    async with Channels(sim, telegram_server, zalo) as channels:
        zid, head = zalo_only(sim, zalo)
        zalo.scripted.extend(answers)
        await deliver_with(channels.bot, sim.services, head, OutMessage("Báo cáo đã được tiếp nhận."))
        await send_everything(channels, timeout=30)
    assert (zalo.texts_to(zid) == ["Báo cáo đã được tiếp nhận."]) == delivered, (states(sim), zalo.calls)
    with sim.db.session() as session:
        assert (session.get(Person, head.person_id).blocked_at is not None) == blocked


# Incoming ------------------------------------------------------------------------------------------------------
def side(tmp_path, db, clock, **values) -> ZaloSide:
    configured = Settings(_env_file=None, telegram_bot_token="123:abc", data_dir=tmp_path, database_url="",
                          zalo_bot_token=SecretStr(TOKEN), zalo_webhook_url="https://bot.example.vn",
                          zalo_webhook_secret=SecretStr(SECRET), **values)
    return ZaloSide.from_settings(configured, db, clock, I18n())


@pytest.mark.parametrize("date", [10**30, 2**63, -5, 0, 1e400, float("nan"), "1750316131602", None, True, 12.5])
def test_any_date_zalo_sends_is_stored_with_200_never_a_500(tmp_path, db, clock, caplog, date):
    zalo = side(tmp_path, db, clock)
    update = ZaloFakeApi().user_update(USER, "xin chào")
    update["message"]["date"] = date
    body = json.dumps({"ok": True, "result": {"event_name": TEXT, **update}}).encode()
    status, stored = zalo.receive(Inbox(db), {SECRET_HEADER: SECRET}, body)
    assert (status, stored) == (200, 1)
    with db.session() as session:
        row = session.exec(select(InboxUpdate)).one()
    now_ms = int(clock.now().timestamp() * 1000)
    assert row.seq == now_ms and json.loads(row.payload)["message"]["date"] == now_ms  # the arrival time
    if date is not None:
        assert any("unusable date" in r.getMessage() for r in caplog.records)


def test_a_message_without_event_name_is_read_by_what_it_carries_and_first_name_is_the_name():
    text = {"message": {"from": {"id": USER, "first_name": "Lan", "is_bot": False}, "chat": {"id": USER},
                        "message_id": "m1", "date": 1750316131602, "text": "/baocao"}}
    photo = {"message": {"from": {"id": USER, "is_bot": False}, "chat": {"id": USER}, "message_id": "m2",
                         "date": 1750316131602, "photo_url": "https://photo.zdn.vn/a.jpg"}}
    assert parse(text).event == TEXT and parse(text).text == "/baocao" and parse(text).display_name == "Lan"
    assert parse(photo).event == "message.image.received" and parse(photo).photo_url
    assert accept({SECRET_HEADER: SECRET}, json.dumps(text).encode(), SECRET).messages[0].event == TEXT


# Outgoing ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["😀" * 1999, ("Báo cáo 📊 " * 400).strip(), "x" * 1999 + "😀" * 1000,
                                  "\n".join(["📎 " + "a" * 60] * 100)])
def test_texts_are_cut_as_zalo_counts_utf16_units(text):
    pieces = split_text(text)
    assert pieces and all(1 <= utf16_length(p) <= 2000 for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())  # nothing lost, nothing added


async def test_the_stand_in_refuses_a_text_over_2000_utf16_units():
    zalo = ZaloFakeApi()
    zalo.known[USER] = "Lan"
    status, body = zalo.answer(TOKEN, "sendMessage", {"chat_id": USER, "text": "😀" * 1001})
    assert status == 400 and zalo.refused[400] == 1
    assert zalo.answer(TOKEN, "sendMessage", {"chat_id": USER, "text": "😀" * 1000})[0] == 200


# Replays ---------------------------------------------------------------------------------------------------------
def test_a_replayed_update_is_recognised_for_zalo_replay_days_and_an_older_one_is_not_taken(
        tmp_path, db, clock, services):
    """The live getUpdates was measured handing out again updates already consumed. After RETENTION_INBOX_DAYS a
    processed Zalo update loses its text and chat but keeps its key, so a replay is still a duplicate; after
    ZALO_REPLAY_DAYS the key goes, and an update dated before that window is not taken at all."""
    zalo, inbox = side(tmp_path, db, clock, zalo_replay_days=60), Inbox(db, now=lambda: clock.now().timestamp())
    fake = ZaloFakeApi()
    update = fake.user_update(USER, "Số liệu: 12 đề tài")
    update["message"]["date"] = int(clock.now().timestamp() * 1000)
    assert zalo.store(inbox, [update]) == 1
    with db.session() as session:
        row = session.exec(select(InboxUpdate)).one()
        row.state, row.done_at = "done", clock.now().timestamp()
        session.add(row)
    services.retention.retention = type(services.retention.retention)(zalo_keys_days=60)
    clock.set(clock.now() + timedelta(days=8))
    services.retention.clean()
    with db.session() as session:
        kept = session.exec(select(InboxUpdate)).one()
    assert kept.payload == "" and kept.chat_key == "" and kept.external_key == f"zalo:{update['message']['message_id']}"
    assert zalo.store(inbox, [update]) == 0  # replayed a week later: known, not processed again
    clock.set(clock.now() + timedelta(days=55))
    services.retention.clean()
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(InboxUpdate)).one() == 0
    assert zalo.store(inbox, [update]) == 0  # replayed after the key went: dated before the window, not taken
    assert Outbox(db).counts() == {}
