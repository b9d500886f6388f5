"""One visibility rule for difficulties, per role, in every channel and document: lists, status and the annex."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.services.escalations.core import may_see
from tests.test_escalation_support import cast, raise_one  # noqa: F401  (fixture)
from tests.world import period_id as annual


def annex_text(xlsx: bytes) -> str:
    book = load_workbook(io.BytesIO(xlsx))
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell)


def setup_items(services, cast):  # noqa: ANN001, ANN201
    """Three items: the oldest one not assigned, one assigned to the first deputy director, one of another unit."""
    old = raise_one(services, cast.head, title="Vướng mắc cũ chưa giao").item_id
    mine = raise_one(services, cast.head, title="Vướng mắc giao Phó Giám đốc").item_id
    other = raise_one(services, cast.other_head, title="Vướng mắc của đơn vị khác").item_id
    services.escalations.forward(cast.office, mine)
    services.escalations.assign(cast.director, mine, cast.pgd.person_id)
    return old, mine, other


def test_summaries_follow_may_see_for_every_role(services, cast):
    items = setup_items(services, cast)
    everyone = [cast.head, cast.deputy, cast.other_head, cast.office, cast.office2, cast.director, cast.pgd, cast.pgd2]
    for person in everyone:
        shown = {s.item_id for s in services.escalations.summaries(viewer=person)}
        expected = {v.item_id for v in (services.escalations.get(cast.office, i) for i in items)
                    if may_see(person, v.unit_id, v.assignee_id)}
        assert shown == expected, person.full_name
        listed = {v.item_id for v in services.escalations.list_items(person)}
        assert listed == expected, person.full_name
    assert {s.item_id for s in services.escalations.summaries(viewer=cast.pgd)} == {items[1]}
    assert services.escalations.summaries(viewer=cast.pgd2) == []
    assert len(services.escalations.summaries()) == 3  # the Department itself (group board, command line)


def test_deputy_director_status_and_annex_show_only_assigned_items(services, cast):
    old, mine, other = setup_items(services, cast)
    period = annual(services)
    c = services.status.consolidation(cast.pgd, period)
    assert [e.item_id for e in c.open_escalations] == [mine]
    assert c.oldest_open.item_id == mine  # not the older item the deputy director may not see
    assert services.status.consolidation(cast.pgd2, period).oldest_open is None
    assert services.status.consolidation(cast.director, period).oldest_open.item_id == old
    files = services.status.export(cast.pgd, period)
    text = annex_text(files.xlsx)
    assert "Vướng mắc giao Phó Giám đốc" in text
    assert "Vướng mắc cũ chưa giao" not in text and "Vướng mắc của đơn vị khác" not in text
    assert "Vướng mắc của đơn vị khác" in annex_text(services.status.export(cast.office, period).xlsx)
