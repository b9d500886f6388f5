"""Reminders and notifications on each person's preferred channel (issue 12, "Done when" item 5): one message per
person and step, within Telegram's and Zalo's limits, and Zalo's quota running out mid fan-out handed over to
Telegram where the person has it, with one notice to the Office.

The real `Sender` runs for both channels: Telegram against the HTTP stand-in that enforces Telegram's limits
(benchmarks/fake_bot_api_server.py), Zalo against `ZaloFakeApi` with a per-second limit and a monthly quota.
Until the live recorder routes Zalo stand-in chats to the "zalo" outbox by itself (the `zalolive` work),
`Routing` below does that one thing.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from dataclasses import replace

import pytest
from sqlalchemy import update as sa_update
from sqlmodel import select
from telegram import Bot
from telegram.request import HTTPXRequest

from benchmarks.fake_bot_api_server import FakeBotApiServer
from bot.channels.zalo.api import ZaloBotApi
from bot.channels.zalo.request import ZaloRequest
from bot.domain import OutMessage, Recipient, Role
from bot.i18n import I18n
from bot.reminders.messages import zalo_quota_line
from bot.services.channels import ChannelAddressService, MenuService, is_synthetic
from bot.services.channels.addresses import zalo_route
from bot.simulator.zalo_fake import TOKEN as ZALO_TOKEN
from bot.simulator.zalo_fake import ZaloFakeApi, zalo_id
from bot.transport.outbox import Outbox, RecordingRequest
from bot.transport.policy import TELEGRAM, ZALO
from bot.transport.telegram import telegram_send
from bot.transport.zalo import outcome_of, zalo_send
from handlers.common import deliver_with
from handlers.reminders import fan_out, send_notices, zalo_usage
from storage.models import ChannelAddress, DeliveryNotice, OutboxMessage, Person, ReminderDelivery, Unit
from tests.reminder_helpers import at
from tests.world import period_id

TG_TOKEN = "123456:delivery-test"
OPENING = at(2026, 11, 25, 9)  # the annual period's opening reminders are due this morning


def _units(services) -> list[int]:
    with services.db.session() as session:
        return list(session.exec(select(Unit.id).where(Unit.is_active, Unit.is_admin_office.is_(False))
                                 .order_by(Unit.id)).all())


def add_people(sim, zalo: ZaloFakeApi, n: int = 8) -> dict[int, tuple[str, str | None, str | None]]:
    """n people of each kind, as deputies of pending units: Telegram only, Zalo only, both preferring Telegram,
    both preferring Zalo. Returns person id -> (preferred channel, Telegram id, Zalo id)."""
    units = _units(sim.services)
    people = {}
    kinds = [("telegram", True, False), ("zalo", False, True), ("telegram", True, True), ("zalo", True, True)]
    for k, (preferred, has_tg, has_zalo) in enumerate(kinds):
        for i in range(n):
            tg = str(700_000 + 100 * k + i) if has_tg else None
            zid = zalo_id(f"person-{k}-{i}") if has_zalo else None
            actor = sim.services.people.add_person(full_name=f"Người {k}-{i}", role=Role.DEPUTY, telegram_id=tg,
                                                   zalo_id=zid, unit_id=units[(k * n + i) % len(units)])
            with sim.db.session() as session:
                person = session.get(Person, actor.person_id)
                person.preferred_channel = preferred
                session.add(person)
            if zid:
                zalo.known[zid] = actor.full_name  # they wrote to the bot once (registration)
            people[actor.person_id] = (preferred, tg, zid)
    return people


class Channels:
    """Both senders, wired as the live process wires them, against the two stand-ins."""

    def __init__(self, sim, telegram_server: FakeBotApiServer, zalo: ZaloFakeApi) -> None:
        self.sim, self.server, self.zalo = sim, telegram_server, zalo
        self.zalo_log: list[tuple[float, str]] = []
        answer = zalo.answer

        def logged(token, method, params):  # noqa: ANN001, ANN202 - when each call arrives at "Zalo"
            status, body = answer(token, method, params)
            if method.startswith("send") and status == 200:
                self.zalo_log.append((time.monotonic(), params["chat_id"]))
            return status, body

        zalo.answer = logged

    async def __aenter__(self) -> Channels:
        sim = self.sim
        self.tg_bot = Bot(TG_TOKEN, base_url=f"http://127.0.0.1:{self.server.port}/bot",
                          request=HTTPXRequest(connection_pool_size=20))
        await self.tg_bot.initialize()
        self.api = ZaloBotApi(ZALO_TOKEN, "https://zalo.test", transport=self.zalo.transport())
        self.request = ZaloRequest(self.api, ChannelAddressService(sim.db, sim.clock), MenuService(sim.db, sim.clock),
                                   sim.i18n)
        # The senders as live (bot.app.Wiring), over real HTTP to the stand-ins.
        self.telegram = sim.wiring.sender("telegram", TELEGRAM, telegram_send(self.tg_bot), "tg")
        self.zalo_sender = sim.wiring.sender("zalo", ZALO, zalo_send(self.request), "zalo")
        # The bot the handlers and the fan-out use: every call becomes an outbox row.
        self.bot = Bot(TG_TOKEN, request=RecordingRequest(sim.api, sim.db, route=zalo_route), get_updates_request=sim.api)
        await self.bot.initialize()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.tg_bot.shutdown()
        await self.bot.shutdown()
        await self.request.shutdown()
        await self.api.close()

    async def send_all(self, timeout: float = 60.0) -> None:
        """Run both senders until nothing is left to send (a fallback copy may be queued late)."""
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self.telegram.run(stop)), asyncio.create_task(self.zalo_sender.run(stop))]
        outbox = Outbox(self.sim.db)
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline and quiet < 5:
            # Quiet: nothing being sent and nothing due (a call kept for a paused channel waits, due later)
            zalo_paused = self.zalo_sender.budget.paused_until > self.zalo_sender.budget.now()
            due = outbox.pending("telegram", 1) or (outbox.pending("zalo", 1) and not zalo_paused)
            quiet = quiet + 1 if not due and not outbox.counts().get("sending") else 0
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*tasks)


def received(channels: Channels) -> tuple[Counter, Counter]:
    """Messages that reached each person's chat: (Telegram id -> count, Zalo id -> count)."""
    telegram = Counter(channels.server.accepted)
    zalo = Counter(m.chat_id for m in channels.zalo.sent)
    return telegram, zalo


