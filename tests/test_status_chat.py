"""/tinhhinh, /bieudo and the group's status message, end to end on the fake Bot API."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.clock import TZ
from bot.config import Settings
from tests.status_samples import KHTC_ANSWERS, TTUD_ANSWERS, submit

GROUP = -1000000001


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The leadership group is configured: the status message lives there."""
    return Settings(_env_file=None, telegram_bot_token="", data_dir=tmp_path, database_url="",
                    leadership_chat_id=str(GROUP))


def group_messages(sim) -> list:  # noqa: ANN001
    return [m for m in sim.api.outbox if m.chat_id == GROUP]


def edits(sim) -> list[dict]:  # noqa: ANN001
    return [params for method, params in sim.api.calls if method == "editMessageText"]


async def test_office_sees_counts_and_sums(sim):
    submit(sim.services, "khtc", KHTC_ANSWERS)
    submit(sim.services, "ttud", TTUD_ANSWERS, late=True)
    sent = await sim.send("vanthu", "/tinhhinh")
    text = sent[-1].text
    assert "TÌNH HÌNH BÁO CÁO NĂM 2026" in text
    assert "Đã nộp: 2/8 phòng, đơn vị" in text
    assert "Nộp đúng hạn: 1" in text and "Nộp muộn: 1" in text and "Chưa bắt đầu: 6" in text
    assert "kế hoạch 15.000.000.000 đồng, đã giải ngân 13.500.000.000 đồng, đạt 90% kế hoạch" in text
    assert "Tiết kiệm: 370.000.000 đồng" in text
    assert "Bằng khen của Thủ tướng Chính phủ: 1" in text
    assert sent[-1].button_data("Biểu đồ").startswith("st:chart:")


async def test_director_and_deputy_may_see_it_english_alias_too(sim):
    assert "TÌNH HÌNH" in (await sim.send("giamdoc", "/status"))[-1].text
    assert "TÌNH HÌNH" in (await sim.send("pgd", "/tinhhinh"))[-1].text


async def test_unit_head_is_refused(sim):
    for command in ("/tinhhinh", "/bieudo", "/xuatbaocao"):
        sent = await sim.send("khtc", command)
        assert sent[-1].text == "Đồng chí không có quyền thực hiện thao tác này."
    sent = await sim.press_data("khtc", "st:show:2")
    assert sent[-1].text == "Đồng chí không có quyền thực hiện thao tác này."


async def test_period_choice_by_typing_a_number(sim):
    sent = await sim.send("vanthu", "/tinhhinh khong-co")
    assert "Kỳ báo cáo nào?" in sent[-1].text and "2026-H1" in sent[-1].text
    sent = await sim.send("vanthu", "9")
    assert "gõ một số thứ tự" in sent[-1].text
    sent = await sim.send("vanthu", "2")
    assert "BÁO CÁO 6 THÁNG ĐẦU NĂM 2026" in sent[-1].text
    sent = await sim.send("vanthu", "/tinhhinh 2026-y")
    assert "BÁO CÁO NĂM 2026" in sent[-1].text


async def test_chart_is_a_png_on_request(sim):
    submit(sim.services, "khtc", KHTC_ANSWERS)
    sent = await sim.send("vanthu", "/tinhhinh")
    sent = await sim.press("vanthu", sent[-1], "Biểu đồ")
    assert sent[-1].photo[:8] == b"\x89PNG\r\n\x1a\n" and len(sent[-1].photo) > 10_000
    assert sent[-1].text == "Biểu đồ: Báo cáo năm 2026"
    sent = await sim.send("giamdoc", "/chart")
    assert sent[-1].photo[:4] == b"\x89PNG"


async def test_forged_or_stale_buttons(sim):
    for data in ("st:chart:999", "st:nope:1", "st:show"):
        sent = await sim.press_data("vanthu", data)
        assert sent[-1].text == "Nút này không còn hiệu lực."


async def test_status_message_is_edited_in_place(sim):
    await sim.tick()
    posted = group_messages(sim)
    assert len(posted) == 1 and "Đã nộp: 0/8" in posted[0].text
    board_id = posted[0].message_id
    calls = len(sim.api.calls)
    await sim.tick()  # nothing changed: no edit, no new message
    assert len(sim.api.calls) == calls
    submit(sim.services, "khtc", KHTC_ANSWERS)
    await sim.tick()
    assert [int(p["message_id"]) for p in edits(sim)] == [board_id]
    assert "Đã nộp: 1/8" in sim.api.messages[(GROUP, board_id)].text
    submit(sim.services, "ttud", TTUD_ANSWERS)
    await sim.restart()  # a new process finds the same message in the database
    await sim.tick()
    assert [int(p["message_id"]) for p in edits(sim)] == [board_id, board_id]
    assert "Đã nộp: 2/8" in sim.api.messages[(GROUP, board_id)].text
    assert len([m for m in group_messages(sim) if not m.edited]) == 1


