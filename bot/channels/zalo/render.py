"""Plain-text forms of what Zalo cannot show: buttons become numbered lines, long texts become several messages
of at most 2,000 characters, and files become links (or a note saying where to get them).

Pure functions over channel-neutral input (labels and callback data, text, file name and bytes): no Telegram, no
database, no network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.i18n import Translator
from bot.text import fold, utf16_length

ZALO_TEXT_LIMIT = 2000  # counted in UTF-16 units (`size_of`)
size_of = utf16_length
_OWN_NUMBER = re.compile(r"^\s*(\d{1,3})[.)]\s+")


@dataclass(frozen=True)
class MenuItem:
    """One button: a choice (`data`, pressed by typing its number) or a link (`url`, shown as text)."""

    label: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class RenderedMenu:
    """The text to send, and the callback data behind each typed number (from `first`; empty when not numbered)."""

    text: str
    choices: list[str] = field(default_factory=list)
    first: int = 1  # the number of the first choice (above 1: numbered on from a menu still being answered)


def as_items(rows: Sequence[Sequence[MenuItem | tuple[str, str]]]) -> list[MenuItem]:
    """Rows of buttons flattened in reading order; (label, data) pairs accepted."""
    return [item if isinstance(item, MenuItem) else MenuItem(item[0], item[1]) for row in rows for item in row]


def _label(label: str, number: int) -> str:
    """The label without a leading number equal to its own ("3. Báo cáo năm" at place 3 -> "Báo cáo năm")."""
    match = _OWN_NUMBER.match(label)
    return label[match.end():] if match and int(match.group(1)) == number else label.strip()


def menu_lines(items: Sequence[MenuItem], numbered: bool, first: int = 1) -> tuple[list[str], list[str]]:
    """The lines for the buttons, and the data of each numbered line.

    Numbered: "1. Label" (from `first`). Not numbered (a typed answer is pending, so a number would answer the
    question): the labels as a list of words the person may type. Links are always "Label: URL".
    """
    lines: list[str] = []
    choices: list[str] = []
    for item in items:
        if item.url:
            lines.append(f"{item.label.strip()}: {item.url}")
        elif item.data is None:
            continue
        elif numbered:
            choices.append(item.data)
            number = first - 1 + len(choices)
            if item.label.strip() != str(number):  # a bare "3" points at line 3 of the text: "3. 3" says nothing
                lines.append(f"{number}. {_label(item.label, number)}")
        else:
            label = item.label.strip()
            lines.append(label if _OWN_NUMBER.match(label) else f"- {label}")
    return lines, choices


def _already_listed(line: str, text: str) -> bool:
    """A numbered option the question already lists (its toggle button, perhaps shortened with "…"), or a word the
    text already offers as a numbered line: on Zalo the person types that number, so the second copy only lengthens
    the message. A marked one ("✅ 2. …") stays."""
    if line.startswith("- "):  # a word to type that the text already offers as a numbered line ("0. Xuất …")
        word = line[2:].strip().removesuffix("…")
        offered = [_OWN_NUMBER.sub("", own, count=1).strip() for own in text.splitlines() if _OWN_NUMBER.match(own)]
        # the same words, or the start of a longer line whose label was cut for the button
        return any(content == word or len(word) >= 12 and content.startswith(word) for content in offered)
    if not _OWN_NUMBER.match(line):
        return False
    shown = line.removesuffix("…")
    return any(own.strip().startswith(shown) for own in text.splitlines())


def _quoted(word: str, text: str) -> bool:
    """Whether the text already tells the person to type `word` ("gõ \"quay lại\"", "(lưu và thoát)")."""
    folded, said = fold(word), fold(text)
    return any(f"{left}{folded}{right}" in said for left, right in (('"', '"'), ("“", "”"), ("(", ")")))


def _words_in_one_line(tr: Translator, lines: list[str], text: str) -> list[str]:
    """The words a person may type, in one short line after the text ("Gõ: Quay lại · Bỏ qua"), without
    those the text already names in quotes: on Zalo each question would otherwise end with the same list of
    three or four lines, message after message (the instructions are said once, in the first question's text)."""
    words = [line[2:].strip() for line in lines if line.startswith("- ")]
    kept = [word for word in words if not _quoted(word, text)]
    others = [line for line in lines if not line.startswith("- ")]
    if not kept:
        return others
    return [*others, tr.gettext("Type: {words}").format(words=" · ".join(kept))]


def numbers_itself(items: Sequence[MenuItem], text: str) -> bool:
    """Whether a menu's numbers are tied to the text or labels ("1. Sáu tháng", a bare "2" pointing at line 2 of
    the text): such a menu is always numbered from 1."""
    return any(_OWN_NUMBER.match(item.label) or item.label.strip().isdigit() for item in items) or any(
        _OWN_NUMBER.match(line) for line in text.splitlines())


def render_menu(tr: Translator, text: str, rows: Sequence[Sequence[MenuItem | tuple[str, str]]],
                numbered: bool = True, first: int = 1) -> RenderedMenu:
    """A message with buttons as one plain text: the text, the numbered choices (from `first`, unless the menu
    numbers itself), and how to choose."""
    items = as_items(rows)
    if first > 1 and (not numbered or numbers_itself(items, text)):
        first = 1
    lines, choices = menu_lines(items, numbered, first)
    if not numbered:
        lines = _words_in_one_line(tr, [line for line in lines if not _already_listed(line, text)], text)
    if not lines:
        return RenderedMenu(text)
    parts = [text.rstrip(), "", *lines] if text.strip() else list(lines)
    if choices:
        parts.append(tr.gettext("Type a number to choose."))
    return RenderedMenu("\n".join(parts), choices, first)


def _cut_word(word: str, limit: int) -> list[str]:
    """A single word longer than `limit`, cut into pieces, never between two digits unless it is all digits."""
    pieces: list[str] = []
    while size_of(word) > limit:
        cut = _longest_prefix(word, limit)
        while cut > 1 and word[cut - 1].isdigit() and word[cut].isdigit():
            cut -= 1
        if cut <= 1:
            cut = _longest_prefix(word, limit)
        pieces.append(word[:cut])
        word = word[cut:]
    return pieces + [word]


def _longest_prefix(word: str, limit: int) -> int:
    """How many characters of `word` fit in `limit` as Zalo counts (at least one)."""
    units = 0
    for index, ch in enumerate(word):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return max(index, 1)
    return len(word)


def _fit_line(line: str, limit: int) -> list[str]:
    """A line longer than `limit` split at spaces (numbers and words stay whole)."""
    if size_of(line) <= limit:
        return [line]
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        for part in _cut_word(word, limit) if size_of(word) > limit else [word]:
            candidate = f"{current} {part}" if current else part
            if size_of(candidate) <= limit:
                current = candidate
            else:
                out.append(current)
                current = part
    if current:
        out.append(current)
    return out


def split_text(text: str, limit: int = ZALO_TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters as Zalo counts them (UTF-16 units: `size_of`), filled greedily (each Zalo message counts against the quota), cut
    between lines, at a blank line when one falls in the second half of a piece; a line longer than `limit` is
    cut between words. No piece is empty or starts or ends with blank lines."""
    text = text.strip("\n")
    if size_of(text) <= limit:
        return [text] if text.strip() else []
    pieces: list[str] = []
    current: list[str] = []

    def size(lines: list[str]) -> int:
        return sum(size_of(line) for line in lines) + max(len(lines) - 1, 0)

    def flush(lines: list[str]) -> None:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            pieces.append(body)

    for line in text.split("\n"):
        for part in _fit_line(line, limit):
            if current and size(current) + 1 + size_of(part) > limit:
                blank = max((i for i, kept in enumerate(current) if not kept.strip()), default=-1)
                if blank >= len(current) // 2 and blank > 0:
                    flush(current[:blank])
                    current = current[blank + 1:]
                    if current and size(current) + 1 + size_of(part) > limit:
                        flush(current)
                        current = []
                else:
                    flush(current)
                    current = []
            current.append(part)
    flush(current)
    return pieces


@dataclass(frozen=True)
class OutgoingFile:
    """A file the bot would send as a document or photo: its name, content, and who it is for."""

    name: str
    content: bytes
    chat_id: int  # the (stand-in) chat id it is sent to
    kind: str = "document"  # or "photo"


class LinkProvider(Protocol):
    """Turns a file into a short-lived link the recipient can open, or None when the bot has no public address."""

    def link_for(self, file: OutgoingFile) -> str | None: ...


class NoLinks:
    """No public HTTPS address configured: no links, so the person is told where to get the file."""

    def link_for(self, file: OutgoingFile) -> str | None:
        return None


def file_text(tr: Translator, name: str, url: str | None, caption: str = "") -> str:
    """What a Zalo user reads instead of a document: the caption, then the link or where to get the file."""
    if url:
        note = tr.gettext("File \"{name}\": {link}\nThe link is for you only and works for a short time; "
                          "please do not forward it.").format(name=name, link=url)
    else:
        note = tr.gettext("The file \"{name}\" cannot be sent on Zalo. Please get it in your Telegram chat with "
                          "this assistant, or from the Administration Office.").format(name=name)
    return f"{caption.rstrip()}\n\n{note}" if caption.strip() else note


def stale_menu_text(tr: Translator, reason: str, menu_text: str) -> str:
    """The answer to a number that cannot be applied safely: why, then the current menu's choices again (only its
    numbered lines: the person has just received the whole message, and each Zalo message costs quota)."""
    if reason == "ambiguous":
        note = tr.gettext("A newer list has reached you since. To avoid a mistake, please choose again from it:")
    else:
        note = tr.gettext("That number is not in the current list. Please choose from it again:")
    choices = [line for line in menu_text.splitlines() if _OWN_NUMBER.match(line)]
    shown = "\n".join(choices) if choices else menu_text
    return f"{note}\n\n{shown}" if shown else note