def check_limits(channels: Channels) -> None:
    """Both platforms' limits, from the stand-ins' own logs: no 429, overall and per-chat pace kept."""
    assert channels.server.too_many == 0 and channels.zalo.refused[429] == 0
    for log, policy in ((((t, c) for t, c, _m, _x in channels.server.log), TELEGRAM), (channels.zalo_log, ZALO)):
        log = sorted(log)
        times = [t for t, _c in log]
        assert max((sum(1 for u in times[k:] if u - t < 1.0) for k, t in enumerate(times)), default=0) <= policy.hard_limit
        by_chat: dict[str, list[float]] = defaultdict(list)
        for t, chat in log:
            by_chat[chat].append(t)
        gaps = [b - a for ts in by_chat.values() for a, b in zip(ts, ts[1:])]
        assert min(gaps, default=policy.per_chat) >= policy.per_chat - 0.05


@pytest.fixture
async def telegram_server():
    server = FakeBotApiServer(global_rate=30, per_chat_seconds=1.0)
    await server.start()
    yield server
    await server.stop()


def _reminder_rows(sim) -> dict[int, list[ReminderDelivery]]:
    rows: dict[int, list[ReminderDelivery]] = defaultdict(list)
    with sim.db.session() as session:
        for row in session.exec(select(ReminderDelivery)).all():
            rows[row.person_id].append(row)
    return rows


async def test_fan_out_to_a_mix_reaches_each_person_once_on_the_preferred_channel(sim, telegram_server):
    sim.clock.set(OPENING)
    zalo = ZaloFakeApi(rate_per_second=ZALO.hard_limit)
    people = add_people(sim, zalo)
    async with Channels(sim, telegram_server, zalo) as channels:
        items = sim.services.reminders.due()
        mine = [i for i in items if i.person_id in people]
        assert len(mine) == len(people)  # Zalo-only people are reminded too, not counted unreachable
        report = await fan_out(channels.bot, sim.services, sim.i18n, items)
        assert report.unreachable == 0
        office = sim.services.people.actor_for("telegram", "1002")
        unreachable = {n for p in sim.services.reminders.pending(office) for n in p.unreachable}
        assert not unreachable & {f"Người {k}-{i}" for k in range(4) for i in range(8)}
        await channels.send_all()
    telegram, on_zalo = received(channels)
    for person_id, (preferred, tg, zid) in people.items():
        got = (telegram[tg] if tg else 0, on_zalo[zid] if zid else 0)
        assert got == ((1, 0) if preferred == "telegram" else (0, 1)), (person_id, preferred, got)
    assert all(count == 1 for count in [*telegram.values(), *on_zalo.values()])  # no one twice, demo people too
    check_limits(channels)
    rows = _reminder_rows(sim)
    for person_id, (preferred, _tg, _zid) in people.items():
        assert [(r.state, r.channel) for r in rows[person_id]] == [("sent", preferred)]
    # The Zalo message is the reminder as Zalo shows it: the buttons became typed choices.
    text = zalo.sent[0].text
    assert "Kính gửi đồng chí" in text and "1. " in text and "Gõ số" in text


