"""Shared by the report tests: people, and filling in a whole report through the service."""

from __future__ import annotations

from typing import Any

from bot.domain import Actor, Role
from bot.questionnaire.model import QType
from bot.services import Services
from bot.services.reports.base import Mode, Screen
from bot.services.reports.typing import type_until_review

TYPED_DEFAULTS = {QType.TEXT: "Đã triển khai theo kế hoạch.", QType.YESNO: "không", QType.SINGLE: "1",
                  QType.MULTI: "1", QType.INTEGER: "3", QType.MONEY: "100 triệu", QType.PERCENT: "60",
                  QType.DATE: "15/01/2026", QType.DOCREF: "15/KH-SKHCN"}
FILE = {"file_id": "FILE1", "file_name": "chuong-trinh.pdf", "mime_type": "application/pdf", "size": 20480,
        "kind": "document"}


def person(services: Services, name: str, role: Role, unit_code: str | None, telegram_id: str) -> Actor:
    unit = services.org.find_unit(unit_code) if unit_code else None
    return services.people.add_person(full_name=name, role=role, telegram_id=telegram_id,
                                      unit_id=unit.unit_id if unit else None)


def fill(services: Services, actor: Actor, screen: Screen, typed: dict[str, Any] | None = None,
         groups: dict[str, list[list[str]]] | None = None) -> Screen:
    """Answer every question up to the review: `typed` by question id, `groups` as entries of typed fields."""
    return type_until_review(services.reports, actor, screen, typed=typed or {}, groups=groups or {},
                             defaults=TYPED_DEFAULTS, file=FILE)


def submit(services: Services, actor: Actor, screen: Screen) -> Screen:
    screen = services.reports.type_text(actor, screen.ref.report_id, screen.ref.step, "gửi")
    assert screen.mode == Mode.CONFIRM, screen
    return services.reports.type_text(actor, screen.ref.report_id, screen.ref.step, "xác nhận")
