"""StatusService over the database: permissions, consolidation of inserted reports, board and summary claims."""

from __future__ import annotations

import pytest

from bot.contracts import ReportState, UnitStage
from bot.domain import PermissionDenied
from tests.status_samples import KHTC_ANSWERS, QLKH_ANSWERS, TTUD_ANSWERS, draft, submit
from tests.world import period_id as annual


def actor(services, telegram_id: str):  # noqa: ANN001, ANN201
    return services.people.actor_for("telegram", telegram_id)


@pytest.fixture
def people(services):  # noqa: ANN001, ANN201
    from bot.domain import Role

    office = services.org.office_unit()
    khtc = services.org.find_unit("khtc")
    services.people.add_person(full_name="Lê Văn Hòa", role=Role.OFFICE, telegram_id="1002", unit_id=office.unit_id)
    services.people.add_person(full_name="Nguyễn Văn An", role=Role.UNIT_HEAD, telegram_id="1003", unit_id=khtc.unit_id)
    services.people.add_person(full_name="Hoàng Văn Quang", role=Role.DIRECTOR, telegram_id="1011")
    services.people.add_person(full_name="Lý Thị Ngọc", role=Role.DEPUTY_DIRECTOR, telegram_id="1012")
    return services


def test_office_director_and_deputies_only(people):
    period_id = annual(people)
    for telegram_id in ("1002", "1011", "1012"):
        assert people.status.consolidation(actor(people, telegram_id), period_id).unit_count == 8
    head = actor(people, "1003")
    with pytest.raises(PermissionDenied):
        people.status.consolidation(head, period_id)
    with pytest.raises(PermissionDenied):
        people.status.export(head, period_id)
    with pytest.raises(PermissionDenied):
        people.status.choices(head)


def test_consolidates_the_latest_frozen_versions(people):
    period_id = annual(people)
    submit(people, "khtc", {"capital_holds": True, "capital_plan": 1, "capital_disbursed": 1})
    submit(people, "khtc", KHTC_ANSWERS)  # version 2 replaces version 1
    submit(people, "ttud", TTUD_ANSWERS, late=True)
    submit(people, "qlkh", QLKH_ANSWERS, state=ReportState.ACCEPTED)
    draft(people, "thanhtra", answered=7)
    c = people.status.consolidation(actor(people, "1002"), period_id)
    assert c.submitted_count == 3 and len(c.missing) == 5
    assert c.stage_counts[UnitStage.DRAFT] == 1 and c.stage_counts[UnitStage.NOT_STARTED] == 4
    assert c.stage_counts[UnitStage.SUBMITTED_LATE] == 1 and c.stage_counts[UnitStage.ACCEPTED] == 1
    assert c.totals.capital_plan == 15_000_000_000 and c.totals.capital_disbursed == 13_500_000_000
    assert c.totals.savings == 400_000_000 and c.totals.commendations == 3


def test_choices_are_opened_periods_latest_first(people):
    codes = [p.code for p in people.status.choices(actor(people, "1002"))]
    assert codes[:2] == ["2026-Y", "2026-H1"] and "2027-H1" not in codes
    assert [p.code for p in people.status.open_periods()] == ["2026-Y"]


def test_board_lease_is_exclusive(people):
    period_id = annual(people)
    first = people.status.claim_board(period_id, "-100")
    assert first is not None and first.message_id is None
    assert people.status.claim_board(period_id, "-100") is None  # another process holds the lease
    people.status.release_board(first.board_id, message_id=42, text_digest="abc", source_key="k")
    again = people.status.claim_board(period_id, "-100")
    assert again is not None and (again.message_id, again.digest, again.source_key) == (42, "abc", "k")


def test_board_lease_of_a_crashed_process_expires(people, clock):
    from datetime import timedelta

    period_id = annual(people)
    assert people.status.claim_board(period_id, "-100") is not None
    clock.advance(timedelta(minutes=2))
    assert people.status.claim_board(period_id, "-100") is not None


def test_each_summary_moment_is_claimed_once(people):
    period_id = annual(people)
    assert people.status.claim_summary(period_id, "week-2026-11-30", "-100") is True
    assert people.status.claim_summary(period_id, "week-2026-11-30", "-100") is False
    people.status.release_summary(period_id, "week-2026-11-30")  # the send failed: free it for a retry
    assert people.status.claim_summary(period_id, "week-2026-11-30", "-100") is True
    people.status.summary_posted(period_id, "week-2026-11-30", 7)
    people.status.release_summary(period_id, "week-2026-11-30")  # posted: stays claimed
    assert people.status.summaries_posted(period_id) == ["week-2026-11-30"]


def test_fingerprint_changes_when_a_unit_submits(people):
    period_id = annual(people)
    before = people.status.fingerprint(period_id)
    assert people.status.fingerprint(period_id) == before
    submit(people, "khtc", KHTC_ANSWERS)
    assert people.status.fingerprint(period_id) != before


def test_export_records_an_audit_entry(people):
    from sqlmodel import select

    from storage.models import AuditLog

    files = people.status.export(actor(people, "1011"), annual(people))
    assert files.docx_name == "BC-thi-dua-2026-Y.docx" and files.xlsx_name == "Phu-luc-thi-dua-2026-Y.xlsx"
    assert files.docx[:2] == b"PK" and files.xlsx[:2] == b"PK" and files.missing == 8
    with people.db.session() as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "status.export")).first() is not None


def test_board_and_summary_outcomes_from_the_sender(people):
    """How a queued post ended, told by the sender through its ref: the lease is freed; a failed edit (the
    message was deleted) forgets the message so the next refresh posts anew; one in doubt keeps it."""
    period_id = annual(people)
    claim = people.status.claim_board(period_id, "-100")
    people.status.board_queued(claim.board_id, text_digest="abc", source_key="k")
    assert people.status.claim_board(period_id, "-100") is None  # waiting for the outcome
    ref = f"board:{claim.board_id}"
    assert people.status.note_post(ref, 42) and people.status.settle_post(ref, "sent")
    board = people.status.claim_board(period_id, "-100")
    assert board is not None and (board.message_id, board.digest) == (42, "abc")
    people.status.board_queued(board.board_id, text_digest="def", source_key="k2")
    people.status.settle_post(ref, "unknown")
    board = people.status.claim_board(period_id, "-100")
    assert board is not None and (board.message_id, board.digest) == (42, "")  # shown again, same message
    people.status.board_queued(board.board_id, text_digest="def", source_key="k2")
    people.status.settle_post(ref, "failed")
    board = people.status.claim_board(period_id, "-100")
    assert board is not None and board.message_id is None
    assert people.status.claim_summary(period_id, "week-2026-11-30", "-100")
    assert people.status.settle_post(f"summary:{period_id}:week-2026-11-30", "failed")
    assert people.status.summaries_posted(period_id) == []  # free for a later tick
    assert not people.status.settle_post("reminder:5", "sent") and not people.status.note_post("other", 1)
