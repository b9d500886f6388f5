"""The pure consolidation: counts, sums, commendations by form, missing units, difficulties, schedules, texts."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import TZ
from bot.consolidation import consolidate, unit_figures
from bot.contracts import UnitStage
from bot.documents.criteria import merge, place
from bot.i18n import I18n
from bot.services.status.schedule import AFTER_DEADLINE, SummarySchedule, due_moments
from handlers.status.render import board_text, status_text, summary_text
from tests.status_samples import KHTC, NOW, THANHTRA, TTUD, period, progress, report, sample_inputs


def built():  # noqa: ANN201
    p, units, reports, escalations = sample_inputs()
    return consolidate(p, units, reports, escalations, NOW)


def test_counts_per_stage_and_missing_units():
    c = built()
    assert c.unit_count == 4 and c.submitted_count == 3
    assert c.stage_counts[UnitStage.SUBMITTED_ON_TIME] == 1
    assert c.stage_counts[UnitStage.SUBMITTED_LATE] == 1
    assert c.stage_counts[UnitStage.ACCEPTED] == 1
    assert c.stage_counts[UnitStage.NOT_STARTED] == 1
    assert c.stage_counts[UnitStage.OVERDUE] == 0
    assert [u.unit_name for u in c.missing] == [THANHTRA]


def test_indicators_are_summed_over_units():
    t = built().totals
    assert t.capital_plan == 15_000_000_000  # a string "5000000000" from an older answer counts too
    assert t.capital_disbursed == 13_500_000_000
    assert t.capital_units == 2
    assert round(t.disbursement_pct, 1) == 90.0 and round(t.disbursement_gap, 1) == 10.0
    assert t.savings == 400_000_000
    assert t.initiatives == 3 and t.exemplars == 1
    assert t.commendations == 3


def test_commendations_grouped_by_form_highest_first():
    c = built()
    assert list(c.totals.commendations_by_form) == ["bk_thu_tuong", "bk_ubnd_tinh", "giay_khen_gd"]
    assert [x.form for x in c.commendations] == ["bk_thu_tuong", "bk_ubnd_tinh", "giay_khen_gd"]
    assert c.commendations[0].unit_name == TTUD


def test_capital_ignored_when_the_unit_holds_none():
    figures = unit_figures(report(9, "X", {"capital_holds": False, "capital_plan": 5, "capital_disbursed": 5}))
    assert (figures.capital_plan, figures.capital_disbursed, figures.holds_capital) == (0, 0, False)
    odd = unit_figures(report(9, "X", {"thrift_savings": "abc", "initiatives": "not a list"}))
    assert odd.savings == 0 and odd.initiatives == 0


def test_open_difficulties_and_the_oldest():
    c = built()
    assert [e.item_id for e in c.escalations] == [3, 1, 2]  # last year's closed item is left out
    assert [e.item_id for e in c.open_escalations] == [1, 2]
    assert c.oldest_open.title == "Chậm phân bổ vốn"


def test_no_reports_at_all():
    c = consolidate(period(), [progress(1, KHTC, UnitStage.OVERDUE)], [], [], NOW)
    assert c.totals.capital_plan == 0 and c.totals.disbursement_pct is None
    assert [u.unit_name for u in c.missing] == [KHTC]
    assert "Open difficulties: none" in status_text(c, I18n().get("en"))


def test_status_texts_in_both_languages():
    c = built()
    vi = status_text(c, I18n().get("vi"))
    assert "Đã nộp: 3/4 phòng, đơn vị" in vi
    assert "15.000.000.000 đồng" in vi and "90% kế hoạch" in vi
    assert "Chậm phân bổ vốn" in vi
    en = status_text(c, I18n().get("en"))
    assert "Submitted: 3/4 units" in en and "Savings: 400,000,000 VND" in en
    short = summary_text(c, I18n().get("vi"), after_deadline=True)
    assert THANHTRA in short and "3/4" in short


def test_board_text_stays_under_the_telegram_limit_with_many_units():
    units = [progress(i, f"Đơn vị số {i}", UnitStage.NOT_STARTED if i % 3 else UnitStage.ACCEPTED)
             for i in range(1, 1001)]
    c = consolidate(period(), units, [], [], NOW)
    text = board_text(c, I18n().get("vi"))
    assert len(text) < 4000
    assert "Đơn vị số 1:" in text  # those that have not submitted come first
    assert "và" in text.splitlines()[-1] or "đơn vị khác" in text


def test_summary_moments_each_monday_of_the_window_and_after_the_deadline():
    schedule = SummarySchedule.parse("mon", "08:00", True)
    p = period()  # opens 15/11/2026, deadline 20/12/2026 (a Sunday)
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)
    assert due_moments(p, monday - timedelta(minutes=1), schedule) == []
    assert due_moments(p, monday, schedule) == ["week-2026-11-30"]
    assert due_moments(p, monday + timedelta(days=1), schedule) == []
    assert due_moments(p, datetime(2026, 12, 21, 9, 0, tzinfo=TZ), schedule) == ["week-2026-12-21"][:0] + [AFTER_DEADLINE]
    assert due_moments(p, datetime(2026, 11, 9, 9, 0, tzinfo=TZ), schedule) == []  # before the window opens
    assert SummarySchedule.parse("t2, T5", "07:30", False).weekdays == frozenset({0, 3})


def test_answers_are_placed_under_the_plan_criteria():
    assert place("infra_digital")[1] == "digital"
    assert place("thrift_norms")[1] == "norms"
    assert place("thrift_admin_reform")[0].code == "thrift"  # the prefix decides the section first
    assert place("infra_unknown_topic")[1] == ""
    assert place("something_else") is None
    sections = merge(built().reports)
    digital = sections[0].criteria["digital"].contributions
    assert [(x.unit_name, x.text) for x in digital][0] == (KHTC, "Triển khai hệ thống quản lý văn bản điều hành "
                                                                "liên thông bốn cấp.")
    centre = sections[1].criteria["centre"].contributions
    assert centre[0].unit_name == TTUD
