"""Text from phones: normalised to NFC, trimmed, bounded."""

from __future__ import annotations

import re
import unicodedata

TELEGRAM_TEXT_LIMIT = 4096
_SPACES = re.compile(r"[ \t\u00a0]+")


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC (phones may send decomposed letters)."""
    return unicodedata.normalize("NFC", text)


def clean_line(text: str) -> str:
    """NFC, single spaces, no surrounding blanks: for names and short answers."""
    return _SPACES.sub(" ", nfc(text)).strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive key for matching typed words ("Có" == "co")."""
    decomposed = unicodedata.normalize("NFD", nfc(text).casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


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
