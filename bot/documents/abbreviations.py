"""Administrative abbreviations in the units' answers written out for the official report (config/abbreviations.yaml).

Only whole, free-standing forms are replaced: a form touching a letter, a digit, "/", "-", "." or "&" is part of
a word, a number or a document reference ("15/QĐ-UBND") and stays as typed, so numbers and references never change.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.text import nfc

FILE = PROJECT_ROOT / "config" / "abbreviations.yaml"
_BEFORE = r"\w/&.\-"  # characters that make a form part of something longer
_AFTER = r"\w/&\-"  # a full stop after it ends the sentence, unless a letter or digit follows ("v1.2")


@cache
def _table(path: Path = FILE) -> tuple[re.Pattern[str], dict[str, str]] | None:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    full = {nfc(str(form)): nfc(str(entry["full"])) for entry in data.get("abbreviations") or []
            for form in entry.get("forms") or []}
    if not full:
        return None
    forms = sorted(full, key=len, reverse=True)  # "KH vốn ĐTC" before "ĐTC"
    pattern = re.compile(rf"(?<![{_BEFORE}])(?:{'|'.join(re.escape(f) for f in forms)})(?![{_AFTER}]|\.\w)")
    return pattern, full


def expand(text: str, path: Path = FILE) -> str:
    """"Đã gửi vb đề nghị KBNN" -> "Đã gửi văn bản đề nghị Kho bạc Nhà nước"; references and numbers untouched."""
    table = _table(path)
    if table is None or not text:
        return text
    pattern, full = table
    return pattern.sub(lambda m: full[m.group(0)], text)
