"""Vietnamese number input: "1.234.567", "1,5 tỷ", "250 triệu", "2 tỷ 300 triệu", "80%", "80,5" (pure functions)."""

from __future__ import annotations

import re
import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import TypeVar

from bot.text import fold

# Scale words after a number, compared after `fold` (so "tỷ", "TỶ" and a decomposed "tỷ" all match).
SCALES: dict[str, Decimal] = {
    "ty": Decimal(10) ** 9, "ti": Decimal(10) ** 9,
    "trieu": Decimal(10) ** 6, "tr": Decimal(10) ** 6,
    "nghin": Decimal(10) ** 3, "ngan": Decimal(10) ** 3, "k": Decimal(10) ** 3,
}
CURRENCY_WORDS = ("vnd", "dong", "d")
PERCENT_WORDS = ("%", "phan tram", "percent")
MAX_DIGITS = 40  # more digits than this is not a figure anyone means; the question's `max` refuses what is less
_EXACT = Context(prec=MAX_DIGITS * 2, traps=[InvalidOperation])  # products of scale words stay exact
_TERM = re.compile(r"\s*(\d[\d.,\s]*?)\s*(ty|ti|trieu|tr|nghin|ngan|k)(?![a-z])")


class NumberFormatError(ValueError):
    """The text is not a number this module can read."""


T = TypeVar("T")


def _exact(parse: Callable[[str], T]) -> Callable[[str], T]:
    """Run a parser in an exact decimal context; more than MAX_DIGITS digits is not a readable number."""

    @functools.wraps(parse)
    def wrapper(text: str) -> T:
        if sum(ch.isdigit() for ch in text) > MAX_DIGITS:
            raise NumberFormatError(text)
        with localcontext(_EXACT):
            try:
                return parse(text)
            except InvalidOperation as error:
                raise NumberFormatError(text) from error

    return wrapper


def _strip_currency(key: str) -> str:
    """Drop a trailing "đồng", "đ" or "VNĐ" (already folded)."""
    for word in CURRENCY_WORDS:
        if key.endswith(word) and (len(word) > 1 or key[:-1][-1:].isdigit() or key[:-1].endswith(" ")):
            return key[: -len(word)].rstrip()
    return key


def parse_decimal(text: str) -> Decimal:
    """A plain number in Vietnamese or English notation: "1.234.567", "80,5", "1.234,5", "1,234.5", "1 234"."""
    raw = re.sub(r"\s+", " ", text.strip())
    if not re.fullmatch(r"\d([\d.,\s]*\d)?", raw):
        raise NumberFormatError(text)
    if " " in raw:  # spaces only as thousands separators: "1 234 567", "1 234,5"
        whole, comma, fraction = raw.partition(",")
        if "." in raw or not re.fullmatch(r"\d{1,3}( \d{3})+", whole) or "," in fraction:
            raise NumberFormatError(text)
        return _to_decimal(whole.replace(" ", "") + ("." + fraction if comma else ""), text)
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:  # "1.234,5" (Vietnamese) or "1,234.5" (English): the last mark is the decimal one
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _mark, fraction = raw.rpartition(decimal_mark)
        if decimal_mark in whole or not re.fullmatch(r"\d{1,3}(" + re.escape(thousands) + r"\d{3})*", whole):
            raise NumberFormatError(text)
        return _to_decimal(whole.replace(thousands, "") + "." + fraction, text)
    if dots > 1 or commas > 1:  # "1.234.567" or "1,234,567"
        mark = "." if dots else ","
        if not re.fullmatch(r"\d{1,3}(" + re.escape(mark) + r"\d{3})+", raw):
            raise NumberFormatError(text)
        return _to_decimal(raw.replace(mark, ""), text)
    if dots == 1:
        whole, fraction = raw.split(".")
        if len(fraction) == 3 and whole != "0":  # "12.500" is twelve thousand five hundred in Vietnamese
            return _to_decimal(whole + fraction, text)
        return _to_decimal(raw, text)  # "80.5": a decimal point typed the English way
    return _to_decimal(raw.replace(",", "."), text)  # "1,5" and "1,500": the Vietnamese decimal comma


def _to_decimal(value: str, original: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise NumberFormatError(original) from error


def parse_amount(text: str) -> Decimal:
    """A number with optional scale words and currency: "1,5 tỷ", "250 triệu", "2 tỷ 300 triệu", "1.234.567 đồng"."""
    key = _strip_currency(fold(text).strip())
    if not key:
        raise NumberFormatError(text)
    if not any(word in key for word in SCALES):
        return parse_decimal(key)
    total, position, last_scale = Decimal(0), 0, None
    while position < len(key):
        match = _TERM.match(key, position)
        if match is None:
            raise NumberFormatError(text)  # "1 tỷ 2": a bare number after a scale is ambiguous
        scale = SCALES[match.group(2)]
        if last_scale is not None and scale >= last_scale:
            raise NumberFormatError(text)  # "300 triệu 2 tỷ"
        total += parse_decimal(match.group(1)) * scale
        last_scale, position = scale, match.end()
        if not key[position:].strip():
            break
    return total


@_exact
def parse_money(text: str) -> int:
    """An amount in đồng, rounded to the đồng; never negative."""
    amount = parse_amount(text)
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@_exact
def parse_integer(text: str) -> int:
    """A whole number: "12", "1.234", "1 234"; "12,5" is refused."""
    key = fold(text)
    value = parse_decimal(key) if not any(word in key for word in SCALES) else parse_amount(key)
    if value != value.to_integral_value():
        raise NumberFormatError(text)
    return int(value)


@_exact
def parse_percent(text: str) -> Decimal:
    """A percentage: "80%", "80,5", "80,5 %", "80 phần trăm"."""
    key = fold(text).strip()
    for word in PERCENT_WORDS:
        if key.endswith(word):
            key = key[: -len(word)].strip()
            break
    return parse_decimal(key)
