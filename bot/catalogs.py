"""Catalog upkeep: which msgids the code uses, which the catalogs lack, and merging new translations.

    python -m bot.catalogs missing                # msgids in the code without a Vietnamese translation
    python -m bot.catalogs add <domain> <file>    # merge {"English msgid": "Vietnamese text"} (JSON) into
                                                  # locales/vi|en/LC_MESSAGES/<domain>.po
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.config import PROJECT_ROOT
from bot.i18n import LOCALES_DIR, SUPPORTED_LOCALES

SOURCE_DIRS = ("bot", "handlers")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# Python sources, and the desk's Jinja2 templates (bot/web/templates: `{{ _("...") }}`).
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]


def used_msgids() -> dict[str, str]:
    """Every msgid in the source, with one place it is used."""
    found: dict[str, str] = {}
    for folder in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / folder, method_map=METHODS, keywords=KEYWORDS
        ):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def catalog_entries(locale: str) -> dict[str, str]:
    """msgid -> msgstr over all catalogs of a locale (plural entries by their singular)."""
    entries: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if not message.id:
                    continue
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                value = message.string[0] if isinstance(message.string, tuple) else message.string
                entries[key] = value or ""
    return entries


def missing(locale: str = "vi") -> dict[str, str]:
    """Msgids used in the code that `locale` does not translate (English may keep msgstr empty)."""
    entries = catalog_entries(locale)
    return {m: where for m, where in used_msgids().items()
            if m not in entries or (locale == "vi" and not entries[m])}


def add(domain: str, translations: dict[str, str]) -> None:
    """Merge Vietnamese translations into <domain>.po, and the same msgids into the English catalog."""
    for locale in SUPPORTED_LOCALES:
        path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
        else:
            catalog = Catalog(locale=locale, domain=domain, project="Trợ lý Thi đua", version="1",
                              copyright_holder="Sở KH&CN Quảng Ngãi", msgid_bugs_address="hcth",
                              last_translator="Trợ lý Thi đua team", language_team=locale, charset="utf-8",
                              fuzzy=False)
        for msgid, vietnamese in translations.items():
            catalog.add(msgid, vietnamese if locale == "vi" else "")
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, sort_output=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["missing"]:
        gaps = missing("vi")
        for msgid, where in sorted(gaps.items(), key=lambda item: item[1]):
            print(f"{where}\t{json.dumps(msgid, ensure_ascii=False)}")
        print(f"{len(gaps)} missing", file=sys.stderr)
        return 1 if gaps else 0
    if len(argv) == 3 and argv[0] == "add":
        add(argv[1], json.loads(Path(argv[2]).read_text(encoding="utf-8")))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
