"""Text and numbers from people: normalised to NFC, control characters removed, trimmed, bounded.

This module is the input boundary: every typed text passes `nfc`/`clean_line` before it is stored or compared,
and every typed or button number passes `parse_int`/`parse_id`/`parse_index` (ASCII digits only, bounded to
what the database holds), so no handler calls `int()` or `str.isdigit()` on what a person sent.
"""

from __future__ import annotations

import re
import unicodedata

TELEGRAM_TEXT_LIMIT = 4096
DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER; a larger id crashes session.get/UPDATE there
_SPACES = re.compile(r"[ \t\u00a0]+")
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")  # terminal escape sequences, whole
# C0 and C1 controls (NUL included: PostgreSQL refuses it in text), except tab and newline.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Pictographs and dingbats, and what joins, varies or colours them: at home in a chat, out of place in the
# Department's official documents. Arrows, ©, ™ and the like stay.
_EMOJI = re.compile(r" ?(?:[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0E\uFE0F\u200D\u20E3"
                    r"\U000E0020-\U000E007F])+")
_ASCII_INT = re.compile(r"[0-9]{1,18}")


def nfc(text: str) -> str:
    """`text` in Unicode NFC (phones may send decomposed letters), without control characters or NUL."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROLS.sub("", _ANSI.sub("", text)))


def without_emoji(text: str) -> str:
    """`text` for an official document: emoji removed with the space before each ("Số hóa hồ sơ 📁" -> "Số hóa
    hồ sơ"); a text without any is returned as it is."""
    if not _EMOJI.search(text):
        return text
    result = _EMOJI.sub("", text)
    return result if text[:1].isspace() else result.lstrip()


def meaningful(text: str) -> bool:
    """True when `text` has at least one letter or digit: not only spaces, invisible marks, emoji or punctuation."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in nfc(text))


def parse_int(text: str | None, low: int = 0, high: int = DB_INT_MAX) -> int | None:
    """A whole number typed or carried in button data: ASCII digits only ("²", "①", "1_0", "-1" are not), in
    low..high; None otherwise."""
    if text is None:
        return None
    key = text.strip()
    if not _ASCII_INT.fullmatch(key):
        return None
    value = int(key)
    return value if low <= value <= high else None


def parse_id(text: str | None) -> int | None:
    """A database id, "12" or "#12": 1..2^31-1, or None."""
    return parse_int(text.strip().lstrip("#") if text else text, low=1)


def parse_index(text: str | None, count: int) -> int | None:
    """A 1-based position in a list of `count` items ("2", "2."), or None."""
    return parse_int(text.strip().rstrip(".") if text else text, low=1, high=count)


def clean_line(text: str) -> str:
    """NFC, single spaces, no surrounding blanks: for names and short answers."""
    return _SPACES.sub(" ", nfc(text)).strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive key for matching typed words ("Có" == "co")."""
    decomposed = unicodedata.normalize("NFD", nfc(text).casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def utf16_length(text: str) -> int:
    """The length as Zalo's limits count it. The platform says "2,000 characters" without saying which; its clients
    are JavaScript and Java, which count UTF-16 code units, the stricter reading (an emoji is two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def chunk_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split a long text into pieces under `limit`, preferring paragraph, then line, boundaries."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        pieces.append(rest)
    return pieces
