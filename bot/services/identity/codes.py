"""One-time codes a person can type by hand (Zalo has no deep links) and that still fit a Telegram /start payload.

Twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown in groups of four
("K7QM-4XPD-9HTR"): about 59 bits, single use and short-lived, so guessing is hopeless. Typed codes are
compared after folding case, spaces and hyphens away. At least one letter, so a typed 12-digit amount is
never mistaken for a code.
"""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
TYPED = re.compile(  # the shape of a typed code (the chat routes only such texts to it)
    r"^\s*[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}\s*$")


def new_code() -> str:
    """A fresh code in its display form, e.g. "K7QM-4XPD-9HTR"."""
    while True:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if any(ch.isalpha() for ch in raw):
            return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def canonical(text: str | None) -> str | None:
    """The 12-character form of a typed code ("k7qm 4xpd 9htr" -> "K7QM4XPD9HTR"), or None if it is not one."""
    if not text or len(text) > 40 or not TYPED.match(text):
        return None
    raw = re.sub(r"[\s-]", "", text).upper()
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw) or not any(ch.isalpha() for ch in raw):
        return None
    return raw


# Inside a sentence ("Mã của tôi là k7qm-4xpd-9htr ạ"), only forms a person would copy: three groups of four joined
# by hyphens, or the twelve characters run together with a digit among them. Groups split only by spaces are not
# read inside a sentence ("save tree bags" would be one), only as the whole message.
IN_SENTENCE = re.compile(r"(?<![A-Za-z0-9-])(?:[A-Za-z0-9]{4}\s*-\s*[A-Za-z0-9]{4}\s*-\s*[A-Za-z0-9]{4}|[A-Za-z0-9]{12})"
                          r"(?![A-Za-z0-9-])")


def find_code(text: str | None) -> str | None:
    """The one code a sentence contains, canonical, or None (none, or two different ones: never guess)."""
    if not text or len(text) > 500:
        return None
    found = set()
    for match in IN_SENTENCE.finditer(text):
        written = re.sub(r"\s*-\s*", "-", match.group(0))
        raw = canonical(written)
        if raw is not None and ("-" in written or any(ch.isdigit() for ch in raw)):
            found.add(raw)
    return found.pop() if len(found) == 1 else None


def hash_code(code: str) -> str:
    """What the database keeps: the hash of the canonical form (or of the raw text for older invite links)."""
    return hashlib.sha256((canonical(code) or code).encode("ascii", "ignore")).hexdigest()


def lookup_hashes(code: str) -> list[str]:
    """Hashes to look a code up by: its canonical form, and the raw text of invite links made before."""
    raw = hashlib.sha256(code.encode("ascii", "ignore")).hexdigest()
    return list(dict.fromkeys([hash_code(code), raw]))
