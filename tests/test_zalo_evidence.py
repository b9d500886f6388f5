"""Evidence sent on Zalo survives its Zalo URL (issue 22): the photo is fetched into the file store by the Zalo
sender right after the update commits (a queued `keepFile` call, never a network call during processing), and
the Office reads it from there, on Telegram, on Zalo and on the desk (over HTTP), after the stand-in's media URL has expired
(one minute). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from bot.channels.zalo.updates import photo_file_id
from bot.clock import ManualClock
from bot.config import Settings
from bot.services.reports.base import Mode
from bot.transport.outbox import Outbox
from storage.models import OutboxMessage, Report
from tests.test_zalo_flows import invite_on_zalo, joined, report_of, typed_answer
from tests.world import SIX_MONTH_OPEN, VANTHU

PHOTO = b"\xff\xd8\xff\xe0 simulated photo"


@pytest.fixture
def settings(tmp_path) -> Settings:
    """File links on (a public HTTPS address), as in tests/test_zalo_flows.py."""
    return Settings(_env_file=None, telegram_bot_token="", data_dir=tmp_path, database_url="",
                    public_base_url="https://bot.example.vn")


async def expired(sim, url: str) -> bool:
    async with httpx.AsyncClient(transport=sim.zalo_api.media_transport()) as client:
        return (await client.get(url)).status_code == 403


async def to_the_evidence_question(sim):
    sim.clock.set(SIX_MONTH_OPEN)
    head = await invite_on_zalo(sim)
    await sim.send("moi", "/baocao")
    report_id = report_of(sim).id
    for _guard in range(40):
        screen = sim.services.reports.current(head, report_id)
        assert screen.mode == Mode.ASK
        if screen.question.id == "thrift_evidence":
            return head, report_id
        await sim.send("moi", typed_answer(screen))
    raise AssertionError("no evidence question")


def kept_rows(sim) -> list[OutboxMessage]:
    with sim.services.db.session() as session:
        return session.exec(select(OutboxMessage).where(OutboxMessage.method == "keepFile")).all()


async def test_a_photo_sent_as_evidence_is_kept_and_served_after_its_zalo_url_expired(sim):
    sim.zalo_api.media_ttl = 60
    head, report_id = await to_the_evidence_question(sim)
    sent_before = len(sim.zalo_api.sent)
    said = joined(await sim.zalo_send_photo("moi"))
    assert "Câu" in said  # the next question: the photo is the answer
    assert len(sim.zalo_api.sent) - sent_before == 1  # fetching it is no message to anyone
    [row] = kept_rows(sim)
    assert row.state == "sent" and row.channel == "zalo"
    answer = sim.services.reports.current(head, report_id).answers["thrift_evidence"]
    file_id = answer["file_id"]
    assert sim.services.files.open(file_id) == PHOTO
    at_send = ManualClock(datetime.fromtimestamp(row.sent_at, sim.clock.tz))
    with sim.services.db.session() as session:
        zalo_sent = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "zalo",
                                                             OutboxMessage.state == "sent")).all()
    assert Outbox(sim.services.db).sent_this_month("zalo", 0, at_send) == len(zalo_sent) - 1  # not a message

    sim.clock.advance(timedelta(minutes=2))
    url = sim.zalo_api.media and next(iter(sim.zalo_api.media))
    assert await expired(sim, url)
    fetches = sim.zalo_api.media_fetches
    file = await sim.app.bot.get_file(file_id)  # how the desk's attachment page reads it
    assert bytes(await file.download_as_bytearray()) == PHOTO
    assert sim.zalo_api.media_fetches == fetches  # from the file store, not from Zalo
    assert sim.services.files.open(photo_file_id("https://photo-stal.zdn.vn/sim/never.jpg")) is None


async def test_a_difficulty_photo_reaches_the_office_on_telegram_and_on_zalo_after_expiry(sim):
    sim.zalo_api.media_ttl = 60
    await invite_on_zalo(sim)
    await sim.send("moi", "/vuongmac moi")
    await sim.send("moi", "Chậm kết luận thanh tra dự án")
    await sim.send("moi", "Dự án thiếu hồ sơ quyết toán.")
    await sim.zalo_send_photo("moi", "Biên bản làm việc")
    await sim.send("moi", "bình thường")
    assert len(kept_rows(sim)) == 1
    sim.clock.advance(timedelta(minutes=5))
    assert await expired(sim, next(iter(sim.zalo_api.media)))

    office = sim.api.last_to(VANTHU)
    details = (await sim.press("vanthu", office, "Chi tiết, quá trình xử lý"))[-1]
    photo = (await sim.press("vanthu", details, "Mở tệp đính kèm"))[-1]
    assert photo.chat_id == VANTHU and photo.photo == PHOTO  # uploaded from the store: Telegram gets the bytes

    # The same Office member on Zalo: a file link served by the bot (Zalo takes photos only by URL).
    sim.add_zalo_persona("vanthu_zalo", "Lê Văn Hòa", user_id=VANTHU)
    office_actor = sim.services.people.actor_for("telegram", str(VANTHU))
    said = joined(await sim.send("vanthu_zalo", sim.services.identity.issue_link_code(office_actor).code))
    assert "đã được liên kết" in said
    said = joined(await sim.send("vanthu_zalo", "/vuongmac 1"))
    [photo] = [m for m in await sim.press("vanthu_zalo", sim.zalo_api.sent[-1], "Mở tệp đính kèm") if m.photo]
    assert photo.photo.startswith("https://bot.example.vn/f/") and "zdn.vn" not in photo.photo
    token = photo.photo.split("/f/", 1)[1].split("/", 1)[0]
    assert sim.zalo.links.open(token)[1] == PHOTO


async def test_a_photo_over_the_size_limit_keeps_only_its_url_and_nothing_breaks(sim):
    sim.services.files.max_bytes = 4  # ZALO_FILE_MAX_MB, made tiny
    sim.zalo.kept.max_bytes = 4
    head, report_id = await to_the_evidence_question(sim)
    said = joined(await sim.zalo_send_photo("moi"))
    assert "Câu" in said
    [row] = kept_rows(sim)
    assert row.state == "failed" and "larger than 4 bytes" in row.error
    file_id = sim.services.reports.current(head, report_id).answers["thrift_evidence"]["file_id"]
    assert sim.services.files.open(file_id) is None
    file = await sim.app.bot.get_file(file_id)
    assert bytes(await file.download_as_bytearray()) == PHOTO  # still at Zalo while its URL lives
    with sim.services.db.session() as session:
        assert session.exec(select(Report)).one().id == report_id


def test_the_desk_serves_a_zalo_photo_from_the_store_after_its_url_expired(settings, db, clock):
    from tests.desk_http import signed_in
    from tests.desk_site import DeskSite

    site = DeskSite(settings, db, clock)
    try:
        sim = site.sim
        sim.zalo_api.media_ttl = 60

        async def raise_with_photo() -> None:
            await invite_on_zalo(sim)
            for text in ("/vuongmac moi", "Chậm kết luận thanh tra dự án", "Dự án thiếu hồ sơ quyết toán."):
                await sim.send("moi", text)
            await sim.zalo_send_photo("moi", "Biên bản làm việc")
            await sim.send("moi", "bình thường")

        site.call(raise_with_photo())
        clock.advance(timedelta(minutes=5))
        assert site.call(expired(sim, next(iter(sim.zalo_api.media))))
        item_id = site.run(lambda: sim.services.escalations.summaries()[0].item_id)
        fetches = sim.zalo_api.media_fetches
        page = signed_in(site, "vanthu").get(f"/desk/difficulties/{item_id}/files/0")
        assert page.status_code == 200 and page.content == PHOTO
        assert sim.zalo_api.media_fetches == fetches  # never from Zalo
    finally:
        site.stop()
