"""Vietnamese wording and number formats of the official documents, whatever the requester's language."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal

from bot.contracts import COMMENDATION_FORMS, EMULATION_TITLES
from bot.i18n import I18n
from bot.periods import PHASES, PeriodKind

if TYPE_CHECKING:  # the services package imports this module: no import cycle at run time
    from bot.services.periods.base import PeriodInfo

PROVINCE = "UBND TỈNH QUẢNG NGÃI"
AGENCY = "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
AGENCY_NAME = "Sở Khoa học và Công nghệ"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SYMBOL = "/BC-SKHCN"
PLACE = "Quảng Ngãi"
SIGNER = "GIÁM ĐỐC"


@cache
def _forms() -> dict[str, str]:
    """The titles of emulation and forms of commendation (plan section III.2) in Vietnamese, from the catalog."""
    vietnamese = I18n("vi").get("vi")
    return {code: vietnamese.gettext(label) for code, label in {**EMULATION_TITLES, **COMMENDATION_FORMS}.items()}


TARGET_KINDS = {"collective": "Tập thể", "individual": "Cá nhân"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def form_name(code: str) -> str:
    return _forms().get(code, code or "Hình thức khác")


def number(value: int | float, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale="vi")


def money(amount: int) -> str:
    """"1.234.567 đồng"."""
    return number(amount) + " đồng"


def pct(value: float | None) -> str:
    """"85,3%" (one decimal, decimal comma); "-" when there is nothing to divide by."""
    return "-" if value is None else number(value, 1) + "%"


def short_date(value: date | None) -> str:
    """A day as the document prints it (a moment is first read in the configured zone by its caller)."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def long_date(value: date) -> str:
    return f"ngày {value.day} tháng {value.month} năm {value.year}"


def period_phrase(period: PeriodInfo) -> str:
    """What follows the movement's name in the title: "6 tháng đầu năm 2026", "năm 2026", a phase review."""
    if period.kind == PeriodKind.SIX_MONTH:
        return f"6 tháng đầu năm {period.year}"
    if period.kind == PeriodKind.ANNUAL:
        return f"năm {period.year}"
    first, last = PHASES.get(period.phase, (period.year, period.year))
    review = "sơ kết" if period.phase == 1 else "tổng kết"
    return f"{review} giai đoạn {period.phase} ({first} - {last})"


def value_text(value: Any) -> str:
    """Any answer as Vietnamese prose: yes/no, numbers, dates, choices, attachments, repeatable groups."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return number(value, 2)
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        return f"{match[3]}/{match[2]}/{match[1]}" if match else value.strip()
    if isinstance(value, dict):
        if "file_id" in value or "file_name" in value:
            return f"tệp đính kèm “{value.get('file_name') or 'không tên'}”"
        return " - ".join(t for t in (value_text(v) for v in value.values()) if t)
    if isinstance(value, list):
        parts = [value_text(v) for v in value]
        separator = "; " if any(isinstance(v, dict) for v in value) else ", "
        return separator.join(p for p in parts if p)
    return str(value)
