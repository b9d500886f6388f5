"""Nobody reviews their own unit's report: the head of the Office's own unit submits, another Office member accepts or
returns it; with nobody else in the Office, the Director does. The rule is the service's (chat and desk alike)."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx
import pytest

from bot.domain import DomainError, PermissionDenied, Role
from bot.services.reports.review import OWN_UNIT
from tests.desk_site import DeskSite
from tests.report_helpers import fill, person, submit
from tests.world import office, period_id


def _submitted(services, actor):  # noqa: ANN001, ANN202
    return submit(services, actor, fill(services, actor, services.reports.open(actor, period_id(services)))).ref


def test_the_office_head_cannot_review_her_own_unit_report(services):  # noqa: ANN001
    head = person(services, "Trần Thị Mai", Role.UNIT_HEAD, "hcth", "1001")
    deputy = person(services, "Phan Văn Phó", Role.DEPUTY, "hcth", "1013")
    staff = office(services)
    director = person(services, "Hoàng Văn Quang", Role.DIRECTOR, None, "1011")
    ref = _submitted(services, head)
    reports = services.reports
    for who in (head, deputy):  # the submitter, and a head of the same unit
        assert not reports.can_review(who, ref.report_id, ref.version)
        with pytest.raises(DomainError) as refused:
            reports.accept(who, ref.report_id, ref.version)
        assert refused.value.message == OWN_UNIT
        with pytest.raises(DomainError):
            reports.return_for_revision(who, ref.report_id, ref.version, "Tự trả lại")
        with pytest.raises(DomainError):
            reports.check_reviewable(who, ref.report_id, ref.version)
    with pytest.raises(PermissionDenied):  # the Office can: the Director does not step in
        reports.accept(director, ref.report_id, ref.version)
    assert reports.reviewer_ids(ref.report_id, ref.version) == [staff.person_id]
    assert reports.can_review(staff, ref.report_id, ref.version)
    assert reports.accept(staff, ref.report_id, ref.version).reviewer == staff.full_name
    # The Office's head still reviews the other units' reports.
    other = _submitted(services, person(services, "Nguyễn Văn An", Role.UNIT_HEAD, "khtc", "1003"))
    assert reports.can_review(head, other.report_id, other.version)
    reports.return_for_revision(head, other.report_id, other.version, "Đề nghị bổ sung số liệu")


def test_with_nobody_else_in_the_office_the_director_reviews(services):  # noqa: ANN001
    head = person(services, "Trần Thị Mai", Role.UNIT_HEAD, "hcth", "1001")
    director = person(services, "Hoàng Văn Quang", Role.DIRECTOR, None, "1011")
    deputy_director = person(services, "Lý Thị Ngọc", Role.DEPUTY_DIRECTOR, None, "1012")
    ref = _submitted(services, head)
    reports = services.reports
    assert reports.reviewer_ids(ref.report_id, ref.version) == []
    assert not reports.can_review(head, ref.report_id, ref.version)
    assert not reports.can_review(deputy_director, ref.report_id, ref.version)
    with pytest.raises(PermissionDenied):
        reports.accept(deputy_director, ref.report_id, ref.version)
    assert reports.can_review(director, ref.report_id, ref.version)
    assert reports.accept(director, ref.report_id, ref.version).reviewer == director.full_name
    other = _submitted(services, person(services, "Nguyễn Văn An", Role.UNIT_HEAD, "khtc", "1003"))
    with pytest.raises(PermissionDenied):  # another unit's report: the Office's head reviews it, not the Director
        reports.accept(director, other.report_id, other.version)


async def test_the_submission_notice_offers_the_decision_only_to_those_who_may_take_it(sim):  # noqa: ANN001
    """In the chat: the Office's head gets the notice of her own report without Accept / Return; the Office's staff
    member gets them. A forged Accept from her is refused and changes nothing."""
    head = sim.services.people.actor_for("telegram", str(sim.personas["hcth"].user_id))
    fill(sim.services, head, sim.services.reports.open(head, period_id(sim.services)))
    await sim.send("hcth", "/baocao")  # the filled report opens at its review: sent from the chat
    await sim.send("hcth", "gửi")
    await sim.send("hcth", "xác nhận")
    notices = {key: [m for m in sim.api.outbox if m.chat_id == sim.personas[key].user_id
                     and m.text.startswith("Kính gửi") and "phiên bản 1" in m.text] for key in ("hcth", "vanthu")}
    head_notice, staff_notice = notices["hcth"], notices["vanthu"]
    assert len(head_notice) == 1 and len(staff_notice) == 1
    assert [label for label, _d in head_notice[0].flat_buttons] == ["Xem đầy đủ"]
    assert "Đây là báo cáo của chính đơn vị đồng chí" in head_notice[0].text
    assert any("rep:acc:" in d for _l, d in staff_notice[-1].flat_buttons)
    accept = staff_notice[-1].button_data("Tiếp nhận")
    sent = await sim.press_data("hcth", accept)
    assert sent[-1].text.startswith("Báo cáo của một đơn vị do người ngoài đơn vị đó xem xét")
    report_id = int(accept.split(":")[2])
    sent = await sim.press_data("hcth", f"rep:v:{report_id}:1")
    assert all("rep:acc:" not in d for _l, d in sent[-1].flat_buttons)
    sent = await sim.press_data("hcth", f"rep:ret:{report_id}:1")
    assert sent[-1].text.startswith("Báo cáo của một đơn vị do người ngoài đơn vị đó xem xét")
    sent = await sim.press_data("vanthu", accept)
    assert "Đã tiếp nhận" in sent[0].text or "tiếp nhận" in sent[0].text


def test_the_desk_refuses_her_decision_on_her_own_report(settings, db, clock):  # noqa: ANN001
    site = DeskSite(settings, db, clock)
    try:
        services, sim = site.sim.services, site.sim

        def setup() -> int:
            head = services.people.actor_for("telegram", str(sim.personas["hcth"].user_id))
            return _submitted(services, head).report_id

        report_id = site.run(setup)
        client = httpx.Client(base_url=site.base, follow_redirects=False, timeout=30)
        link = site.link_for("hcth")
        assert client.post("/desk/login", data={"link": urlparse(link).path.rsplit("/", 1)[1]}).status_code == 303
        page = client.get(f"/desk/reports/{report_id}")
        assert page.status_code == 200 and f"/desk/reports/{report_id}/accept" not in page.text
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        for decision, data in (("accept", {}), ("return", {"comment": "Tự trả lại"})):
            refused = client.post(f"/desk/reports/{report_id}/{decision}", data={"csrf": csrf, "version": "1", **data})
            assert refused.status_code == 409 and "người ngoài đơn vị đó" in refused.text, decision
        view = site.run(lambda: services.reports.notice(report_id, 1))
        assert view.shown.review_state == "submitted"
    finally:
        site.stop()

