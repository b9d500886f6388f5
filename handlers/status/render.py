"""Status texts for chat: the full status, the group's board, the short summary, the period choice.

Plain functions of the status service's results (no Telegram), so Zalo gets the same text and tests need no bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.consolidation import Consolidation
from bot.contracts import COMMENDATION_FORMS, EMULATION_TITLES, UNIT_STAGE_LABELS, UnitProgress, UnitStage
from bot.i18n import N_, Translator
from bot.periods import period_title

if TYPE_CHECKING:
    from bot.services.periods.base import PeriodInfo

BOARD_LIMIT = 3900  # under Telegram's 4,096 characters, with room for the "updated at" line

STAGE_COUNT_LABELS = {
    UnitStage.ACCEPTED: N_("Accepted: {n}"),
    UnitStage.SUBMITTED_ON_TIME: N_("Submitted on time: {n}"),
    UnitStage.SUBMITTED_LATE: N_("Submitted late: {n}"),
    UnitStage.RETURNED: N_("Returned for revision: {n}"),
    UnitStage.DRAFT: N_("Being drafted: {n}"),
    UnitStage.NOT_STARTED: N_("Not started: {n}"),
    UnitStage.OVERDUE: N_("Overdue: {n}"),
}


def title_of(c: Consolidation, tr: Translator) -> str:
    return period_label(tr, c.period)


def period_label(tr: Translator, period: PeriodInfo) -> str:
    return period_title(tr, period.kind, period.year, period.phase)


def period_choice_text(tr: Translator, periods: list[PeriodInfo]) -> str:
    """"Which period?" and the numbered periods (a number typed answers it)."""
    lines = [tr.gettext("Which period? Choose one (you can type its number):")]
    lines += [f"{i}. {period_label(tr, p)} ({p.code})" for i, p in enumerate(periods, start=1)]
    return "\n".join(lines)


def chart_caption(tr: Translator, period: PeriodInfo) -> str:
    """The chart's caption: the period it shows."""
    return tr.gettext("Chart: {title}").format(title=period_label(tr, period))


def form_label(tr: Translator, code: str) -> str:
    labels = {**EMULATION_TITLES, **COMMENDATION_FORMS}
    return tr.gettext(labels[code]) if code in labels else code


def unit_line(u: UnitProgress, tr: Translator) -> str:
    """"Phòng Kế hoạch - Tài chính: đang soạn (12/18 câu)"."""
    _ = tr.gettext
    state = _(UNIT_STAGE_LABELS[u.stage])
    if u.stage == UnitStage.DRAFT and u.total:
        state += " " + _("({answered}/{total} questions)").format(answered=u.answered, total=u.total)
    elif u.has_submitted and u.submitted_at is not None:
        state += " " + _("(at {time})").format(time=tr.datetime(u.submitted_at))
    return f"{u.unit_name}: {state}"


def count_lines(c: Consolidation, tr: Translator) -> list[str]:
    _ = tr.gettext
    lines = [_("Submitted: {done}/{total} units").format(done=c.submitted_count, total=c.unit_count)]
    lines += ["- " + _(STAGE_COUNT_LABELS[stage]).format(n=n) for stage, n in c.stage_counts.items() if n]
    return lines


def indicator_lines(c: Consolidation, tr: Translator) -> list[str]:
    _ = tr.gettext
    t = c.totals
    lines = [_("Key indicators (units that submitted):")]
    if t.capital_plan:
        lines.append("- " + _("Public-investment capital: plan {plan}, disbursed {disbursed}, {pct} of plan "
                              "(target 100%)").format(plan=tr.money(t.capital_plan),
                                                      disbursed=tr.money(t.capital_disbursed),
                                                      pct=tr.percent(t.disbursement_pct or 0)))
    else:
        lines.append("- " + _("Public-investment capital: no unit has reported a capital plan yet"))
    lines.append("- " + _("Savings: {amount}").format(amount=tr.money(t.savings)))
    lines.append("- " + _("Initiatives: {n}").format(n=t.initiatives))
    if t.commendations:
        forms = "; ".join(f"{form_label(tr, code)}: {n}" for code, n in t.commendations_by_form.items())
        lines.append("- " + _("Commendation proposals: {n} ({forms})").format(n=t.commendations, forms=forms))
    else:
        lines.append("- " + _("Commendation proposals: {n}").format(n=0))
    return lines


