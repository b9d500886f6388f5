"""Desk page 3, one question across the units: the units still to submit are read in one query of names, and
they are exactly the units progress lists without a submitted version (retired units with a report included);
a long table is shown 100 units a page, with the total of every unit."""

from __future__ import annotations

import re

from bot.domain import Role
from tests.desk_http import signed_in
from tests.report_helpers import fill, submit
from tests.world import office, period_id


def progress_waiting(services, pid: int) -> tuple[str, ...]:  # noqa: ANN001
    """The earlier reading: every unit progress lists, less those with a submitted version."""
    submitted = {r.unit_id for r in services.submissions.latest(pid)}
    return tuple(u.unit_name for u in services.progress.by_unit(pid) if u.unit_id not in submitted)


def test_the_units_still_to_submit_are_those_progress_lists_without_a_submitted_version(services):
    clerk, pid = office(services), period_id(services)
    heads = {code: services.people.add_person(full_name=f"Trưởng {code}", role=Role.UNIT_HEAD,
                                              telegram_id=f"77{n}", unit_id=services.org.find_unit(code).unit_id)
             for n, code in enumerate(("khtc", "qlkh", "ttud"))}
    assert services.submissions.waiting(pid) == progress_waiting(services, pid)
    screen = services.reports.open(heads["khtc"], pid)
    submit(services, heads["khtc"], fill(services, heads["khtc"], screen))  # submitted
    services.reports.open(heads["qlkh"], pid)  # a draft
    screen = services.reports.open(heads["ttud"], pid)
    submit(services, heads["ttud"], fill(services, heads["ttud"], screen))
    for code in ("khtc", "qlkh", "ttud"):  # retired, each with a report: still listed unless submitted
        services.org.retire_unit(clerk, services.org.find_unit(code).unit_id)
    waiting = services.submissions.waiting(pid)
    assert waiting == progress_waiting(services, pid)
    names = {code: services.org.find_unit(code).name for code in ("khtc", "qlkh", "ttud")}
    assert names["qlkh"] in waiting and names["khtc"] not in waiting and names["ttud"] not in waiting


def test_a_long_table_is_paged_with_the_total_of_every_unit(site, monkeypatch):  # noqa: ANN001
    from bot.contracts import Q_SAVINGS
    from bot.web.pages import questions

    services = site.sim.services
    pid = site.run(lambda: period_id(services))
    for key in ("khtc", "qlkh"):
        actor = site.actor(key)

        def work(actor=actor) -> None:  # noqa: ANN001
            screen = services.reports.open(actor, pid)
            submit(services, actor, fill(services, actor, screen))
        site.run(work)
    monkeypatch.setattr(questions, "PER_PAGE", 1)
    clerk = signed_in(site, "vanthu")
    first = clerk.get(f"/desk/questions/{pid}?q={Q_SAVINGS}").text
    assert len(re.findall(r'<th scope="row">', first)) == 2  # one unit, and the total's row
    assert "Trang 1/2 (2 đơn vị)" in first and "200.000.000" in first  # the total of both units
    second = clerk.get(f"/desk/questions/{pid}?q={Q_SAVINGS}&page=2").text
    assert "Trang 2/2" in second and "200.000.000" in second
    assert first.split("<tbody>")[1].split("</tbody>")[0] != second.split("<tbody>")[1].split("</tbody>")[0]
    whole = clerk.get(f"/desk/questions/{pid}?q={Q_SAVINGS}&all=1").text
    assert len(re.findall(r'<th scope="row">', whole)) == 3 and "Xem theo trang" in whole
