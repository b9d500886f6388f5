"""One name for each thing (docs/GLOSSARY.md): the Vietnamese catalogs follow the glossary."""

from __future__ import annotations

import re

from bot.catalogs import catalog_entries
from bot.domain import Role
from bot.glossary import role_title, unit_kind
from bot.i18n import I18n

BANNED = {
    r"\bVăn phòng\b": "the Office is Phòng Hành chính - Tổng hợp (short: Phòng HC-TH)",
    r"\bVP\b": "the Office is Phòng Hành chính - Tổng hợp (short: Phòng HC-TH)",
    r"\bbot\b": "the assistant names itself Trợ lý Thi đua",
    r"(?i)\btôi\b": "the assistant names itself Trợ lý Thi đua, never \"tôi\"",
    r"Để đồng chí biết": "translated from English",
    r"Quay lại xem lại|Hạn gia hạn|Nhắc lại tôi|Tệp này không còn": "translated from English",
    r"Trưởng phòng, đơn vị": "a title by the unit's kind (Trưởng phòng / Thủ trưởng đơn vị)",
    r"Đã trình GĐ": "one word per state",
}


def test_vietnamese_catalogs_follow_the_glossary():
    found = [(msgid, text, why) for msgid, text in catalog_entries("vi").items()
             for pattern, why in BANNED.items() if re.search(pattern, text)]
    assert not found, found


def test_titles_follow_the_kind_of_unit():
    vi = I18n().get("vi")
    assert role_title(vi, Role.UNIT_HEAD, "Phòng Kế hoạch - Tài chính") == "Trưởng phòng"
    assert role_title(vi, Role.DEPUTY, "Chi cục Tiêu chuẩn Đo lường Chất lượng") == "Phó Chi cục trưởng"
    assert role_title(vi, Role.UNIT_HEAD, "Trung tâm Ứng dụng và Dịch vụ khoa học công nghệ") == "Giám đốc Trung tâm"
    assert role_title(vi, Role.UNIT_HEAD, "Thanh tra Sở") == "Chánh Thanh tra"
    assert unit_kind("Ban Quản lý dự án") == "unit" and role_title(vi, Role.UNIT_HEAD, "Ban X") == "Thủ trưởng đơn vị"


def test_the_office_is_named_as_the_organisation_data_names_it(services):
    vi = I18n().get("vi")
    office = services.org.office_unit()
    head = services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="7001",
                                      unit_id=office.unit_id)
    before = vi.gettext("The Administration Office cannot be retired: it receives every report.")
    assert before.startswith("Không thể ngừng hoạt động Phòng Hành chính - Tổng hợp")
    try:
        services.org.rename_unit(head, office.unit_id, "Văn phòng Sở")
        after = vi.gettext("The Administration Office cannot be retired: it receives every report.")
        assert after.startswith("Không thể ngừng hoạt động Văn phòng Sở"), after
        assert "{office" not in vi.gettext("With the Office")
    finally:
        services.org.rename_unit(head, office.unit_id, office.name)
    assert vi.gettext("With the Office") == "Chờ Phòng HC-TH xử lý"
