"""The permission matrix of the desk's routes: every route × every role, on the real server (HTTP, no browser).

Roles: the Office, the Director, a deputy director assigned a difficulty and one assigned none, an Office member
demoted to unit head after signing in, a forged cookie and no session. Unit heads never get a session (their
/banlamviec is refused). Also forged POSTs (no CSRF token, another session's token), the security headers on every
answer, and what a deputy director may not see (difficulties not assigned to them) in the grid, the export, the
difficulties list and every other page; and that no refused answer carries anything of a unit. Page 6
(administration) is the Office's alone, but for the people list and the audit log, which the Director reads too.
"""

from __future__ import annotations

import html
import io
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

ITEM_FILE = {"file_id": "ESCFILE1", "file_name": "bien-ban.pdf", "mime_type": "application/pdf", "size": 2048,
             "kind": "document"}

DESK = {"office", "director", "pgd", "pgd2"}
OFFICE = {"office"}
LEADERS = {"director", "pgd"}  # the Director, and the deputy director the item "mine" is assigned to
MINE = {"office", "director", "pgd"}  # who sees the item assigned to pgd
ALL_ITEMS = {"office", "director"}  # who sees an item assigned to no one
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
    ("/desk/difficulties", DESK), ("/desk/difficulties?state=all", DESK),
    ("/desk/difficulties?state=all&unit={other_unit}", DESK), ("/desk/difficulties?holder=director&overdue=1", DESK),
    ("/desk/difficulties/{mine}", MINE), ("/desk/difficulties/{mine}?done=ag", MINE),
    ("/desk/difficulties/{unassigned}", ALL_ITEMS),
    ("/desk/difficulties/{mine}/files/0", MINE), ("/desk/difficulties/{mine}/files/{mine_event}", MINE),
    ("/desk/difficulties/{unassigned}/files/0", ALL_ITEMS),
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
# The difficulties' actions: (item, code, who may take it in the item's state). "unassigned" is new,
# "mine" forwarded to the Director and assigned to pgd. The unit's own steps (add, ok, rep) stay in the chat.
ACTIONS = [("unassigned", code, OFFICE) for code in ("rcv", "fwd", "ans", "ask", "cls", "dup")] + \
    [("mine", code, LEADERS) for code in ("ag", "na", "sm", "ins", "fu")] + [("mine", "asg", {"director"})] + \
    [(item, code, set()) for item in ("mine", "unassigned") for code in ("add", "ok", "rep")]
ACTION_FIELDS = {"text": "Đề nghị làm rõ.", "of": "{mine}", "deputy": "{pgd2_id}"}
UNASSIGNED = "Vướng mắc chưa giao ai"  # the title of "unassigned": never on a page a deputy director opens
ASSIGNED = "Vướng mắc giao Phó Giám đốc"
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
        mine, _ = services.escalations.raise_item(head, title=ASSIGNED, description="Chậm vốn.",
                                                  urgent=False, attachment=ITEM_FILE)
        unassigned, _ = services.escalations.raise_item(other, title=UNASSIGNED, description="Thiếu người.",
                                                        urgent=False, attachment=ITEM_FILE)
        services.escalations.add_info(head, mine.item_id, "Bổ sung hồ sơ.", attachment=ITEM_FILE)
        services.escalations.forward(office, mine.item_id)
        services.escalations.assign(director, mine.item_id, pgd.person_id)
        event = next(e.event_id for e in services.escalations.history(office, mine.item_id) if e.action == "add_info")
        return {"pid": pid, "rid": screen.ref.report_id, "file_q": file_q, "head": head, "other": other,
                "mine": mine.item_id, "unassigned": unassigned.item_id, "mine_event": event, "other_unit": other.unit_id}

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
    return template.format(pid=world["pid"], rid=world["rid"], file_q=world["file_q"], mine=world["mine"],
                           unassigned=world["unassigned"], mine_event=world["mine_event"],
                           other_unit=world["other_unit"], pgd2_id=world["pgd2"].person_id,
                           draft_version=world.get("draft_version", 0), **world.get("admin", {}))