def reopen(channels: Channels) -> None:
    """Zalo accepts again: its stand-in's quota lifted, and the sender's pause and the kept calls' wait over."""
    channels.zalo.monthly_quota = None
    channels.zalo_sender.budget.paused_until = 0.0
    with channels.sim.db.session() as session:
        session.execute(sa_update(OutboxMessage).where(OutboxMessage.channel == "zalo",
                                                       OutboxMessage.state == "pending").values(not_before=0))


async def test_a_zalo_429_mid_fan_out_hands_over_to_telegram_keeps_the_rest_and_tells_the_office_once(
        sim, telegram_server):
    """Zalo answers 429 after 5 messages (its meaning is unclear: a rate or the month's quota). Zalo pauses for
    seconds, not an hour; people who have Telegram get the rest there; people with only Zalo keep theirs queued,
    and get each exactly once when Zalo accepts again. The Office hears once, with what was done for whom."""
    sim.clock.set(OPENING)
    zalo = ZaloFakeApi(monthly_quota=5, rate_per_second=ZALO.hard_limit)
    people = add_people(sim, zalo)
    zalo_only = [p for p, (_preferred, tg, _zid) in people.items() if not tg]
    async with Channels(sim, telegram_server, zalo) as channels:
        await fan_out(channels.bot, sim.services, sim.i18n, sim.services.reminders.due())
        await channels.send_all()
        paused = channels.zalo_sender.budget.paused_until - time.monotonic()
        assert 0 < paused <= 2 * 30 + 1 and channels.zalo_sender.rate_limited >= 1  # a short pause, then a probe
        # The Office's /nhacnho a few minutes later: Telegram where the person has it, queued on Zalo otherwise.
        office = sim.services.people.actor_for("telegram", "1002")
        plan = sim.services.reminders.manual(office, [period_id(sim.services)], "later", force=True)
        zalo_sent = len(zalo.sent)
        again = await fan_out(channels.bot, sim.services, sim.i18n, plan.items)
        await channels.send_all()
        assert len(zalo.sent) == zalo_sent and again.unreachable == 0
        kept = Outbox(sim.db).pending("zalo", 1000, including_later=True)
        assert {r.chat_key for r in kept} == {
            sim.services.addressing.chat_for(sim.services.people.recipient(p), "zalo") for p in zalo_only}
        telegram_before, on_zalo_before = received(channels)
        rows = _reminder_rows(sim)
        for person_id, (preferred, tg, zid) in people.items():
            states = [(r.state, r.channel) for r in rows[person_id]]
            if not tg and not on_zalo_before[zid]:
                assert [s for s, _c in states] == ["sending"] * 2, (person_id, states)  # kept, not "unreachable"
        # The Office's notice, once the failures have been quiet a minute: who moved, who waits.
        assert await send_notices(sim.app.bot, sim.services, sim.i18n) == 0  # still failing over: wait
        sim.clock.set(OPENING.replace(minute=5))
        before = len(sim.api.outbox)
        spent = [p for p, (preferred, _tg, _zid) in people.items() if preferred == "zalo"]  # all told, once each
        assert await send_notices(sim.app.bot, sim.services, sim.i18n) == len(spent)
        await sim.sender.drain()
        notices = [m for m in sim.api.outbox[before:] if "không gửi được" in m.text.lower()]
        office_chats = {r.telegram_id for r in sim.services.people.office_recipients() if r.telegram_id}
        assert len(notices) == len(office_chats) and {str(m.chat_id) for m in notices} == office_chats
        names = {p.person_id: p.full_name for p in map(sim.services.people.recipient, people)}
        assert all(names[p] in notices[0].text for p in spent)
        assert "giới hạn sử dụng" in notices[0].text and "đã gửi qua Telegram" in notices[0].text
        assert "sẽ gửi ngay khi Zalo nhận tin trở lại" in notices[0].text
        assert await send_notices(sim.app.bot, sim.services, sim.i18n) == 0
        # Zalo accepts again: what was kept goes, once.
        reopen(channels)
        await channels.send_all()
    telegram, on_zalo = received(channels)
    assert zalo.refused[429] >= 1 and telegram_server.too_many == 0
    rows = _reminder_rows(sim)
    moved = []
    for person_id, (preferred, tg, zid) in people.items():
        total = (telegram[tg] if tg else 0) + (on_zalo[zid] if zid else 0)
        states = [(r.state, r.channel) for r in rows[person_id]]
        assert total == 2 and [s for s, _c in states] == ["sent"] * 2, (person_id, states)  # two steps, one each
        if preferred == "zalo" and tg and telegram[tg]:
            moved.append(person_id)
        if not tg:
            assert on_zalo[zid] == 2 and all(c == "zalo" for _s, c in states), (person_id, states)
    assert moved and zalo_only
    assert not Outbox(sim.db).pending("zalo", 10, including_later=True)
    with sim.db.session() as session:
        assert len(session.exec(select(DeliveryNotice)).all()) == len(
            [p for p, (preferred, _tg, _zid) in people.items() if preferred == "zalo"])


