"""Translations (gettext catalogs under locales/) and Babel formatting of dates, numbers and money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from zoneinfo import ZoneInfo

from bot.config import PROJECT_ROOT, Settings

LOCALES_DIR = PROJECT_ROOT / "locales"
SUPPORTED_LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"


_OFFICE: dict[str, str] = {}  # {office} and {office_short} in the catalogs: the Office as the data names it


def _short_office(name: str, short_name: str | None) -> str:
    """"Phòng HC-TH" from "Phòng Hành chính - Tổng hợp" and its short name "HC-TH"."""
    if not short_name:
        return name
    for kind in ("Văn phòng", "Phòng"):  # the unit's own kind word, as the data names it
        if name.startswith(kind + " ") and not short_name.startswith(kind):
            return f"{kind} {short_name}"
    return short_name


def set_office_names(name: str, short_name: str | None = None) -> None:
    """The Administration Office's names, from the organisation data (set when units are loaded or renamed)."""
    _OFFICE.update(office=name, office_short=_short_office(name, short_name))


def office_names() -> dict[str, str]:
    """{"office": full name, "office_short": short name}; before the database says, the organisation file does."""
    if not _OFFICE:
        import yaml  # only once, for translators used before any unit is loaded (tools, tests)

        path = PROJECT_ROOT / "config" / "organization.yaml"
        units = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("units", []) if path.exists() else []
        office = next((u for u in units if u.get("admin_office")), None)
        set_office_names(office["name"], office.get("short_name")) if office else set_office_names(
            "Phòng Hành chính - Tổng hợp", "HC-TH")
    return _OFFICE


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the reader's locale is known."""
    return message


def _load(locale: str, locales_dir: Path) -> Translations:
    """Merge every catalog of a locale (one .po per feature) into one Translations object."""
    merged = Translations()
    for po_path in sorted((locales_dir / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        buffer = BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        merged.merge(Translations(buffer))
    return merged


def _with_office(text: str) -> str:
    """The catalogs name the Office by {office} / {office_short}: other departments call it differently."""
    if "{office" not in text:
        return text
    names = office_names()
    return text.replace("{office_short}", names["office_short"]).replace("{office}", names["office"])


@dataclass(frozen=True)
class Translator:
    """Text and formats for one locale; moments are shown in `tz`, the configured time zone (settings.tz)."""

    locale: str
    translations: Translations
    tz: ZoneInfo = ZoneInfo(Settings.model_fields["timezone"].default)

    def gettext(self, message: str) -> str:
        return _with_office(self.translations.ugettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _with_office(self.translations.ungettext(singular, plural, n))

    def date(self, value: date) -> str:
        """"ngày 24 tháng 11 năm 2026" / "24 November 2026"."""
        if self.locale == "vi":
            return format_date(value, "'ngày' d 'tháng' M 'năm' y", locale="vi")
        return format_date(value, "d MMMM y", locale="en")

    def short_date(self, value: date) -> str:
        return format_date(value, "dd/MM/y", locale=self.locale)

    def datetime(self, value: datetime) -> str:
        """Local time then date: "08:30 24/11/2026"."""
        return format_datetime(value.astimezone(self.tz), "HH:mm dd/MM/y", tzinfo=self.tz, locale=self.locale)

    def time(self, value: datetime) -> str:
        """The local time of a moment: "08:30"."""
        return value.astimezone(self.tz).strftime("%H:%M")

    def local_date(self, value: datetime) -> date:
        """The day a moment falls on in the configured time zone."""
        return value.astimezone(self.tz).date()

    def number(self, value: int | float | Decimal, digits: int = 2) -> str:
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def money(self, amount: int | Decimal) -> str:
        """"1.234.567 đồng" / "1,234,567 VND"."""
        return self.number(amount, digits=0) + (" đồng" if self.locale == "vi" else " VND")

    def percent(self, value: float | Decimal, digits: int = 1) -> str:
        """"80,5%" / "80.5%"."""
        return self.number(value, digits=digits) + "%"


class I18n:
    """All locales, each read once, when first asked for (most people never need English: start-up is faster).

    `tz` is the configured time zone (`I18n.of(settings)` in the composition root, bot.app); the default, the
    settings' default zone, serves tools and tests that have no settings."""

    def __init__(self, default_locale: str = DEFAULT_LOCALE, locales_dir: Path = LOCALES_DIR,
                 tz: ZoneInfo | None = None) -> None:
        self.default_locale = default_locale
        self._dir = locales_dir
        self.tz = tz or Translator.tz
        self._translators: dict[str, Translator] = {}

    def get(self, locale: str | None) -> Translator:
        code = self.pick(locale)
        translator = self._translators.get(code)
        if translator is None:  # two threads may both read it once; either result is the same
            translator = self._translators.setdefault(code, Translator(code, _load(code, self._dir), self.tz))
        return translator

    @classmethod
    def of(cls, settings: Settings) -> I18n:
        """The process's translations: its default language and its configured time zone."""
        return cls(settings.default_locale, tz=settings.tz)

    def warm(self) -> None:
        """Read now what the first updates would otherwise read while someone waits: the default locale's
        catalogs and Babel's data for it (about 10 ms, the first time a number or date is formatted)."""
        from babel import localedata

        self.get(self.default_locale)
        localedata.load(self.default_locale)

    def pick(self, locale: str | None) -> str:
        """A supported locale for a stored or Telegram-reported language code."""
        if locale:
            short = locale.split("-")[0].lower()
            if short in SUPPORTED_LOCALES:
                return short
        return self.default_locale