def test_every_get_route_as_every_role(site, world):  # noqa: ANN001
    for template, allowed in GETS:
        for role in ROLES:
            response = world["visitors"][role].client.get(address(template, world))
            expected = 200 if role in allowed else 403 if role in DESK else 401
            assert response.status_code == expected, (template, role, response.status_code)
            if role in ("pgd", "pgd2") or role not in allowed:
                assert UNASSIGNED not in response.text, (template, role)  # nothing unassigned, nothing refused
            if role not in allowed:
                assert ASSIGNED not in response.text and "Chậm vốn" not in response.text, (template, role)
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


def test_every_difficulty_action_as_every_role_and_forged_posts(site, world):  # noqa: ANN001
    """Every action code × every role is refused, and changes nothing, unless the chat would allow it; then the
    allowed person's POST without a token, or with another person's token, is refused too; then it is done once."""
    visitors = world["visitors"]
    services = site.sim.services
    office_actor = site.actor("vanthu")

    def versions() -> dict[str, int]:
        return {key: site.run(services.escalations.get, office_actor, world[key]).version for key in ("mine", "unassigned")}

    before = versions()
    fields = {key: address(value, world) for key, value in ACTION_FIELDS.items()}
    for item, code, allowed in ACTIONS:
        url = address(f"/desk/difficulties/{{{item}}}/{code}", world)
        for role in ROLES:
            if role in allowed:
                continue
            response = visitors[role].client.post(url, data={**fields, "csrf": visitors[role].csrf})
            expected = 401 if role not in DESK else 404 if code in ("add", "ok", "rep") else 403
            assert response.status_code == expected, (item, code, role, response.status_code)
            assert UNASSIGNED not in response.text or role in ALL_ITEMS, (item, code, role)
            assert ASSIGNED not in response.text or role in MINE, (item, code, role)
        for role in allowed:
            visitor = visitors[role]
            assert visitor.client.post(url, data=fields).status_code == 403, (code, role)  # no token
            thief = next(r for r in DESK if r != role)
            stolen = {**fields, "csrf": visitors[thief].csrf}  # another person's token with this person's cookie
            assert visitor.client.post(url, data=stolen).status_code == 403, (code, role)
            assert visitor.client.get(url).status_code == 405, (code, role)  # an action is never a GET
    assert versions() == before  # nothing above changed anything
    office, pgd = visitors["office"], visitors["pgd"]
    done = office.client.post(address("/desk/difficulties/{unassigned}/rcv", world), data={"csrf": office.csrf})
    assert done.status_code == 303
    done = pgd.client.post(address("/desk/difficulties/{mine}/ag", world), data={"csrf": pgd.csrf, "text": ""})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=ag")
    after = versions()
    assert after == {key: version + 1 for key, version in before.items()}
    again = visitors["director"].client.post(address("/desk/difficulties/{mine}/ins", world),
                                             data={"csrf": visitors["director"].csrf, "text": "Lần hai."})
    assert again.status_code == 409  # already instructed by the deputy director: said, not done twice


def test_a_deputy_director_lists_only_the_items_assigned_to_them_whatever_the_filter(site, world):  # noqa: ANN001
    for query in ("", "?state=all", "?state=new", f"?unit={world['other_unit']}", "?holder=office",
                  "?state=all&unit=99999", "?overdue=1"):
        for role, shown in [("pgd", {ASSIGNED}), ("pgd2", set()), ("office", {ASSIGNED, UNASSIGNED})]:
            text = world["visitors"][role].client.get(f"/desk/difficulties{query}").text
            expected = {t for t in shown if query in ("", "?state=all")} | \
                ({UNASSIGNED} & shown if query in ("?state=new", f"?unit={world['other_unit']}") else set())
            if query == "?holder=office":
                expected = {UNASSIGNED} & shown
            assert {t for t in (ASSIGNED, UNASSIGNED) if t in text} == expected, (query, role)
        units = world["visitors"]["pgd"].client.get("/desk/difficulties").text
        assert "Phòng Quản lý Khoa học" not in units  # no list of other units to filter by


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