async def test_the_bots_own_monthly_quota_stops_zalo_and_hands_the_rest_over(sim, telegram_server):
    """With ZALO_MONTHLY_QUOTA reached mid fan-out, the Zalo sender itself stops (Zalo never answers 429) and the
    reminders still waiting go to Telegram, or stay queued for Zalo's next month: nothing dropped, nothing doubled."""
    sim.clock.set(OPENING)
    zalo = ZaloFakeApi(rate_per_second=ZALO.hard_limit)
    people = add_people(sim, zalo, n=4)
    async with Channels(sim, telegram_server, zalo) as channels:
        channels.zalo_sender.policy = replace(ZALO, monthly_quota=3)
        await fan_out(channels.bot, sim.services, sim.i18n, sim.services.reminders.due())
        await channels.send_all()
        assert channels.zalo_sender.rate_limited == 0 and zalo.refused[429] == 0
    telegram, on_zalo = received(channels)
    # Never over the quota; one booked call may be handed over before it leaves (it goes to Telegram instead).
    assert 1 <= len(zalo.sent) <= 3
    rows = _reminder_rows(sim)
    kept = {r.chat_key for r in Outbox(sim.db).pending("zalo", 1000, including_later=True)}
    for person_id, (_preferred, tg, zid) in people.items():
        total = (telegram[tg] if tg else 0) + (on_zalo[zid] if zid else 0)
        states = [r.state for r in rows[person_id]]
        assert total == len([s for s in states if s == "sent"]), (person_id, states)  # each reminder at most once
        if "sending" in states:  # kept for Zalo: only a person with no other channel, and queued there
            chat = sim.services.addressing.chat_for(sim.services.people.recipient(person_id), "zalo")
            assert not tg and chat in kept, (person_id, states)
        assert "pending" not in states, (person_id, states)
    assert kept


async def test_telegram_block_falls_back_to_zalo_for_a_notification(sim, telegram_server):
    """A person who blocked the bot on Telegram but has Zalo gets the notification on Zalo, once."""
    zalo = ZaloFakeApi()
    async with Channels(sim, telegram_server, zalo) as channels:
        zid = zalo_id("blocked-on-telegram")
        zalo.known[zid] = "Lê Văn C"
        actor = sim.services.people.add_person(full_name="Lê Văn C", role=Role.DEPUTY, telegram_id="900001",
                                               zalo_id=zid, unit_id=_units(sim.services)[0])
        recipient = sim.services.people.recipient(actor.person_id)

        async def forbidden(out):  # noqa: ANN001, ANN202 - Telegram: "bot was blocked by the user"
            from bot.transport.results import Outcome, SendResult

            return SendResult(Outcome.BLOCKED, error="Forbidden: bot was blocked by the user")

        channels.telegram.send = forbidden
        assert await deliver_with(channels.bot, sim.services, recipient, OutMessage("Báo cáo đã được tiếp nhận."))
        await channels.send_all()
    assert zalo.texts_to(zid) == ["Báo cáo đã được tiếp nhận."]
    with sim.db.session() as session:
        states = Counter((r.channel, r.state) for r in session.exec(select(OutboxMessage).where(
            OutboxMessage.method == "sendMessage")).all())
        notice = session.exec(select(DeliveryNotice)).one()
        assert session.get(Person, actor.person_id).blocked_at is None  # still reachable: not "blocked"
    assert states == Counter({("telegram", "failed"): 1, ("zalo", "sent"): 1})
    assert (notice.channel, notice.reason, notice.fallback) == ("telegram", "blocked", "zalo")


