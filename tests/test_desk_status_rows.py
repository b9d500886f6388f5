"""The status grid's rendered rows are kept per (locale, rows): the same rows render once, any change renders anew."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from bot.clock import TZ
from bot.contracts import UnitStage
from bot.i18n import I18n
from bot.services.desk.status import UnitRow
from bot.web.desk import templates
from bot.web.pages.status import RenderedRows


def row(unit_id: int, **change) -> UnitRow:  # noqa: ANN003
    base = UnitRow(unit_id=unit_id, unit_name=f"Phòng số {unit_id}", stage=UnitStage.DRAFT, answered=3, total=21,
                   deadline=date(2026, 12, 15), extension_reason=None, submitted_at=None, version=0, report_id=unit_id,
                   reminders=1, last_reminder_at=datetime(2026, 12, 1, 8, 0, tzinfo=TZ), open_difficulties=0)
    return replace(base, **change)


def test_the_same_rows_render_once_and_a_change_renders_anew():
    kept, env, i18n = RenderedRows(size=2), templates(), I18n()
    vi, en = i18n.get("vi"), i18n.get("en")
    rows = (row(1), row(2))
    first = kept.html(env, rows, vi)
    assert "đang soạn 3/21" in first and "Phòng số 2" in first
    assert kept.html(env, (row(1), row(2)), vi) is first  # equal rows (a new tuple): the kept HTML
    changed = kept.html(env, (row(1), row(2, open_difficulties=1)), vi)
    assert changed is not first and changed != first
    assert "3/21" in kept.html(env, rows, en) and kept.html(env, rows, en) is not first  # another language
    assert kept.html(env, rows, vi) is not first  # only the last two were kept: rendered again, the same text
    assert kept.html(env, rows, vi) == first
