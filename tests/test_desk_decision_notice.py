"""A decision taken on the desk says the unit was told only when a notice was queued for someone in it."""

from __future__ import annotations


import pytest
from sqlmodel import select

from storage.models import Person
from tests.desk_http import signed_in
from tests.desk_site import DeskSite
from tests.report_helpers import fill, submit
from tests.world import period_id


def submitted(site: DeskSite, key: str) -> int:
    services = site.sim.services
    head = site.actor(key)
    pid = period_id(services, "2026-Y")
    return site.run(lambda: submit(services, head, fill(services, head, services.reports.open(head, pid)))).ref.report_id


def unreachable(site: DeskSite, key: str) -> None:
    """Everyone of the persona's unit loses every chat: the assistant can tell none of them."""
    unit_id = site.actor(key).unit_id
    with site.sim.services.db.session() as session:
        for person in session.exec(select(Person).where(Person.unit_id == unit_id)):
            person.telegram_id, person.zalo_id = None, None
            session.add(person)
        session.commit()


@pytest.mark.parametrize("decision", ["accept", "return"])
def test_the_desk_says_the_unit_was_told_only_when_it_was(site, decision):  # noqa: ANN001
    office = signed_in(site, "vanthu")
    told = submitted(site, "khtc")
    response = office.post(f"/desk/reports/{told}/{decision}", {"version": "1", "comment": "Đề nghị bổ sung số liệu."})
    assert response.status_code == 303 and "untold" not in response.headers["location"]
    assert "đã thông báo cho phòng, đơn vị" in office.get(response.headers["location"]).text

    nobody = submitted(site, "qlkh")
    unreachable(site, "qlkh")
    response = office.post(f"/desk/reports/{nobody}/{decision}", {"version": "1", "comment": "Đề nghị bổ sung số liệu."})
    assert response.status_code == 303 and response.headers["location"].endswith("-untold")
    page = office.get(response.headers["location"]).text
    assert "Không ai trong phòng, đơn vị nhận được tin" in page and "đã thông báo cho phòng" not in page
