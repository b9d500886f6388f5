"""The permission matrix of the desk's routes: every route × every role, on the real server (HTTP, no browser).

Roles: the Office, the Director, a deputy director assigned a difficulty and one assigned none, an Office member
demoted to unit head after signing in, a forged cookie and no session. Unit heads never get a session (their
/banlamviec is refused). Also forged POSTs (no CSRF token, another session's token), the security headers on every
answer, and what a deputy director may not see (difficulties not assigned to them) in the grid and the export. Page 6
(administration) is the Office's alone, but for the people list and the audit log, which the Director reads too.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from bot.domain import Role
from storage.models import AuditLog, Person
from tests.desk_site import DeskSite
from tests.report_helpers import FILE, fill, submit
from tests.world import period_id

DESK = {"office", "director", "pgd", "pgd2"}
OFFICE = {"office"}
READERS = {"office", "director"}  # page 6's people list and audit log, as the chat's /nhatky
ROLES = ["office", "director", "pgd", "pgd2", "demoted", "forged", "none"]
GETS = [  # (address, who may open it)
    ("/desk/", DESK), ("/desk/status", DESK), ("/desk/status/{pid}", DESK), ("/desk/status/{pid}/grid", DESK),
    ("/desk/status/{pid}/annex.xlsx", DESK), ("/desk/reports/{rid}", DESK), ("/desk/reports/{rid}?v=1", DESK),
    ("/desk/reports/{rid}/1/files/{file_q}", DESK), ("/desk/questions", DESK), ("/desk/questions/{pid}", DESK),
    ("/desk/questions/{pid}?q=infra_policy", DESK),
    ("/desk/official", DESK), ("/desk/official/{pid}", DESK), ("/desk/official/{pid}/report.docx", DESK),
    ("/desk/official/{pid}/annex.xlsx", DESK), ("/desk/official/{pid}/chart.png", DESK),
    ("/desk/questionnaire", OFFICE), ("/desk/questionnaire/1", OFFICE), ("/desk/questionnaire/new", OFFICE),
    ("/desk/admin", READERS), ("/desk/admin/periods", OFFICE), ("/desk/admin/periods/{pid}", OFFICE),
    ("/desk/admin/units", OFFICE), ("/desk/admin/people", READERS), ("/desk/admin/people?all=1&unit=2", READERS),
    ("/desk/admin/invitations", OFFICE), ("/desk/admin/audit", READERS),
    ("/desk/admin/audit?kind=period&since=2026-11-01", READERS), ("/desk/admin/audit.xlsx", READERS),
]
# Page 6's changes, each as the Office would send it, in an order where each one succeeds (its answer code).
ADMIN_POSTS = [
    ("/desk/admin/periods/{pid}/close", {}, 303), ("/desk/admin/periods/{pid}/open", {}, 303),
    ("/desk/admin/periods/{pid}/opens", {"day": "2026-11-20"}, 303),
    ("/desk/admin/periods/{pid}/deadline", {"day": "2026-12-20"}, 303),
    ("/desk/admin/periods/{pid}/extend", {"unit": "{uid}", "day": "2026-12-30", "reason": "Chờ số liệu"}, 303),
    ("/desk/admin/periods/{pid}/unextend", {"unit": "{uid}"}, 303),
    ("/desk/admin/calendar/set", {"day": "2026-12-31", "kind": "off", "note": "Nghỉ bù"}, 303),
    ("/desk/admin/calendar/clear", {"day": "2026-12-31"}, 303),
    ("/desk/admin/units/add", {"name": "Phòng Thông tin", "short": "PTT"}, 303),
    ("/desk/admin/units/{uid}/short", {"text": "KH-TC"}, 303), ("/desk/admin/units/{uid}/name", {"text": "Phòng KH-TC"}, 303),
    ("/desk/admin/units/{uid}/retire", {}, 303), ("/desk/admin/units/{uid}/restore", {}, 303),
    ("/desk/admin/invitations/new", {"role": "unit_head", "unit": "{uid}"}, 200),
    ("/desk/admin/invitations/sheet", {"role": "unit_head", "unit": "{uid}"}, 200),
    ("/desk/admin/invitations/{inv}/revoke", {}, 303),
    ("/desk/admin/privacy/{req}/receive", {}, 303), ("/desk/admin/privacy/{req}/done", {}, 303),
    ("/desk/admin/people/{other_id}/unlink/zalo", {}, 303), ("/desk/admin/people/{other_id}/deactivate", {}, 303),
]
POSTS = [("/desk/reports/{rid}/return", OFFICE), ("/desk/reports/{rid}/accept", OFFICE), ("/desk/logout", DESK)]
# The official report editor's and the questionnaire's changes: (address, form, the Office's answer). All the
# Office's; the others are refused before anything changes (403 for the leadership, 401 without a desk session).
EDITS = [
    ("/desk/official/{pid}/preview", {"leadership": "Nội dung xem trước."}, 200),
    ("/desk/official/{pid}/save", {"leadership": "Sở đã triển khai Kế hoạch.", "signer": "director"}, 303),
    ("/desk/official/{pid}/reset", {"part": "leadership"}, 303),
    ("/desk/official/{pid}/organisation", {"plan_number": "15/KH-SKHCN", "plan_date": "20/01/2026",
                                           "movement": "Phong trào thi đua “Đổi mới sáng tạo”"}, 303),
    ("/desk/questionnaire/new", {"text": "{draft}"}, 303),
    ("/desk/questionnaire/{draft_version}/activate", {}, 303),
]
HEADERS = {"content-security-policy": "script-src 'self'", "x-frame-options": "DENY",
           "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


class Visitor:
    """One browser's cookies on the desk; `csrf` is the form token its pages carry."""

    def __init__(self, site: DeskSite) -> None:
        self.client = httpx.Client(base_url=site.base, follow_redirects=False, timeout=30)
        self.csrf = ""

    def sign_in(self, link: str) -> None:
        response = self.client.post("/desk/login", data={"link": urlparse(link).path.rsplit("/", 1)[1]})
        assert response.status_code == 303, response.text
        page = self.client.get("/desk/").text
        self.csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def site(settings, db, clock) -> Iterator[DeskSite]:  # noqa: ANN001
    desk = DeskSite(settings, db, clock)
    yield desk
    desk.stop()


