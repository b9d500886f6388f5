"""How much a head reads and taps on a phone for a clean six-month report (issue 13): counted through the simulator.

The bound below keeps the figures in README's "Phone experience" paragraph honest: a change that makes the clean
report longer or chattier fails here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain import Role
from bot.i18n import I18n
from bot.simulator.harness import ChatSimulator
from handlers.reports.render_review import render_office_notice
from bot.services.reports.base import Mode
from tests.report_helpers import TYPED_DEFAULTS, fill, person, submit
from tests.world import period_id
from tests.world import KHTC, SIX_MONTH_OPEN

# Before issue 13: 30 interactions, 30 messages, 10 edits, 14,231 characters; after: 30, 28, 10, 6,970 (README).
# Questionnaire v2 adds one question (next-period tasks, for section V of the official report): 31, 29, 10, 7,206.
MAX_CHARACTERS = 7_500
MAX_MESSAGES = 29


@dataclass
class Tally:
    """Interactions of the head, and what the bot showed them (new messages, edits, characters)."""

    sim: ChatSimulator
    interactions: int = 0
    messages: int = 0
    edits: int = 0
    characters: int = 0
    last: list = field(default_factory=list)
    transcript: list = field(default_factory=list)
    shown: dict = field(default_factory=dict)

    def _count(self, sent: list) -> list:
        self.interactions += 1
        mine = [m for m in sent if m.chat_id == KHTC]
        for message in mine:
            self.edits += message.edited
            self.messages += not message.edited
            if self.shown.get(message.message_id) != message.text:  # dropping buttons shows nothing new to read
                self.characters += len(message.text)
            self.characters += sum(len(label) for label, _data in message.flat_buttons)
            self.shown[message.message_id] = message.text
        self.last = mine or self.last
        self.transcript += mine
        return mine

    async def type(self, text: str) -> list:
        return self._count(await self.sim.send("khtc", text))

    async def press(self, label: str) -> list:
        return self._count(await self.sim.press("khtc", self.last[-1], label))

    async def file(self, name: str) -> list:
        return self._count(await self.sim.send_file("khtc", name))


# What the head does at each question (by id), the way a person on a phone would: typing or pressing.
STEPS: dict[str, list[tuple[str, str]]] = {
    "infra_policy": [("type", "Đã tham mưu 02 văn bản về cơ chế đầu tư hạ tầng KH&CN.")],
    "digital_tasks": [("press", "1. Dịch vụ công"), ("press", "3. Sử dụng chữ ký số"), ("press", "Xong")],
    "digital_results": [("type", "Đã số hóa 80% hồ sơ.")],
    "admin_procedures": [("type", "12")],
    "enterprises_supported": [("type", "3")],
    "capital_holds": [("press", "Có")],
    "capital_plan": [("type", "1,5 tỷ")],
    "capital_disbursed": [("type", "1 tỷ 200 triệu")],
    "capital_plan_ref": [("type", "15/QĐ-UBND")],
    "thrift_programme": [("type", "1")],
    "thrift_programme_ref": [("type", "15/CTr-SKHCN")],
    "thrift_programme_date": [("type", "15/01/2027")],
    "thrift_savings": [("type", "250 triệu")],
    "norms_published": [("type", "0")],
    "public_assets_ok": [("type", "có")],
    "thrift_evidence": [("file", "chuong-trinh-thtk-2027.pdf")],
    "initiatives": [("press", "Thêm"), ("type", "Số hóa hồ sơ kế hoạch vốn"),
                    ("type", "Giảm 30% chi phí in ấn, lưu trữ."), ("type", "bỏ qua"), ("press", "Xong")],
    "exemplars": [("press", "Xong")],
    "difficulties": [("type", "Chậm phân bổ vốn do thủ tục điều chỉnh kế hoạch.")],
    "proposals": [("type", "bỏ qua")],
    "commendations": [("press", "Xong")],
}


async def clean_six_month_report(sim: ChatSimulator) -> Tally:
    """The head of Phòng Kế hoạch - Tài chính fills in and submits the six-month report without a mistake.

    Driven by the question on screen, so a later questionnaire version with more questions is still filled in
    (a question not in STEPS gets a plain typed answer, or "bỏ qua" when it is optional)."""
    sim.clock.set(SIX_MONTH_OPEN)
    t = Tally(sim)
    head = sim.services.people.actor_for("telegram", str(KHTC))
    await t.type("/baocao")
    report_id = sim.services.reports.open_periods(head)[0][1].report_id
    done: set[str] = set()
    for _guard in range(60):
        screen = sim.services.reports.current(head, report_id)
        if screen.mode == Mode.REVIEW:
            await t.press("Gửi báo cáo")
            await t.press("Xác nhận gửi")
            return t
        question = screen.question
        steps = STEPS.get(question.id) if question.id not in done else None
        if steps is None:
            steps = [("type", TYPED_DEFAULTS[question.type] if question.required else "bỏ qua")]
        done.add(question.id)
        for how, what in steps:
            await {"type": t.type, "press": t.press, "file": t.file}[how](what)
    raise AssertionError("the report did not reach the review")


async def test_a_clean_six_month_report_stays_short_on_a_phone(sim):
    t = await clean_six_month_report(sim)
    print(f"clean six-month report: {t.interactions} interactions, {t.messages} messages, {t.edits} edits, "
          f"{t.characters} characters")
    if os.environ.get("PHONE_TRANSCRIPT"):
        Path(os.environ["PHONE_TRANSCRIPT"]).write_text("\n\n".join(
            f"{'EDIT' if m.edited else 'MSG'} ({len(m.text)})\n{m.text}\n{[b for b, _d in m.flat_buttons]}"
            for m in t.transcript), encoding="utf-8")
    assert "đã được gửi (phiên bản 1)" in "\n".join(m.text for m in t.last)
    assert t.characters <= MAX_CHARACTERS and t.messages <= MAX_MESSAGES, (t.messages, t.characters)


async def test_instructions_at_the_start_and_after_a_mistake_and_toggles_in_place(sim):
    sim.clock.set(SIX_MONTH_OPEN)
    t = Tally(sim)
    first = (await t.type("/baocao"))[-1].text
    assert first.startswith("Báo cáo 6 tháng đầu năm 2027 - Phòng Kế hoạch - Tài chính\nCâu 1/17 - I. Phát triển")
    assert 'gõ "quay lại" hoặc "tạm dừng"' in first and "bỏ qua" not in first  # required: not offered a skip
    second = (await t.type("Đã tham mưu 02 văn bản."))[-1]
    assert second.text.startswith("Câu 2/17\n") and "cũng có thể gõ" not in second.text
    toggled = (await t.press("1. Dịch vụ công"))[-1]
    assert toggled.edited and toggled.message_id == second.message_id and "✓ 1. Dịch vụ công trực tuyến" in str(
        toggled.buttons)
    await t.press("Xong")
    await t.type("bỏ qua")
    mistake = (await t.type("mười hai"))[-1].text  # a word where a number is expected
    assert "Chưa đọc được số này" in mistake and "cũng có thể gõ" in mistake and mistake.lower().count("ví dụ") == 2


async def test_office_notice_shows_disbursement_with_one_decimal(services):
    services.clock.set(SIX_MONTH_OPEN)
    head = person(services, "Nguyễn Văn An", Role.UNIT_HEAD, "khtc", "3003")
    screen = services.reports.open(head, period_id(services, "2027-H1"))
    screen = fill(services, head, screen, typed={"capital_holds": "có", "capital_plan": "1,5 tỷ",
                                                 "capital_disbursed": "1 tỷ 234 triệu"})
    ref = submit(services, head, screen).ref
    notice = render_office_notice(I18n().get("vi"), services.reports.notice(ref.report_id, ref.version)).text
    assert "Tỷ lệ giải ngân vốn đầu tư công: 82,3%" in notice, notice
