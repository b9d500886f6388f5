"""The review side's texts (handlers/reports/review.py's, and the notices the Office receives from the unit's side):
the lists /viewreport offers, the submission and revision notices, a version in full, and the decision each side
receives. Channel-neutral, like handlers/reports/render.py (the unit's filling screens)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.callbacks import Rep, data
from bot.contracts import (
    Q_CAPITAL_HOLDS, Q_COMMENDATIONS, Q_DIFFICULTIES, Q_EXEMPLARS, Q_INITIATIVES, Q_SAVINGS, UNIT_STAGE_LABELS,
    ReportState, UnitStage,
)
from bot.domain import Button, OutMessage
from bot.i18n import Translator
from bot.periods import period_title
from bot.questionnaire.model import pick_text, answered_count
from bot.services.reports.base import ReportRef
from bot.services.reports.review import ReportView, ReviewResult, UnitReportLine
from handlers.reports.render import answers_text, stage_word, title_of

if TYPE_CHECKING:
    from bot.services.periods.base import PeriodInfo


def render_office_notice(tr: Translator, view: ReportView, can_review: bool = True) -> OutMessage:
    """What every Office member receives when a unit submits: a short summary and the decision buttons (only for
    those who may review it: not the unit's own people)."""
    _ = tr.gettext
    ref, shown = view.ref, view.shown
    answers = view.answers
    lines = [_("{unit} has submitted the {title}, version {version}, on {when} (submitted by {name}).").format(
        unit=ref.unit_name, title=title_of(tr, ref), version=view.shown_version, when=tr.datetime(shown.submitted_at),
        name=shown.submitted_by)]
    if shown.is_late:
        lines.append(_("Submitted after the deadline ({deadline}): marked late.").format(
            deadline=tr.short_date(ref.period.deadline)))
    answered = answered_count(view.applicable, answers)
    lines.append(_("Questions answered: {answered}/{total}.").format(answered=answered, total=len(view.applicable)))
    lines += _key_figures(tr, view)
    view_button = [Button(_("View in full"), data(Rep.VIEW, ref.report_id, view.shown_version))]
    if not can_review:
        lines.append(_("This is your own unit's report: another member of the Administration Office reviews it."))
        return OutMessage("\n".join(lines), [view_button])
    lines.append(_("Please accept it, or return it to the unit with a comment."))
    return OutMessage("\n".join(lines), [[
        Button(_("Accept"), data(Rep.ACCEPT, ref.report_id, view.shown_version)),
        Button(_("Return with a comment"), data(Rep.RETURN, ref.report_id, view.shown_version)),
    ], view_button])


def _key_figures(tr: Translator, view: ReportView) -> list[str]:
    """The figures the Office looks at first, from the contract's question ids."""
    _ = tr.gettext
    answers, lines = view.answers, []
    for item in view.questionnaire.derived:
        if item.id in view.derived:
            lines.append(f"{pick_text(item.label, tr.locale)}: {tr.percent(view.derived[item.id], digits=1)}")
    if answers.get(Q_CAPITAL_HOLDS) is False:
        lines.append(_("No public-investment capital plan."))
    if isinstance(answers.get(Q_SAVINGS), int):
        lines.append(_("Savings: {amount}").format(amount=tr.money(answers[Q_SAVINGS])))
    lines.append(_("Initiatives: {i}; exemplary collectives and individuals: {e}; commendation proposals: {c}.").format(
        i=len(answers.get(Q_INITIATIVES) or []), e=len(answers.get(Q_EXEMPLARS) or []),
        c=len(answers.get(Q_COMMENDATIONS) or [])))
    if answers.get(Q_DIFFICULTIES):
        lines.append(_("Difficulties reported: {text}").format(text=_short(answers[Q_DIFFICULTIES])))
    return lines


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_view(tr: Translator, view: ReportView, can_review: bool) -> OutMessage:
    """A version (or the unit's working draft) in full, read-only, with buttons for the other versions."""
    _ = tr.gettext
    ref, shown = view.ref, view.shown
    lines = [f"{title_of(tr, ref)} - {ref.unit_name}"]
    if shown is None:
        lines.append(_("Working draft, not submitted yet ({answered}/{total} questions answered).").format(
            answered=ref.answered, total=ref.total))
    else:
        late = _(" (late)") if shown.is_late else ""
        lines.append(_("Version {version}, submitted on {when} by {name}{late}.").format(
            version=shown.version, when=tr.datetime(shown.submitted_at), name=shown.submitted_by, late=late))
        lines.append(review_state_text(tr, shown))
    lines.append(answers_text(tr, view.questionnaire, view.applicable, view.answers, numbered=False))
    if view.contributors:
        people = ", ".join(f"{name} ({count})" for name, count in view.contributors)
        lines += ["", _("Answers entered by: {people}.").format(people=people)]
    buttons: list[list[Button]] = []
    others = [Button(_("Version {n}").format(n=v.version), data(Rep.VIEW, ref.report_id, v.version))
              for v in view.versions if v.version != view.shown_version]
    buttons += [others[i:i + 4] for i in range(0, len(others), 4)]
    if can_review and ref.state == ReportState.SUBMITTED and view.shown_version == ref.version:
        buttons.append([Button(_("Accept"), data(Rep.ACCEPT, ref.report_id, ref.version)),
                        Button(_("Return with a comment"), data(Rep.RETURN, ref.report_id, ref.version))])
    return OutMessage("\n".join(lines), buttons)


def review_state_text(tr: Translator, shown: Any) -> str:
    _ = tr.gettext
    if shown.review_state == "accepted":
        return _("Accepted by {name} on {when}.").format(name=shown.reviewed_by, when=tr.datetime(shown.reviewed_at))
    if shown.review_state == "returned":
        return _("Returned by {name} on {when} with the comment: {comment}").format(
            name=shown.reviewed_by, when=tr.datetime(shown.reviewed_at), comment=shown.review_comment)
    if shown.review_state == "withdrawn":
        return _("Taken back by the unit for revision.")
    return _("Waiting for the Administration Office to review it.")


def render_decision_for_unit(tr: Translator, result: ReviewResult) -> OutMessage:
    """What the unit's head and deputy receive when the Office accepts or returns their report."""
    _ = tr.gettext
    ref = result.ref
    if result.comment is None:
        return OutMessage(_("The Administration Office ({name}) has accepted the {title} of {unit} (version "
                            "{version}). Thank you.").format(name=result.reviewer, title=title_of(tr, ref),
                                                             unit=ref.unit_name, version=result.version))
    text = _("The Administration Office ({name}) has returned the {title} of {unit} (version {version}) for "
             "revision, with this comment:\n{comment}\n\nPlease revise it and submit it again: choose \"Open the "
             "report\" or type /report.").format(name=result.reviewer, title=title_of(tr, ref), unit=ref.unit_name,
                                              version=result.version, comment=result.comment)
    return OutMessage(text, [[Button(_("Open the report"), data(Rep.OPEN, ref.period_id))]])

def render_decision_for_office(tr: Translator, result: ReviewResult) -> OutMessage:
    """What the other Office members receive, so nobody reviews the same version twice."""
    _ = tr.gettext
    values = {"name": result.reviewer, "title": title_of(tr, result.ref), "unit": result.ref.unit_name,
              "version": result.version}
    if result.comment is None:
        return OutMessage(_("For information: {name} has accepted the {title} of {unit} (version {version}).")
                          .format(**values))
    return OutMessage(_("For information: {name} has returned the {title} of {unit} (version {version}) for "
                        "revision.").format(**values))


def unit_stage_word(tr: Translator, stage: UnitStage) -> str:
    return tr.gettext(UNIT_STAGE_LABELS[stage])


def render_reopened_notice(tr: Translator, name: str, ref: ReportRef) -> OutMessage:
    """What the other Office members receive when a unit takes back a submitted version to revise it."""
    return OutMessage(tr.gettext("{name} ({unit}) has taken back version {version} of the {title} to revise it. You "
                                 "will be notified when it is submitted again.").format(
        name=name, unit=ref.unit_name, version=ref.version, title=title_of(tr, ref)))


Choices = list[tuple[str, str]]  # (label of a numbered line, the callback data it stands for)


def viewable_periods_menu(tr: Translator, periods: list[PeriodInfo]) -> tuple[str, Choices]:
    """/viewreport for the Office and the leadership: which period, by number."""
    _ = tr.gettext
    choices = [(f"{n}. {period_title(tr, p.kind, p.year, p.phase)}", data(Rep.VIEW_PERIOD, p.period_id))
               for n, p in enumerate(periods, start=1)]
    text = "\n".join([_("Which reporting period?"), *(label for label, _data in choices),
                      _("Choose a period (you can type its number).")])
    return text, choices


def unit_reports_menu(tr: Translator, unit_name: str, refs: list[ReportRef]) -> tuple[str, Choices]:
    """/viewreport for a unit's people: the unit's reports, by number."""
    _ = tr.gettext
    choices = [(f"{n}. {title_of(tr, r)} - {stage_word(tr, r)}", data(Rep.VIEW, r.report_id, 0))
               for n, r in enumerate(refs, start=1)]
    text = "\n".join([_("Reports of {unit}:").format(unit=unit_name), *(label for label, _d in choices),
                      _("Choose a report (you can type its number).")])
    return text, choices


def period_reports_menu(tr: Translator, info: PeriodInfo, lines: list[UnitReportLine]) -> tuple[str, Choices]:
    """A period's units and where each stands, then the submitted ones by number (no choices: none submitted)."""
    _ = tr.gettext
    text = [_("{title}: the units' reports").format(title=period_title(tr, info.kind, info.year, info.phase))]
    choices: Choices = []
    for line in lines:
        text.append(f"- {line.unit_name}: {unit_stage_word(tr, line.stage)}")
        if line.report_id and line.version:
            choices.append((f"{len(choices) + 1}. {line.unit_name}", data(Rep.VIEW, line.report_id, 0)))
    if choices:
        text += ["", _("Submitted reports:"), *(label for label, _d in choices),
                 _("Choose a unit (you can type its number).")]
    else:
        text += ["", _("No unit has submitted this report yet.")]
    return "\n".join(text), choices


def accepted_text(tr: Translator, result: ReviewResult, told: bool) -> str:
    """The reviewer's answer after accepting: whether the unit has been told, or must be told directly."""
    _ = tr.gettext
    accepted = (_("Accepted: {title} of {unit}, version {version}. The unit has been told.") if told else
                _("Accepted: {title} of {unit}, version {version}. No one in the unit can be reached through "
                  "the assistant: please tell them directly."))
    return accepted.format(title=title_of(tr, result.ref), unit=result.ref.unit_name, version=result.version)