@pytest.fixture
def world(site: DeskSite) -> dict:
    """A submitted report with an attachment, difficulties (one assigned to pgd), and a visitor per role."""
    pgd2 = site.add_person("pgd2", 1099, "Trương Văn Đức", Role.DEPUTY_DIRECTOR)

    def setup() -> dict:
        services, sim = site.sim.services, site.sim
        head = services.people.actor_for("telegram", str(sim.personas["khtc"].user_id))
        other = services.people.actor_for("telegram", str(sim.personas["qlkh"].user_id))
        office = services.people.actor_for("telegram", str(sim.personas["vanthu"].user_id))
        director = services.people.actor_for("telegram", str(sim.personas["giamdoc"].user_id))
        pgd = services.people.actor_for("telegram", str(sim.personas["pgd"].user_id))
        pid = period_id(services, "2026-Y")
        screen = submit(services, head, fill(services, head, services.reports.open(head, pid)))
        view = services.reports.view(office, screen.ref.report_id, 1)
        file_q = next(q for q, v in view.answers.items() if isinstance(v, dict) and v.get("file_id") == FILE["file_id"])
        mine, _ = services.escalations.raise_item(head, title="Vướng mắc giao Phó Giám đốc", description="Chậm vốn.",
                                                  urgent=False)
        services.escalations.raise_item(other, title="Vướng mắc chưa giao ai", description="Thiếu người.",
                                        urgent=False)
        services.escalations.forward(office, mine.item_id)
        services.escalations.assign(director, mine.item_id, pgd.person_id)
        return {"pid": pid, "rid": screen.ref.report_id, "file_q": file_q, "head": head, "other": other}

    made = site.run(setup)
    visitors = {role: Visitor(site) for role in ROLES}
    for role, key in [("office", "vanthu"), ("director", "giamdoc"), ("pgd", "pgd"), ("pgd2", "pgd2")]:
        visitors[role].sign_in(site.link_for(key))
    site.add_person("colleague", 1098, "Phan Thị Thu", Role.OFFICE, "hcth")
    visitors["demoted"].sign_in(site.link_for("colleague"))
    site.add_person("colleague", 1098, "Phan Thị Thu", Role.UNIT_HEAD, "qlkh")  # moved to a unit after signing in
    visitors["forged"].client.cookies.set("desk", "x" * 43)
    return {**made, "visitors": visitors, "pgd2": pgd2}


