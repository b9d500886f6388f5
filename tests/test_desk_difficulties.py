"""Desk page 4, difficulties: the filters and the forms as plain functions, then the pages and actions over HTTP
against the real server: the same service calls as the chat's buttons, audited, and the people told in chat."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.contracts import EscalationState as S
from bot.domain import Role
from bot.web.pages.difficulties import Filters, action_forms
from storage.models import AuditLog
from tests.desk_http import signed_in
from tests.desk_site import DeskSite


def raised(site: DeskSite, key: str, title: str, urgent: bool = False) -> int:
    """A unit head raises a difficulty through the chat's service."""
    actor = site.actor(key)
    view, _new = site.run(lambda: site.sim.services.escalations.raise_item(
        actor, title=title, description=f"Mô tả {title}", urgent=urgent))
    return view.item_id


def query(values: dict[str, str]):  # noqa: ANN201
    return lambda name, default="": values.get(name, default)


def test_filters_read_from_the_address_and_forgive_nonsense():
    assert Filters.read(query({})) == Filters()
    odd = Filters.read(query({"state": "<script>", "unit": "²", "holder": "x", "overdue": "yes"}))
    assert odd == Filters()
    chosen_filters = Filters.read(query({"state": "forwarded", "unit": "3", "holder": "director", "overdue": "1"}))
    assert chosen_filters == Filters("forwarded", 3, "director", True)
    assert Filters(holder="office").states() == (S.NEW, S.WITH_OFFICE)
    assert Filters(state="forwarded", holder="office").states() == ()
    assert Filters(state="all").states() == tuple(S)
    assert Filters(state="closed").states() == (S.CLOSED,)
    assert Filters("closed", 3, "", True).query(state="all") == "?state=all&unit=3&overdue=1"


def test_each_person_is_offered_the_actions_the_chat_offers_them(services):
    unit = services.org.find_unit("qlkh")
    head = services.people.add_person(full_name="Nguyễn Văn Một", role=Role.UNIT_HEAD, telegram_id="8001",
                                      unit_id=unit.unit_id)
    office = services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="8002",
                                        unit_id=services.org.office_unit().unit_id)
    director = services.people.add_person(full_name="Hoàng Văn Quang", role=Role.DIRECTOR, telegram_id="8003")
    deputy = services.people.add_person(full_name="Lý Thị Ngọc", role=Role.DEPUTY_DIRECTOR, telegram_id="8004")
    other = services.people.add_person(full_name="Mạc Thị Hai", role=Role.DEPUTY_DIRECTOR, telegram_id="8005")
    tr = services_tr()
    view, _ = services.escalations.raise_item(head, title="Thiếu kinh phí", description="Chưa được cấp")
    assert [f["code"] for f in action_forms(tr, office, view, [])] == ["rcv", "fwd", "ans", "ask", "cls", "dup"]
    assert action_forms(tr, director, view, []) == []
    view = services.escalations.forward(office, view.item_id, "Kính trình")
    deputies = services.people.leadership_recipients((Role.DEPUTY_DIRECTOR,))
    codes = [f["code"] for f in action_forms(tr, director, view, deputies)]
    assert codes == ["ag", "na", "sm", "ins", "asg", "asg"]
    assert action_forms(tr, office, view, []) == [] and action_forms(tr, deputy, view, []) == []
    view = services.escalations.assign(director, view.item_id, deputy.person_id)
    assert [f["code"] for f in action_forms(tr, deputy, view, [])] == ["ag", "na", "sm", "ins"]
    assert action_forms(tr, other, view, []) == []
    assert [f.get("deputy") for f in action_forms(tr, director, view, deputies) if f["code"] == "asg"] == \
        [other.person_id]  # the Director may hand it to the other deputy instead
    listed = services.escalations.list_page
    assert [v.item_id for v in listed(deputy, unit_id=unit.unit_id).views] == [view.item_id]
    assert listed(deputy, unit_id=unit.unit_id + 1).views == [] and listed(deputy, overdue=True).views == []


def services_tr():  # noqa: ANN201
    from bot.i18n import I18n
    return I18n().get("vi")


def test_the_office_forwards_with_a_note_and_the_director_instructs_from_the_desk(site):
    item = raised(site, "khtc", "Chậm giải ngân vốn")
    office, director = signed_in(site, "vanthu"), signed_in(site, "giamdoc")
    listed = office.get("/desk/difficulties")
    assert listed.status_code == 200 and "Chậm giải ngân vốn" in listed.text
    page = office.get(f"/desk/difficulties/{item}")
    assert "Trình Giám đốc" in page.text or "Chuyển Giám đốc" in page.text, page.text

    done = office.post(f"/desk/difficulties/{item}/fwd", {"text": "Kính trình Giám đốc cho ý kiến."})
    assert done.status_code == 303 and done.headers["location"] == f"/desk/difficulties/{item}?done=fwd"
    assert "Kính trình Giám đốc cho ý kiến." in "\n".join(site.chat_of("giamdoc"))
    again = office.post(f"/desk/difficulties/{item}/fwd", {"text": "Lần hai"})
    assert again.status_code == 409  # already forwarded: said so, and the note kept in the history
    assert "Lần hai" in office.get(f"/desk/difficulties/{item}").text

    empty = director.post(f"/desk/difficulties/{item}/ins", {"text": "   "})
    assert empty.status_code == 400
    assert director.post(f"/desk/difficulties/{item}/ins", {"text": "Đề nghị phòng KH-TC rà soát."}).status_code == 303
    assert any("Đề nghị phòng KH-TC rà soát." in text for text in site.chat_of("khtc"))
    detail = director.get(f"/desk/difficulties/{item}?done=ins")
    assert "Đề nghị phòng KH-TC rà soát." in detail.text
    with site.db.session() as session:
        actions = [row.action for row in session.exec(select(AuditLog).where(AuditLog.entity == "escalation"))]
    assert actions == ["escalation.raise", "escalation.forward", "escalation.comment", "escalation.instruct"]


