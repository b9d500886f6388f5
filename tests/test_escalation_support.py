"""Shared people and helpers for the escalation tests (imported by the other test_escalation_* modules)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.domain import Actor, Role
from bot.services import Services
from bot.services.escalations.core import EscalationView


@dataclass
class Cast:
    head: Actor  # unit head of Phòng Kế hoạch - Tài chính
    deputy: Actor  # its deputy head
    other_head: Actor  # head of another unit
    office: Actor
    office2: Actor
    director: Actor
    pgd: Actor
    pgd2: Actor


def make_cast(services: Services) -> Cast:
    people, org = services.people, services.org
    khtc, qlkh, hcth = org.find_unit("khtc").unit_id, org.find_unit("qlkh").unit_id, org.find_unit("hcth").unit_id
    add = people.add_person
    return Cast(
        head=add(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id="2001", unit_id=khtc),
        deputy=add(full_name="Trần Văn Bình", role=Role.DEPUTY, telegram_id="2002", unit_id=khtc),
        other_head=add(full_name="Phạm Thị Lan", role=Role.UNIT_HEAD, telegram_id="2003", unit_id=qlkh),
        office=add(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="2004", unit_id=hcth),
        office2=add(full_name="Đỗ Thị Hà", role=Role.OFFICE, telegram_id="2005", unit_id=hcth),
        director=add(full_name="Hoàng Văn Quang", role=Role.DIRECTOR, telegram_id="2006"),
        pgd=add(full_name="Lý Thị Ngọc", role=Role.DEPUTY_DIRECTOR, telegram_id="2007"),
        pgd2=add(full_name="Vũ Văn Khánh", role=Role.DEPUTY_DIRECTOR, telegram_id="2008"),
    )


@pytest.fixture
def cast(services: Services) -> Cast:
    return make_cast(services)


def raise_one(services: Services, who: Actor, title: str = "Giải ngân vốn chậm",
              urgent: bool = False) -> EscalationView:
    view, created = services.escalations.raise_item(
        who, title=title, description="Dự án chưa được phân bổ vốn; đề nghị điều chỉnh kế hoạch.", urgent=urgent)
    assert created
    return view


def test_cast_roles(services: Services, cast: Cast) -> None:
    assert cast.office.is_office and cast.director.is_director and cast.pgd.is_deputy_director
    assert cast.head.acts_for(cast.head.unit_id) and not cast.other_head.acts_for(cast.head.unit_id)
