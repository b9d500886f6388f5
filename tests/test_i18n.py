"""Every string in the code is translated; dates, numbers and money follow the person's locale; text is NFC."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from bot.catalogs import catalog_entries, missing, used_msgids
from bot.clock import TZ
from bot.i18n import I18n
from bot.text import chunk_text, clean_line, fold, nfc


def test_every_msgid_has_a_vietnamese_translation():
    gaps = missing("vi")
    assert not gaps, "untranslated: " + "; ".join(f"{where}: {msgid!r}" for msgid, where in gaps.items())


def test_english_catalog_lists_every_msgid():
    english = catalog_entries("en")
    assert not [m for m in used_msgids() if m not in english]


def test_vietnamese_translations_keep_placeholders():
    for msgid, text in catalog_entries("vi").items():
        for name in ("{name}", "{n}", "{year}", "{limit}", "{user_id}", "{link}", "{time}"):
            assert (name in msgid) == (name in text), (msgid, text)


def test_vietnamese_formats():
    tr = I18n().get("vi")
    assert tr.date(date(2026, 11, 24)) == "ngày 24 tháng 11 năm 2026"
    assert tr.money(1234567) == "1.234.567 đồng"
    assert tr.percent(80.5) == "80,5%"
    assert tr.number(1.5) == "1,5"
    assert tr.datetime(datetime(2026, 11, 24, 1, 30, tzinfo=TZ)) == "01:30 24/11/2026"


def test_english_formats():
    tr = I18n().get("en")
    assert tr.date(date(2026, 6, 12)) == "12 June 2026"
    assert tr.money(1234567) == "1,234,567 VND"
    assert tr.percent(80.5) == "80.5%"


def test_locale_pick_falls_back_to_vietnamese():
    i18n = I18n()
    assert i18n.pick("en-US") == "en"
    assert i18n.pick("fr") == "vi"
    assert i18n.pick(None) == "vi"


def test_nfc_and_folding():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
    assert decomposed != "Nguyễn Thị Hồng"
    assert nfc(decomposed) == "Nguyễn Thị Hồng"
    assert clean_line(f"  {decomposed}\u00a0 \t ") == "Nguyễn Thị Hồng"
    assert fold("Đồng Ý") == fold("dong y") == "dong y"


def test_chunking_respects_the_limit_and_keeps_everything():
    text = "\n\n".join(f"Đoạn {i}: " + "chữ " * 300 for i in range(10))
    pieces = chunk_text(text, 4096)
    assert all(len(p) <= 4096 for p in pieces) and len(pieces) > 1
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


async def test_nfd_name_from_a_phone_is_stored_as_nfc(sim):
    sent = await sim.send("vanthu", "/moi giamdoc")
    code = sent[-1].text.rsplit("start=", 1)[1].strip()
    name = unicodedata.normalize("NFD", "Hoàng Thị Ngọc Ánh")
    person = sim.add_persona("nfd", 9300, name)
    await sim.send(person, f"/start {code}")
    actor = sim.services.people.actor_for("telegram", "9300")
    assert actor.full_name == "Hoàng Thị Ngọc Ánh"
    assert unicodedata.is_normalized("NFC", actor.full_name)


async def test_nfd_typed_unit_name_matches_existing(sim):
    sent = await sim.send("vanthu", "/donvi them " + unicodedata.normalize("NFD", "Phòng Kế hoạch - Tài chính"))
    assert sent[-1].text == "Đã có phòng, đơn vị mang tên này."