def test_a_deputy_director_sees_only_what_is_assigned_to_them(site):
    mine = raised(site, "khtc", "Việc giao Phó Giám đốc")
    other = raised(site, "qlkh", "Việc chưa giao")

    services = site.sim.services
    office, director, deputy_actor = site.actor("vanthu"), site.actor("giamdoc"), site.actor("pgd")

    def route() -> None:
        for item in (mine, other):
            services.escalations.forward(office, item)
        services.escalations.assign(director, mine, deputy_actor.person_id)
    site.run(route)
    deputy = signed_in(site, "pgd")
    listed = deputy.get("/desk/difficulties?state=all").text
    assert "Việc giao Phó Giám đốc" in listed and "Việc chưa giao" not in listed
    assert deputy.get(f"/desk/difficulties/{other}").status_code == 403
    assert deputy.post(f"/desk/difficulties/{other}/ag").status_code == 403
    assert deputy.post(f"/desk/difficulties/{mine}/ag").status_code == 303
    assert any("Đồng ý" in text for text in site.chat_of("khtc"))


def test_the_filters_narrow_the_list(site):
    late = raised(site, "khtc", "Việc quá hạn", urgent=True)
    site.clock.advance(timedelta(days=7))
    fresh = raised(site, "qlkh", "Việc mới")
    office = signed_in(site, "vanthu")
    overdue = office.get("/desk/difficulties?overdue=1").text
    assert "Việc quá hạn" in overdue and "Việc mới" not in overdue
    unit = site.run(site.sim.services.org.find_unit, "qlkh").unit_id
    by_unit = office.get(f"/desk/difficulties?unit={unit}").text
    assert "Việc mới" in by_unit and "Việc quá hạn" not in by_unit
    assert "Việc mới" not in office.get("/desk/difficulties?holder=director").text
    office.post(f"/desk/difficulties/{late}/cls", {"text": "Đã xử lý xong."})
    assert "Việc quá hạn" not in office.get("/desk/difficulties").text
    assert "Việc quá hạn" in office.get("/desk/difficulties?state=closed").text
    assert fresh


def test_a_long_list_is_shown_fifty_rows_a_page_keeping_the_filters(site, monkeypatch):
    from bot.web.pages import difficulties

    monkeypatch.setattr(difficulties, "PER_PAGE", 2)
    titles = [f"Việc số {n}" for n in range(5)]
    for title in titles:
        raised(site, "khtc", title)
    raised(site, "qlkh", "Việc của đơn vị khác")
    office = signed_in(site, "vanthu")
    unit = site.run(site.sim.services.org.find_unit, "khtc").unit_id
    first = office.get(f"/desk/difficulties?unit={unit}").text
    assert [t in first for t in titles] == [True, True, False, False, False]
    assert "Trang 1/3 (5 mục)" in first and "Trang trước" not in first
    assert f'href="?unit={unit}&amp;page=2" rel="next"' in first
    second = office.get(f"/desk/difficulties?unit={unit}&page=2").text
    assert [t in second for t in titles] == [False, False, True, True, False] and "Việc của đơn vị khác" not in second
    assert f'href="?unit={unit}&amp;page=1" rel="prev"' in second and "page=3" in second
    for beyond in ("9", "0", "x"):  # past the end: the last page; nonsense: the first
        page = office.get(f"/desk/difficulties?unit={unit}&page={beyond}").text
        assert ("Việc số 4" in page) == (beyond == "9") and ("Việc số 0" in page) == (beyond != "9")
    assert "Trang " not in office.get("/desk/difficulties?state=closed").text  # one page: no pager


def test_a_page_of_the_list_is_the_same_items_as_the_whole_list_narrowed_and_cut(services, clock):
    """`list_page` reads whole only the page's items: the pages must still be the whole list, filtered, in order."""
    heads = [services.people.add_person(full_name=f"Trưởng {code}", role=Role.UNIT_HEAD, telegram_id=f"81{n}",
                                        unit_id=services.org.find_unit(code).unit_id)
             for n, code in enumerate(("khtc", "qlkh"))]
    office = services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="8100",
                                        unit_id=services.org.office_unit().unit_id)
    for n in range(7):
        services.escalations.raise_item(heads[n % 2], title=f"Vướng mắc {n}", description="Mô tả", urgent=n == 5)
        clock.advance(timedelta(days=2))  # the earlier ones are overdue by now
    whole = services.escalations.list_items(office, limit=300)
    assert any(v.overdue for v in whole) and not all(v.overdue for v in whole)
    for unit_id in (None, heads[0].unit_id):
        for overdue in (False, True):
            expected = [v.item_id for v in whole if (unit_id is None or v.unit_id == unit_id)
                        and (not overdue or v.overdue)]
            pages = [services.escalations.list_page(office, unit_id=unit_id, overdue=overdue, page=n, per_page=2)
                     for n in range(1, (len(expected) + 1) // 2 + 1)]
            assert [v.item_id for p in pages for v in p.views] == expected
            assert all(p.count == len(expected) and not p.more for p in pages)
            assert pages[0].views == [v for v in whole if v.item_id in expected][:2]  # the same views
    last = services.escalations.list_page(office, page=99, per_page=2)
    assert last.page == 4 and [v.item_id for v in last.views] == [v.item_id for v in whole][6:]
    assert services.escalations.list_page(office, limit=5).more