def address(template: str, world: dict) -> str:
    return template.format(pid=world["pid"], rid=world["rid"], file_q=world["file_q"],
                           draft_version=world.get("draft_version", 0), **world.get("admin", {}))


def test_every_get_route_as_every_role(site, world):  # noqa: ANN001
    for template, allowed in GETS:
        for role in ROLES:
            response = world["visitors"][role].client.get(address(template, world))
            expected = 200 if role in allowed else 403 if role in DESK else 401
            assert response.status_code == expected, (template, role, response.status_code)
            for name, part in HEADERS.items():
                assert part in response.headers.get(name, ""), (template, role, name)
            if response.headers["content-type"].startswith("text/html"):
                assert response.headers["cache-control"] == "no-store"
                assert "<script>" not in response.text and " on" + "click=" not in response.text


def test_every_post_route_as_every_role_and_forged_posts(site, world):  # noqa: ANN001
    visitors = world["visitors"]
    for template, allowed in POSTS[:2]:
        url = address(template, world)
        for role in ROLES:
            visitor = visitors[role]
            data = {"csrf": visitor.csrf, "version": "1", "comment": "Đề nghị bổ sung."}
            if role in allowed:
                continue  # the Office decides below, once
            expected = 403 if role in DESK else 401
            assert visitor.client.post(url, data=data).status_code == expected, (template, role)
        office = visitors["office"]
        assert office.client.post(url, data={"version": "1", "comment": "x"}).status_code == 403  # no token
        stolen = visitors["director"].csrf  # another person's token with the Office's cookie
        assert office.client.post(url, data={"csrf": stolen, "version": "1", "comment": "x"}).status_code == 403
        assert office.client.get(url).status_code == 405
    office = visitors["office"]
    url = address("/desk/reports/{rid}/return", world)
    response = office.client.post(url, data={"csrf": office.csrf, "version": "1", "comment": "Đề nghị bổ sung."})
    assert response.status_code == 303
    accepted = office.client.post(address("/desk/reports/{rid}/accept", world),
                                  data={"csrf": office.csrf, "version": "1"})
    assert accepted.status_code == 409 and "trả lại" in accepted.text  # already returned: said, not done twice
    for role in ROLES:
        visitor = visitors[role]
        response = visitor.client.post("/desk/logout", data={"csrf": visitor.csrf})
        assert response.status_code == (303 if role in DESK else 401), role
        if role in DESK:
            assert visitor.client.get("/desk/").status_code == 401  # the session ended in the database


def test_the_editors_posts_as_every_role_and_forged(site, world):  # noqa: ANN001
    """Pages 5 and 7: every change as every role, without a token, with another person's token; then the Office's."""
    visitors, office = world["visitors"], world["visitors"]["office"]
    draft = office.client.get("/desk/questionnaire/new").text.split('name="text"', 1)[1].split(">", 1)[1]
    draft = html.unescape(draft.split("</textarea>", 1)[0])
    world["draft_version"] = int(draft.split("\nversion: ", 1)[1].split("\n", 1)[0])
    clerk = site.actor("vanthu")

    def entries() -> int:
        return site.run(lambda: len(site.sim.services.audit.recent(clerk, limit=1000)))

    audited = entries()
    for template, form, answer in EDITS:
        url = address(template, world)
        data = {k: (draft if v == "{draft}" else v) for k, v in form.items()}
        for role in ROLES:
            if role == "office":
                continue
            visitor = visitors[role]
            expected = 403 if role in DESK else 401
            assert visitor.client.post(url, data={**data, "csrf": visitor.csrf}).status_code == expected, (url, role)
        assert office.client.post(url, data=data).status_code == 403, url  # no token
        stolen = visitors["director"].csrf
        assert office.client.post(url, data={**data, "csrf": stolen}).status_code == 403, url
        assert office.client.get(url).status_code == (200 if url.endswith("/new") else 405), url  # the form
        assert entries() == audited  # nothing refused left a trace of a change
        response = office.client.post(url, data={**data, "csrf": office.csrf})
        assert response.status_code == answer, (url, response.status_code, response.text.split("<main", 1)[-1][:1500])
        audited = entries()
    text = office.client.get(address("/desk/official/{pid}", world)).text
    assert "15/KH-SKHCN ngày 20/01/2026" in text and "Đổi mới sáng tạo" in text
    assert "đang áp dụng cho báo cáo mới" in office.client.get(address("/desk/questionnaire/{draft_version}",
                                                                       world)).text


