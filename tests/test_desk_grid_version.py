"""The status grid's version (`DeskStatus.version`): what the grid's poll compares to answer "304 Not Modified"
without building rows. It must never stay the same while a row the grid shows changes: each kind of change is
made here through the service the chat or the desk calls, with the clock standing still (so no time stamp helps),
and the version must move with the rows. Then the poll itself over HTTP: 304 while nothing changed, the rows after
a change."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from bot.domain import Role
from bot.services.reminders.service import Outcome
from storage.models import ReminderDelivery
from tests.desk_http import signed_in
from tests.report_helpers import fill, submit
from tests.world import head, office, period_id


class Grid:
    """The grid of the annual period as `actor` sees it: `changed()` says whether the rows and the version moved
    since the last look, and fails if the rows moved while the version stayed."""

    def __init__(self, services, actor) -> None:  # noqa: ANN001
        self.services, self.actor, self.period = services, actor, period_id(services)
        self.version, self.rows = self.look()

    def look(self) -> tuple[str, tuple]:
        desk = self.services.desk_status
        version = desk.version(self.actor, self.period)
        return version, desk.period_status(self.actor, self.period).rows

    def changed(self) -> bool:
        version, rows = self.look()
        assert rows == self.rows or version != self.version, "the rows changed but the version did not"
        moved = version != self.version
        self.version, self.rows = version, rows
        return moved


def test_the_same_data_gives_the_same_version(services):
    grid = Grid(services, office(services))
    assert not grid.changed()
    assert not grid.changed()


def test_a_draft_a_submission_a_reopening_and_a_review_each_change_the_version(services):
    clerk, unit_head = office(services), head(services)
    grid = Grid(services, clerk)
    screen = services.reports.open(unit_head, grid.period)  # the report is created: still "not started"
    grid.changed()
    screen = services.reports.type_text(unit_head, screen.ref.report_id, screen.ref.step, "có")  # one answer
    assert grid.changed()
    screen = fill(services, unit_head, screen)
    assert grid.changed()
    screen = submit(services, unit_head, screen)
    assert grid.changed()
    report_id = screen.ref.report_id
    services.reports.reopen(unit_head, report_id, 1)  # the unit takes it back
    assert grid.changed()
    screen = services.reports.current(unit_head, report_id)
    submit(services, unit_head, fill(services, unit_head, screen))
    assert grid.changed()
    services.reports.return_for_revision(clerk, report_id, 2, "Bổ sung số liệu.")
    assert grid.changed()
    screen = services.reports.current(unit_head, report_id)
    submit(services, unit_head, fill(services, unit_head, screen))
    assert grid.changed()
    services.reports.accept(clerk, report_id, 3)
    assert grid.changed()
    assert not grid.changed()


def test_an_extension_given_changed_and_withdrawn_changes_the_version(services):
    clerk = office(services)
    grid = Grid(services, clerk)
    unit = services.org.find_unit("khtc").unit_id
    deadline = services.periods.get(grid.period).deadline
    services.periods.extend(clerk, grid.period, unit, deadline + timedelta(days=5), "Chờ số liệu quyết toán")
    assert grid.changed()
    services.periods.extend(clerk, grid.period, unit, deadline + timedelta(days=5), "Chờ ý kiến của Sở Tài chính")
    assert grid.changed()  # the same row changed in place, same moment: only the reason differs
    services.periods.remove_extension(clerk, grid.period, unit)
    assert grid.changed()


def test_the_deadline_moved_a_unit_renamed_or_retired_and_a_new_day_change_the_version(services, clock):
    clerk = office(services)
    grid = Grid(services, clerk)
    period = services.periods.get(grid.period)
    services.periods.set_deadline(clerk, grid.period, period.deadline + timedelta(days=1))
    assert grid.changed()
    unit = services.org.find_unit("khtc").unit_id
    services.org.rename_unit(clerk, unit, "Phòng Kế hoạch, Tài chính và Tổng hợp")
    assert grid.changed()
    services.org.retire_unit(clerk, unit)
    assert grid.changed()
    clock.set(datetime.combine(period.deadline + timedelta(days=2), clock.now().timetz()))
    assert grid.changed()  # the deadline has passed: units not started are overdue


def test_a_reminder_counts_once_it_is_sent(services):
    clerk, unit_head = office(services), head(services)
    grid = Grid(services, clerk)
    now = services.clock.now()
    with services.db.session() as session:
        row = ReminderDelivery(period_id=grid.period, target=f"p{unit_head.person_id}", person_id=unit_head.person_id,
                               unit_id=unit_head.unit_id, step="manual:x", state="sending", created_at=now,
                               attempted_at=now)
        session.add(row)
        session.flush()
        row_id = row.id
    assert not grid.changed()  # in flight: the grid counts reminders sent
    services.reminders.finish(row_id, None, Outcome.SENT, channel="telegram")
    assert grid.changed()


def test_a_difficulty_raised_assigned_and_closed_changes_the_version_for_those_who_see_it(services):
    clerk, unit_head = office(services), head(services)
    director = services.people.add_person(full_name="Hoàng Văn Quang", role=Role.DIRECTOR, telegram_id="8003")
    deputy = services.people.add_person(full_name="Lý Thị Ngọc", role=Role.DEPUTY_DIRECTOR, telegram_id="8004")
    grid, deputy_grid = Grid(services, clerk), Grid(services, deputy)
    escalations = services.escalations
    item = escalations.raise_item(unit_head, title="Chậm phân bổ vốn", description="Thủ tục điều chỉnh.")[0].item_id
    assert grid.changed()
    deputy_grid.changed()  # not theirs, but every audited change moves every version: one full answer more
    escalations.receive(clerk, item)
    escalations.forward(clerk, item, "Kính trình Giám đốc.")
    grid.changed()
    escalations.assign(director, item, deputy.person_id)
    assert deputy_grid.changed()  # now theirs: an open item of the unit
    escalations.instruct(deputy, item, "Đề nghị Phòng Kế hoạch - Tài chính phối hợp xử lý.")
    escalations.close(clerk, item, "Đã xử lý xong.")
    assert grid.changed()
    assert deputy_grid.changed()


def test_the_poll_answers_304_while_nothing_changed_and_the_rows_after_a_change(site):
    pid = site.run(lambda: period_id(site.sim.services))
    clerk = signed_in(site, "vanthu")
    address = f"/desk/status/{pid}/grid"
    first = clerk.get(address)
    assert first.status_code == 200 and first.headers["ETag"]
    page = clerk.get(f"/desk/status/{pid}")
    assert html.escape(first.headers["ETag"]) in page.text.replace("&#34;", "&quot;")  # the table's first tag
    same = clerk.client.get(address, headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["X-Desk-Updated"]  # the time for the line under the grid
    other_filter = clerk.client.get(address + "?state=draft", headers={"If-None-Match": first.headers["ETag"]})
    assert other_filter.status_code == 200  # another filter, other rows
    head_actor = site.actor("khtc")
    screen = site.run(lambda: site.sim.services.reports.open(head_actor, pid))
    site.run(lambda: site.sim.services.reports.type_text(head_actor, screen.ref.report_id, screen.ref.step, "có"))
    changed = clerk.client.get(address, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "đang soạn" in changed.text
    assert changed.headers["ETag"] != first.headers["ETag"]
