"""Vietnamese number input (bot/questionnaire/numbers.py) and the answer parsers built on it."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from bot.domain import DomainError
from bot.questionnaire.model import parse_date, parse_docref, parse_yesno
from bot.questionnaire.numbers import (
    NumberFormatError, parse_amount, parse_decimal, parse_integer, parse_money, parse_percent,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234.567", 1_234_567),
    ("1,5 tỷ", 1_500_000_000),
    ("1.5 tỷ", 1_500_000_000),
    ("250 triệu", 250_000_000),
    ("250tr", 250_000_000),
    ("2 tỷ 300 triệu", 2_300_000_000),
    ("1 tỷ 250 triệu 500 nghìn", 1_250_500_000),
    ("300k", 300_000),
    ("1.234.567 đồng", 1_234_567),
    ("1.234.567đ", 1_234_567),
    ("1.234.567 VNĐ", 1_234_567),
    ("1,5 tỷ đồng", 1_500_000_000),
    ("1 234 567", 1_234_567),
    ("1,234,567", 1_234_567),
    ("12.500", 12_500),
    ("0", 0),
    ("2 TỶ", 2_000_000_000),
])
def test_money(text, expected):
    assert parse_money(text) == expected


def test_money_from_decomposed_unicode():
    assert parse_money(unicodedata.normalize("NFD", "1,5 tỷ")) == 1_500_000_000
    assert parse_money(unicodedata.normalize("NFD", "250 triệu đồng")) == 250_000_000


@pytest.mark.parametrize(("text", "expected"), [
    ("80,5", Decimal("80.5")), ("80.5", Decimal("80.5")), ("1.234,5", Decimal("1234.5")),
    ("1,234.5", Decimal("1234.5")), ("1 234,5", Decimal("1234.5")), ("7", Decimal(7)),
])
def test_decimal(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("80%", Decimal(80)), ("80,5", Decimal("80.5")), ("80,5 %", Decimal("80.5")), ("80 phần trăm", Decimal(80)),
    (unicodedata.normalize("NFD", "65 phần trăm"), Decimal(65)),
])
def test_percent(text, expected):
    assert parse_percent(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("1.234", 1234), ("1 234", 1234), ("0", 0)])
def test_integer(text, expected):
    assert parse_integer(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "tỷ", "1 tỷ 2", "300 triệu 2 tỷ", "1..2", "-5", "1,2,3", "1.23.4",
                                  "1.2345.678", "80%", "đ", "mười hai"])
def test_unreadable_amounts(text):
    with pytest.raises(NumberFormatError):
        parse_amount(text)


def test_integer_refuses_fractions():
    with pytest.raises(NumberFormatError):
        parse_integer("12,5")


def test_dates_and_document_references():
    assert parse_date("15/01/2026").isoformat() == "2026-01-15"
    assert parse_date("15-1-26").isoformat() == "2026-01-15"
    assert parse_date("ngày 15 tháng 1 năm 2026").isoformat() == "2026-01-15"
    assert parse_date("2026-01-15").isoformat() == "2026-01-15"
    for bad in ("31/02/2026", "hôm qua", "15/13/2026"):
        with pytest.raises(DomainError):
            parse_date(bad)
    assert parse_docref("15/KH-SKHCN") == "15/KH-SKHCN"
    assert parse_docref("số 15/kh-skhcn") == "15/KH-SKHCN"
    assert parse_docref("09/2019/nđ-cp") == "09/2019/NĐ-CP"
    for bad in ("KH-SKHCN", "15", "mười lăm"):
        with pytest.raises(DomainError):
            parse_docref(bad)


def test_yes_no_words():
    assert parse_yesno("Có") is True and parse_yesno(unicodedata.normalize("NFD", "có")) is True
    assert parse_yesno("không") is False and parse_yesno("ko") is False and parse_yesno("2") is False
    assert parse_yesno("có lẽ") is None
    assert parse_yesno("Vâng") is True and parse_yesno("vâng ạ") is True  # the polite yes a head types
    assert parse_yesno("Không ạ") is False and parse_yesno("chưa có") is False