def difficulty_lines(c: Consolidation, tr: Translator, titles: bool = True) -> list[str]:
    """The open difficulties; `titles=False` for a group chat: their number only, since a difficulty's title is
    shown in private only to those who may open it (a deputy director not assigned to it may not)."""
    _ = tr.gettext
    oldest = c.oldest_open
    if oldest is None:
        return [_("Open difficulties: none")]
    if not titles:
        return [_("Open difficulties: {n}").format(n=len(c.open_escalations))]
    days = (c.generated_at.date() - c.local_date(oldest.created_at)).days
    if days == 0:  # not "0 days ago" ("đã 0 ngày")
        line = _("Oldest: \"{title}\" ({unit}), raised today")
    elif days == 1:
        line = _("Oldest: \"{title}\" ({unit}), raised {date}, 1 day ago")
    else:
        line = _("Oldest: \"{title}\" ({unit}), raised {date}, {days} days ago")
    return [_("Open difficulties: {n}").format(n=len(c.open_escalations)),
            "- " + line.format(title=oldest.title, unit=oldest.unit_name,
                               date=tr.short_date(c.local_date(oldest.created_at)), days=days)]


def status_text(c: Consolidation, tr: Translator, in_group: bool = False) -> str:
    """The full answer to /tinhhinh: every unit listed (the sender splits it under the size limit); `in_group`:
    what a group may be shown (no difficulty titles)."""
    _ = tr.gettext
    head = [_("STATUS: {title}").format(title=title_of(c, tr).upper()),
            _("Deadline: {date}. As of {time}.").format(date=tr.date(c.period.deadline),
                                                      time=tr.datetime(c.generated_at))]
    # Bullets, not numbers: on Zalo the menu under this text is numbered, and "1." must mean one thing.
    units = [_("Units:")] + [f"- {unit_line(u, tr)}" for u in c.units]
    return "\n\n".join("\n".join(block) for block in
                       (head, count_lines(c, tr), units, indicator_lines(c, tr),
                        difficulty_lines(c, tr, titles=not in_group)))


def board_text(c: Consolidation, tr: Translator, limit: int = BOARD_LIMIT) -> str:
    """The group's message, without a time stamp (its digest must change only when the content does), and without
    difficulty titles (a group may see how many are open, not what they are).

    With many units it lists those that have not submitted first and stops before Telegram's limit.
    """
    _ = tr.gettext
    head = [_("STATUS: {title}").format(title=title_of(c, tr).upper()),
            _("Deadline: {date}.").format(date=tr.date(c.period.deadline))]
    tail_blocks = [count_lines(c, tr), indicator_lines(c, tr), difficulty_lines(c, tr, titles=False)]
    fixed = sum(len("\n".join(b)) + 2 for b in [head, *tail_blocks]) + 40
    ordered = sorted(c.units, key=lambda u: u.has_submitted)  # stable: unit order kept within each group
    units, used = [_("Units:")], 0
    for index, u in enumerate(ordered):
        line = f"- {unit_line(u, tr)}"
        if fixed + used + len(line) + 60 > limit:
            units.append(_("... and {n} more units").format(n=len(ordered) - index))
            break
        units.append(line)
        used += len(line) + 1
    return "\n\n".join("\n".join(block) for block in (head, tail_blocks[0], units, *tail_blocks[1:]))


def stamped(text: str, c: Consolidation, tr: Translator) -> str:
    return text + "\n\n" + tr.gettext("Updated at {time}.").format(time=tr.datetime(c.generated_at))


def summary_text(c: Consolidation, tr: Translator, after_deadline: bool) -> str:
    """The short scheduled summary: counts, who has not submitted, the key totals."""
    _ = tr.gettext
    if after_deadline:
        head = _("Summary after the deadline of {title} ({date}):").format(title=title_of(c, tr),
                                                                         date=tr.date(c.period.deadline))
    else:
        head = _("Weekly summary of {title} (deadline {date}):").format(title=title_of(c, tr),
                                                                        date=tr.date(c.period.deadline))
    lines = [head, _("Submitted: {done}/{total} units").format(done=c.submitted_count, total=c.unit_count)]
    waiting = [u.unit_name for u in c.units if not u.has_submitted]
    if waiting:
        shown = waiting[:15]
        more = _(" and {n} more").format(n=len(waiting) - len(shown)) if len(waiting) > len(shown) else ""
        lines.append(_("Not yet submitted: {names}").format(names="; ".join(shown)) + more)
    t = c.totals
    if t.capital_plan:
        lines.append(_("Capital disbursed: {pct} of plan (target 100%)").format(pct=tr.percent(t.disbursement_pct or 0)))
    lines.append(_("Open difficulties: {n}").format(n=len(c.open_escalations)))
    lines.append(_("Type /status for details."))
    return "\n".join(lines)