async def test_text_unchanged_means_no_edit(sim):
    await sim.tick()
    sim.clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=TZ))  # a new hour: rebuilt, but the same text
    await sim.tick()
    assert edits(sim) == []


async def test_deleted_status_message_is_posted_again(sim, monkeypatch):
    await sim.tick()
    first = group_messages(sim)[0].message_id
    original = sim.api.do_request

    async def gone(url, method, request_data=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if url.endswith("/editMessageText"):
            return 400, json.dumps({"ok": False, "error_code": 400,
                                    "description": "Bad Request: message to edit not found"}).encode()
        return await original(url, method, request_data, **kwargs)

    monkeypatch.setattr(sim.api, "do_request", gone)
    submit(sim.services, "khtc", KHTC_ANSWERS)
    await sim.tick()  # the edit fails: the sender's outcome makes the board forget the deleted message
    assert len([m for m in group_messages(sim) if not m.edited]) == 1
    await sim.tick()  # and the next refresh posts a new one
    fresh = [m for m in group_messages(sim) if not m.edited]
    assert len(fresh) == 2 and fresh[-1].message_id != first and "Đã nộp: 1/8" in fresh[-1].text
    period_id = next(p.period_id for p in sim.services.periods.list_periods() if p.code == "2026-Y")
    board = sim.services.status.board(period_id, str(GROUP))
    assert board.message_id == fresh[-1].message_id


async def test_scheduled_summaries_post_once(sim):
    weekly = "trong tuần"
    sim.clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=TZ))  # Monday, before 08:00
    await sim.tick()
    assert not [m for m in group_messages(sim) if weekly in m.text]
    sim.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=TZ))
    await sim.tick()
    await sim.tick()
    await sim.restart()
    sim.clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=TZ))
    await sim.tick()
    summaries = [m for m in group_messages(sim) if weekly in m.text]
    assert len(summaries) == 1
    assert "Chưa nộp: Phòng Hành chính - Tổng hợp" in summaries[0].text
    sim.clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=TZ))  # Tuesday: nothing
    await sim.tick()
    assert len([m for m in group_messages(sim) if weekly in m.text]) == 1
    sim.clock.set(datetime(2026, 12, 21, 8, 5, tzinfo=TZ))  # the morning after the deadline (20/12)
    await sim.tick()
    await sim.tick()
    after = [m for m in group_messages(sim) if "sau hạn nộp" in m.text]
    assert len(after) == 1 and "ngày 20 tháng 12 năm 2026" in after[0].text


async def test_no_group_configured_no_posts(sim, monkeypatch):
    monkeypatch.setattr(sim.app.bot_data.settings, "leadership_chat_id", "")
    await sim.tick()
    assert group_messages(sim) == []


async def test_status_message_goes_through_the_outbox_and_waits_for_its_id(sim):
    """Posted like every other message (one send budget): queued with its ref, and while the post waits in
    the outbox a second refresh neither posts again nor edits; the id the sender got is kept for the edits."""
    from sqlmodel import select

    from bot.transport.policy import NOTIFY
    from storage.models import OutboxMessage

    await sim.app.bot_data.ticker.run_all()  # queued, not sent
    with sim.db.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_key == str(GROUP))).all()
    assert [(r.method, r.priority, r.ref.split(":")[0], r.state) for r in rows] == [
        ("sendMessage", NOTIFY, "board", "pending")]
    submit(sim.services, "khtc", KHTC_ANSWERS)
    await sim.app.bot_data.ticker.run_all()  # the post's outcome is not known yet: nothing more is queued
    with sim.db.session() as session:
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.chat_key == str(GROUP))).all()) == 1
    await sim.sender.drain()
    posted = group_messages(sim)
    assert len(posted) == 1
    period_id = next(p.period_id for p in sim.services.periods.list_periods() if p.code == "2026-Y")
    assert sim.services.status.board(period_id, str(GROUP)).message_id == posted[0].message_id
    await sim.tick()  # the lease is free again: the change since is shown by editing that message
    assert [int(p["message_id"]) for p in edits(sim)] == [posted[0].message_id]
    assert "Đã nộp: 1/8" in sim.api.messages[(GROUP, posted[0].message_id)].text


async def test_oldest_difficulty_raised_today_is_not_zero_days_old(sim):
    from datetime import timedelta

    from tests.test_escalation_sim import raise_via_chat
    await raise_via_chat(sim, title="Chậm phân bổ vốn")
    text = (await sim.send("vanthu", "/tinhhinh"))[-1].text
    assert "Lâu nhất: “Chậm phân bổ vốn” (Phòng Kế hoạch - Tài chính), báo cáo trong ngày hôm nay" in text
    assert "đã 0 ngày" not in text
    sim.clock.set(sim.clock.now() + timedelta(days=1))
    await sim.send("vanthu", "/ngonngu en")
    text = (await sim.send("vanthu", "/status"))[-1].text
    assert "1 day ago" in text and "1 days ago" not in text
