"""Keyboards with a button per unit, period or invitation are paged: a bounded keyboard, previous/next, typeable."""

from __future__ import annotations

from bot.callbacks import Page, data
from handlers.paging import PAGE_SIZE
from handlers.reports.entry import PICK

EXTRA_UNITS = 30


def add_units(sim) -> None:
    office = sim.services.people.actor_for("telegram", "1002")
    for n in range(1, EXTRA_UNITS + 1):
        sim.services.org.add_unit(office, f"Đơn vị thử nghiệm số {n:02d}")


def item_buttons(message) -> list[tuple[str, str]]:
    return [b for b in message.flat_buttons if not b[1].startswith("pg:")]


def nav(message) -> list[tuple[str, str]]:
    return [b for b in message.flat_buttons if b[1].startswith("pg:")]


async def next_page(sim, who: str, message, prefix: str) -> None:
    """Page through with "next", checking each page is bounded and that together they hold every unit."""
    seen = [b for b in item_buttons(message) if b[1].startswith(prefix)]
    assert 0 < len(seen) <= PAGE_SIZE
    pages = 1
    while (forward := [b for b in nav(message) if "»" in b[0]]):
        await sim.press(who, message, forward[0][0])
        message = sim.api.messages[(message.chat_id, message.message_id)]
        page = [b for b in item_buttons(message) if b[1].startswith(prefix)]
        assert 0 < len(page) <= PAGE_SIZE and not set(page) & set(seen)
        seen += page
        pages += 1
    assert len(seen) >= EXTRA_UNITS and pages >= 4
    back = [b for b in nav(message) if "«" in b[0]]
    assert back  # the last page offers the previous one


async def test_unit_keyboards_are_paged(sim):
    add_units(sim)
    sent = await sim.send("vanthu", "/donvi")
    await next_page(sim, "vanthu", sent[-1], "unit:menu:")

    sent = await sim.send("vanthu", "/vuongmac")
    sent = await sim.press("vanthu", sent[-1], "Theo đơn vị")
    await next_page(sim, "vanthu", sent[-1], "esc:lst:")

    sent = await sim.send("vanthu", "/moi")
    sent = await sim.press("vanthu", sent[-1], "Trưởng phòng")
    await next_page(sim, "vanthu", sent[-1], "inv:u:")

    sent = await sim.send("vanthu", "/kybaocao")
    sent = await sim.press("vanthu", sent[-1], "1")
    sent = await sim.press("vanthu", sent[-1], "Gia hạn cho đơn vị")
    await next_page(sim, "vanthu", sent[-1], "per:exu:")


async def test_a_page_press_is_rechecked_and_choices_stay_typeable(sim):
    add_units(sim)
    sent = await sim.press_data("khtc", data(Page.UNITS, 1, 0))  # a unit head forging the Office's list
    assert "không có quyền" in sent[-1].text and not sent[-1].buttons
    listed = (await sim.send("vanthu", "/donvi"))[-1]
    await sim.press_data("vanthu", "pg:unit:999999:0", listed)  # beyond the last page: the last page
    last_page = sim.api.messages[(listed.chat_id, listed.message_id)]
    assert 0 < len(item_buttons(last_page)) <= PAGE_SIZE and "»" not in str(last_page.buttons)
    for forged in ("pg:zz:1:0", "pg:unit:x:0", "pg:unit"):
        assert "không còn hiệu lực" in (await sim.press_data("vanthu", forged))[-1].text
    # A numbered list of report choices: paged buttons, and any number can still be typed.
    office = sim.services.people.actor_for("telegram", "1002")
    choices = [f"rep:vp:{p.period_id}" for p in sim.services.periods.list_periods()] * 6
    sim.services.dialogs.set(office.person_id, PICK, {"choices": choices,
                                                      "labels": [f"{n}. Kỳ" for n in range(1, len(choices) + 1)]})
    await sim.press_data("vanthu", data(Page.CHOICES, 1, 0), listed)
    page = sim.api.messages[(listed.chat_id, listed.message_id)]
    assert [b[0] for b in item_buttons(page)] == [f"{n}. Kỳ" for n in range(9, 17)]
    sent = await sim.send("vanthu", str(len(choices)))
    assert "báo cáo của các đơn vị" in sent[-1].text.lower() or "chưa có đơn vị nào" in sent[-1].text.lower()
