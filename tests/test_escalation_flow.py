"""Every transition of an escalation, its history and audit entries, permissions, bad input and the summaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.contracts import EscalationState as S
from bot.domain import DomainError, NotFound, PermissionDenied
from bot.services.escalations.core import Superseded
from storage.models import AuditLog, Escalation, EscalationEvent
from tests.test_escalation_support import cast, raise_one  # noqa: F401  (fixture)


def audit_actions(services, item_id: int) -> list[str]:
    with services.db.session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.entity == "escalation",
                                                   AuditLog.entity_id == str(item_id)).order_by(AuditLog.id)).all()
        return [r.action for r in rows]


def test_raise_records_history_and_audit(services, cast):
    view = raise_one(services, cast.head, urgent=True)
    assert view.state == S.NEW and view.urgent and view.unit_name == "Phòng Kế hoạch - Tài chính"
    history = services.escalations.history(cast.office, view.item_id)
    assert [(h.action, h.from_state, h.to_state, h.actor_name) for h in history] == [
        ("raise", None, S.NEW, "Nguyễn Văn An")]
    assert audit_actions(services, view.item_id) == ["escalation.raise"]


def test_deputy_head_raises_for_own_unit_only(services, cast):
    view = raise_one(services, cast.deputy)
    assert view.unit_id == cast.head.unit_id
    for outsider in (cast.office, cast.director, cast.pgd):
        if outsider.reports_for_unit:
            continue
        with pytest.raises(PermissionDenied):
            raise_one(services, outsider)


def test_full_path_through_office_director_and_back(services, cast):
    svc = services.escalations
    item = raise_one(services, cast.head).item_id
    assert svc.receive(cast.office, item).state == S.WITH_OFFICE
    assert svc.ask_info(cast.office, item, "Đề nghị bổ sung số liệu giải ngân.").state == S.INFO_REQUESTED
    assert svc.add_info(cast.head, item, "Đã giải ngân 40%.").state == S.WITH_OFFICE
    view = svc.forward(cast.office, item, "Kính trình Giám đốc.")
    assert view.state == S.FORWARDED and view.office_note == "Kính trình Giám đốc."
    view = svc.instruct(cast.director, item, "Đồng ý điều chỉnh kế hoạch vốn.")
    assert view.state == S.INSTRUCTED and view.instruction_by == "Hoàng Văn Quang"
    assert svc.request_follow_up(cast.director, item).follow_up_by_office
    view = svc.confirm(cast.head, item, "Đã thực hiện.")
    assert view.state == S.CLOSED and view.outcome == "resolved" and view.closed_at is not None
    history = svc.history(cast.head, item)
    assert [(h.action, h.from_state, h.to_state) for h in history] == [
        ("raise", None, S.NEW), ("receive", S.NEW, S.WITH_OFFICE), ("ask", S.WITH_OFFICE, S.INFO_REQUESTED),
        ("add_info", S.INFO_REQUESTED, S.WITH_OFFICE), ("forward", S.WITH_OFFICE, S.FORWARDED),
        ("instruct", S.FORWARDED, S.INSTRUCTED), ("follow_up", S.INSTRUCTED, S.INSTRUCTED),
        ("confirm", S.INSTRUCTED, S.CLOSED)]
    assert history[2].text == "Đề nghị bổ sung số liệu giải ngân." and history[2].actor_name == "Lê Văn Hòa"
    assert audit_actions(services, item) == [
        "escalation.raise", "escalation.receive", "escalation.ask", "escalation.add_info", "escalation.forward",
        "escalation.instruct", "escalation.follow_up", "escalation.confirm"]
    with services.db.session() as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "escalation.forward")).one()
        assert entry.before["state"] == "with_office" and entry.after["state"] == "forwarded"
        assert entry.actor_id == cast.office.person_id


def test_office_answers_directly_and_unit_replies(services, cast):
    svc = services.escalations
    item = raise_one(services, cast.head).item_id
    view = svc.answer(cast.office, item, "Thuộc thẩm quyền Văn phòng: đã bố trí xe.")
    assert view.state == S.INSTRUCTED and view.office_answer_by == "Lê Văn Hòa" and view.instruction is None
    assert svc.reply(cast.head, item, "Chưa đủ, cần thêm một xe.").state == S.WITH_OFFICE
    view = svc.close(cast.office, item, "Đã bố trí thêm xe.")
    assert view.state == S.CLOSED and view.outcome == "resolved" and view.outcome_note == "Đã bố trí thêm xe."


def test_close_as_duplicate(services, cast):
    svc = services.escalations
    first = raise_one(services, cast.head).item_id
    second = raise_one(services, cast.head, title="Giải ngân chậm (lần 2)").item_id
    with pytest.raises(DomainError):
        svc.close_duplicate(cast.office, second, second)
    with pytest.raises(DomainError):
        svc.close_duplicate(cast.office, second, 9999)
    view = svc.close_duplicate(cast.office, second, first, "Trùng nội dung.")
    assert view.state == S.CLOSED and view.outcome == "duplicate" and view.duplicate_of_id == first
    with pytest.raises(DomainError):  # the original cannot now be closed as a duplicate of its duplicate
        svc.close_duplicate(cast.office, first, second)


def test_director_quick_replies_and_assignment(services, cast):
    svc = services.escalations
    item = raise_one(services, cast.head).item_id
    svc.forward(cast.office, item)
    with pytest.raises(PermissionDenied):  # not assigned yet
        svc.get(cast.pgd, item)
    with pytest.raises(DomainError):
        svc.assign(cast.director, item, cast.office.person_id)
    view = svc.assign(cast.director, item, cast.pgd.person_id)
    assert view.state == S.FORWARDED and view.assignee == "Lý Thị Ngọc" and view.step == 3
    with pytest.raises(PermissionDenied):
        svc.instruct(cast.pgd2, item, "Không phải việc của tôi")
    with pytest.raises(PermissionDenied):
        svc.assign(cast.pgd, item, cast.pgd2.person_id)  # only the Director assigns
    view = svc.instruct(cast.pgd, item, kind="see_me")
    assert view.state == S.INSTRUCTED and view.instruction_kind == "see_me" and view.instruction
    assert [s.instruction_by for s in svc.summaries()] == ["Lý Thị Ngọc"]


def test_every_quick_reply_kind(services, cast):
    svc = services.escalations
    for kind in ("agreed", "not_agreed", "see_me"):
        item = raise_one(services, cast.head, title=kind).item_id
        svc.forward(cast.office, item)
        assert svc.instruct(cast.director, item, kind=kind).instruction_kind == kind
    with pytest.raises(DomainError):
        svc.instruct(cast.director, item, kind="maybe")


def test_who_sees_what(services, cast):
    svc = services.escalations
    mine = raise_one(services, cast.head).item_id
    theirs = raise_one(services, cast.other_head, title="Thiết bị hỏng").item_id
    assert [v.item_id for v in svc.list_items(cast.head)] == [mine]
    assert [v.item_id for v in svc.list_items(cast.deputy)] == [mine]
    assert [v.item_id for v in svc.list_items(cast.other_head)] == [theirs]
    assert {v.item_id for v in svc.list_items(cast.office)} == {mine, theirs}
    assert {v.item_id for v in svc.list_items(cast.director)} == {mine, theirs}
    assert svc.list_items(cast.pgd) == []
    assert [v.item_id for v in svc.list_items(cast.office, unit_id=cast.other_head.unit_id)] == [theirs]
    with pytest.raises(PermissionDenied):
        svc.get(cast.other_head, mine)
    with pytest.raises(PermissionDenied):
        svc.history(cast.other_head, mine)
    with pytest.raises(PermissionDenied):
        svc.add_info(cast.other_head, mine, "chen ngang")
    with pytest.raises(PermissionDenied):
        svc.forward(cast.head, mine)  # a unit head is not the Office
    with pytest.raises(PermissionDenied):
        svc.confirm(cast.office, mine)  # the Office is not the unit
    with pytest.raises(NotFound):
        svc.get(cast.office, 9999)
    with services.db.session() as session:  # refused attempts leave no trace
        assert len(session.exec(select(EscalationEvent).where(EscalationEvent.escalation_id == mine)).all()) == 1


def test_states_filter(services, cast):
    svc = services.escalations
    a = raise_one(services, cast.head, title="A").item_id
    b = raise_one(services, cast.head, title="B").item_id
    svc.forward(cast.office, b)
    assert [v.item_id for v in svc.list_items(cast.office, states=[S.FORWARDED])] == [b]
    assert [v.item_id for v in svc.list_items(cast.office, states=[S.NEW, S.WITH_OFFICE])] == [a]


def test_forward_twice_and_reply_to_closed_item(services, cast):
    svc = services.escalations
    item = raise_one(services, cast.head).item_id
    svc.forward(cast.office, item, "Kính trình")
    with pytest.raises(Superseded) as second:
        svc.forward(cast.office, item)
    assert second.value.item.state == S.FORWARDED and second.value.last.action == "forward"
    assert not second.value.kept
    svc.instruct(cast.director, item, "Đồng ý")
    svc.close(cast.office, item)
    with pytest.raises(Superseded) as late:
        svc.instruct(cast.director, item, "Bổ sung ý kiến: báo cáo lại trong tuần.")
    assert late.value.kept and late.value.item.state == S.CLOSED
    last = svc.history(cast.office, item)[-1]
    assert (last.action, last.text, last.to_state) == ("comment", "Bổ sung ý kiến: báo cáo lại trong tuần.", S.CLOSED)
    with services.db.session() as session:
        assert session.get(Escalation, item).instruction == "Đồng ý"  # the closed item was not reopened or changed


def test_bad_input_is_refused_whole(services, cast):
    svc = services.escalations
    with pytest.raises(DomainError):
        svc.raise_item(cast.head, title="Tiêu đề", description="   ")
    with pytest.raises(DomainError):
        svc.raise_item(cast.head, title="", description="Mô tả")
    with pytest.raises(DomainError) as long:
        svc.raise_item(cast.head, title="Tiêu đề", description="x" * 10_000)
    assert long.value.params == {"n": 10_000, "limit": 3000}
    with pytest.raises(DomainError):
        svc.raise_item(cast.head, title="t" * 201, description="Mô tả")
    assert svc.list_items(cast.office, states=list(S)) == []  # nothing stored half-way
    item = raise_one(services, cast.head).item_id
    with pytest.raises(DomainError):
        svc.answer(cast.office, item, "")
    with pytest.raises(DomainError):
        svc.instruct(cast.director, item, "y" * 10_000)
    assert svc.get(cast.office, item).state == S.NEW and len(svc.history(cast.office, item)) == 1


def test_nfd_text_is_stored_nfc(services, cast):
    import unicodedata

    title = unicodedata.normalize("NFD", "Vướng mắc về đất đai")
    view, _ = services.escalations.raise_item(cast.head, title=title, description=title)
    assert view.title == "Vướng mắc về đất đai" and view.description == "Vướng mắc về đất đai"


def test_same_draft_sent_twice_creates_one_item(services, cast):
    svc = services.escalations
    one, created = svc.raise_item(cast.head, title="A", description="B", draft_key="2001:abc")
    two, again = svc.raise_item(cast.head, title="A", description="B", draft_key="2001:abc")
    assert created and not again and one.item_id == two.item_id
    assert len(svc.list_items(cast.office)) == 1


def test_summaries_by_window_and_unit(services, cast, clock):
    svc = services.escalations
    old = raise_one(services, cast.head, title="Cũ").item_id
    svc.close(cast.office, old)
    clock.advance(timedelta(days=40))
    new = raise_one(services, cast.other_head, title="Mới").item_id
    svc.forward(cast.office, new)
    svc.instruct(cast.director, new, "Giao Phòng QLKH chủ trì.")
    today = clock.today()
    assert [s.item_id for s in svc.summaries()] == [old, new]
    assert [s.item_id for s in svc.summaries(since=today - timedelta(days=5))] == [new]
    assert [s.item_id for s in svc.summaries(until=today - timedelta(days=5))] == [old]
    assert [s.item_id for s in svc.summaries(unit_id=cast.head.unit_id)] == [old]
    summary = svc.summaries(since=today)[0]
    assert summary.instruction == "Giao Phòng QLKH chủ trì." and summary.instruction_by == "Hoàng Văn Quang"
    assert summary.state == S.INSTRUCTED and summary.unit_name == "Phòng Quản lý Khoa học"
    # an item still open years later is still in every window after it was raised
    assert [s.item_id for s in svc.summaries(since=date(2030, 1, 1), until=date(2030, 1, 2))] == [new]