# Units -------------------------------------------------------------------------------------------------------
def test_chat_for_gives_the_telegram_id_or_the_zalo_stand_in(services):
    addressing = services.addressing
    both = Recipient(1, "A", "vi", telegram_id="4242", zalo_id="abc123", preferred_channel="zalo")
    assert addressing.chat_for(both, "telegram") == "4242"
    zalo_chat = addressing.chat_for(both, "zalo")
    assert is_synthetic(zalo_chat) and addressing.chat_for(both, "zalo") == zalo_chat  # created once, then found
    with services.db.session() as session:
        assert len(session.exec(select(ChannelAddress)).all()) == 1
    assert addressing.chat_for(Recipient(2, "B", "vi", telegram_id="7"), "zalo") is None
    assert [(r.channel, r.chat_id) for r in addressing.routes(both)] == [("zalo", zalo_chat), ("telegram", "4242")]
    assert [r.channel for r in addressing.routes(replace(both, preferred_channel="telegram"))] == ["telegram", "zalo"]
    assert addressing.routes(Recipient(3, "C", "vi")) == []
    assert addressing.routes(both, skip=frozenset({"zalo"}))[0].channel == "telegram"


def test_zalo_answers_map_to_sender_outcomes():
    assert outcome_of(200, b'{"ok": true}').outcome == "sent"
    quota = outcome_of(429, b'{"ok": false, "description": "Zalo quota: Quota exceeded"}')
    assert quota.outcome == "retry" and quota.retry_after <= 60
    assert outcome_of(403, b'{"description": "Forbidden"}').outcome == "transient"  # unclear: once more first
    assert outcome_of(403, b'{"description": "Forbidden"}', attempts=1).outcome == "blocked"
    assert outcome_of(400, b'{"description": "Bad Request: chat not found"}').outcome == "unreachable"
    assert outcome_of(502, b'{"description": "Zalo unreachable: ConnectError"}').outcome == "transient"
    assert outcome_of(502, b'{"description": "Zalo unreachable: ReadTimeout"}').outcome == "unknown"


def test_the_offices_quota_line_in_both_languages():
    i18n = I18n("vi")
    assert zalo_quota_line(i18n.get("vi"), 1234, 5000, 11) == "Zalo: đã gửi 1.234/5.000 tin trong tháng 11."
    assert zalo_quota_line(i18n.get("en"), 1234, 5000, 11) == "Zalo: 1,234/5,000 messages sent in month 11."
    assert zalo_quota_line(i18n.get("vi"), 87, 0, 11) == "Zalo: đã gửi 87 tin trong tháng 11."


def test_quota_line_only_when_zalo_is_in_use(services, settings):
    tr = I18n("vi").get("vi")
    assert zalo_usage(services, settings, tr) is None
    services.people.add_person(full_name="Zalo", role=Role.DEPUTY, telegram_id=None, zalo_id="z1",
                               unit_id=_units(services)[0])
    now = time.time()
    with services.db.session() as session:
        for state in ("sent", "sent", "failed"):
            session.add(OutboxMessage(channel="zalo", chat_key="1", method="sendMessage", params="{}", priority=3,
                                      resend=False, state=state, inbox_id=None, ref="", not_before=0.0, attempts=1,
                                      created_at=now, sent_at=now, error=""))
    month = services.clock.today().month
    assert zalo_usage(services, settings, tr) == f"Zalo: đã gửi 2 tin trong tháng {month}."
    with_quota = settings.model_copy(update={"zalo_monthly_quota": 5000})
    assert zalo_usage(services, with_quota, tr) == f"Zalo: đã gửi 2/5.000 tin trong tháng {month}."


async def test_a_zalo_persons_due_reminders_go_as_one_message(sim, telegram_server):
    """Two steps due at once for someone on Zalo (the schedule's and the Office's) are one Zalo message."""
    from bot.reminders.items import bundle

    sim.clock.set(OPENING)
    zalo = ZaloFakeApi()
    people = add_people(sim, zalo, n=1)
    person_id = next(p for p, (preferred, tg, _zid) in people.items() if preferred == "zalo" and not tg)
    zid = people[person_id][2]
    office = sim.services.people.actor_for("telegram", "1002")
    scheduled = [i for i in sim.services.reminders.due() if i.person_id == person_id]
    manual = [i for i in sim.services.reminders.manual(office, [period_id(sim.services)], "both", force=True).items
              if i.person_id == person_id]
    items = bundle(scheduled + manual)
    assert len(scheduled) == len(manual) == 1 and len(items) == 1 and items[0].kind == "bundle"
    async with Channels(sim, telegram_server, zalo) as channels:
        await fan_out(channels.bot, sim.services, sim.i18n, items)
        await channels.send_all()
    assert len(zalo.texts_to(zid)) == 1
    rows = _reminder_rows(sim)[person_id]
    assert sorted((r.state, r.channel) for r in rows) == [("sent", "zalo"), ("sent", "zalo")]