def test_a_deputy_director_sees_only_the_difficulties_assigned_to_them(site, world):  # noqa: ANN001
    grid = {role: world["visitors"][role].client.get(address("/desk/status/{pid}/grid", world)).text
            for role in ("office", "pgd", "pgd2")}

    def difficulties(html: str, unit: str) -> str:
        row = html.split(unit, 1)[1].split("</tr>", 1)[0]
        return row.rsplit('data-label="Khó khăn chưa xử lý xong">', 1)[1].split("</td>", 1)[0].strip()

    assert difficulties(grid["office"], "Phòng Kế hoạch - Tài chính") == "1"
    assert difficulties(grid["office"], "Phòng Quản lý Khoa học") == "1"
    assert difficulties(grid["pgd"], "Phòng Kế hoạch - Tài chính") == "1"
    assert difficulties(grid["pgd"], "Phòng Quản lý Khoa học") == ""
    assert difficulties(grid["pgd2"], "Phòng Kế hoạch - Tài chính") == ""
    for role, shown in [("pgd", {"Vướng mắc giao Phó Giám đốc"}), ("pgd2", set()),
                        ("office", {"Vướng mắc giao Phó Giám đốc", "Vướng mắc chưa giao ai"})]:
        xlsx = world["visitors"][role].client.get(address("/desk/status/{pid}/annex.xlsx", world)).content
        book = load_workbook(io.BytesIO(xlsx))
        text = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
        assert {t for t in ("Vướng mắc giao Phó Giám đốc", "Vướng mắc chưa giao ai") if t in text} == shown, role


def test_unknown_addresses_and_ids_get_the_plain_page(site, world):  # noqa: ANN001
    office = world["visitors"]["office"].client
    for url in ["/desk/nothing", "/desk/reports/999999", "/desk/reports/99999999999", "/desk/status/424242",
                "/desk/reports/{rid}/1/files/nope", "/desk/reports/{rid}?v=7"]:
        response = office.get(address(url, world))
        assert response.status_code == 404, (url, response.status_code)
        assert "Content-Security-Policy" in response.headers and "Traceback" not in response.text


def test_every_administration_post_as_every_role_and_forged(site, world):  # noqa: ANN001
    """Page 6: every change refused to every role but the Office (403 signed in, 401 otherwise) and to a forged
    form (no token, another person's token), with nothing written; then the Office makes each one."""
    services = site.sim.services

    def setup() -> dict:
        other = world["other"]
        office = services.people.actor_for("telegram", str(site.sim.personas["vanthu"].user_id))
        invite = services.invites.create(office, Role.UNIT_HEAD, world["head"].unit_id)
        request, _new = services.privacy.request(other, "correct", "Họ tên đúng là Phạm Thị Lan Anh")
        return {"uid": world["head"].unit_id, "inv": invite.invite_id, "req": request.request_id,
                "other_id": other.person_id}

    world["admin"] = site.run(setup)
    with site.db.session() as session:  # a second account, so that one may be removed
        person = session.get(Person, world["admin"]["other_id"])
        person.zalo_id = "zalo-qlkh"
        session.add(person)
    visitors = world["visitors"]

    def audited() -> int:
        with site.db.session() as session:
            return session.exec(select(func.count()).select_from(AuditLog)).one()

    before = audited()
    office = visitors["office"]
    for template, data, _code in ADMIN_POSTS:
        url = address(template, world)
        fields = {k: address(v, world) for k, v in data.items()}
        for role in ROLES:
            if role == "office":
                continue
            visitor = visitors[role]
            expected = 403 if role in DESK else 401
            assert visitor.client.post(url, data={**fields, "csrf": visitor.csrf}).status_code == expected, \
                (template, role)
        assert office.client.post(url, data=fields).status_code == 403, template  # no token
        stolen = visitors["director"].csrf
        assert office.client.post(url, data={**fields, "csrf": stolen}).status_code == 403, template
        assert office.client.get(url).status_code == 405, template
    assert audited() == before  # nothing refused left a trace of a change
    for template, data, code in ADMIN_POSTS:
        fields = {k: address(v, world) for k, v in data.items()}
        response = office.client.post(address(template, world), data={**fields, "csrf": office.csrf})
        assert response.status_code == code, (template, response.status_code, response.text[-400:])
    assert audited() >= before + len(ADMIN_POSTS)  # each change audited, in the same log as the chat's
