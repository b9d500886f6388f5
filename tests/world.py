"""The demo world the tests share: the demo people's ids (config/demo_people.yaml), the Office and a unit head
added by hand for service tests, the default periods, and the moments the tests set the clock to."""

from __future__ import annotations

from datetime import datetime

import yaml

from bot.clock import TZ
from bot.domain import Actor, Role
from bot.simulator.harness import DEMO_PEOPLE

_IDS = {entry["key"]: int(entry["id"]) for entry in yaml.safe_load(DEMO_PEOPLE.read_text(encoding="utf-8"))["people"]}
HCTH, VANTHU, KHTC, QLKH = _IDS["hcth"], _IDS["vanthu"], _IDS["khtc"], _IDS["qlkh"]  # vanthu: the Office
TTUD, PHOTTUD, GIAMDOC, PGD = _IDS["ttud"], _IDS["phottud"], _IDS["giamdoc"], _IDS["pgd"]

ANNUAL = "2026-Y"  # open at the tests' clock (Tuesday 24 November 2026)
SIX_MONTH_OPEN = datetime(2027, 6, 3, 9, 0, tzinfo=TZ)  # only "Báo cáo 6 tháng đầu năm 2027" is open


def office(services, unit: str | None = "hcth") -> Actor:  # noqa: ANN001
    """The Office's Lê Văn Hòa (as the demo's vanthu), added directly: for tests without the demo people."""
    found = services.org.find_unit(unit) if unit else None
    return services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id=str(VANTHU),
                                      unit_id=found.unit_id if found else None)


def head(services, unit: str = "khtc") -> Actor:  # noqa: ANN001
    """The unit head Nguyễn Văn An of `unit` (as the demo's khtc), added directly."""
    return services.people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id=str(KHTC),
                                      unit_id=services.org.find_unit(unit).unit_id)


def period_id(services, code: str = ANNUAL) -> int:  # noqa: ANN001
    """The id of the default period `code` ("2026-Y", "2027-H1")."""
    return next(p.period_id for p in services.periods.list_periods() if p.code == code)
