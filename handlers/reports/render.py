"""Report screens as channel-neutral messages (plain text plus buttons; Zalo shows the same text without them).

No Telegram import here: a Zalo adapter renders with these functions too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.callbacks import Esc, Rep, data
from bot.contracts import Q_DIFFICULTIES, ReportState
from bot.domain import Button, OutMessage
from bot.i18n import N_, Translator
from bot.periods import period_title
from bot.questionnaire.display import format_item, format_value
from bot.questionnaire.model import QType, Question, Questionnaire, pick_text, answered_count
from bot.services.reports.base import Mode, ReportRef, Screen

if TYPE_CHECKING:
    from bot.services.periods.base import PeriodInfo

BUTTON_LABEL = 48  # longer option labels are cut on the button; the full text is in the message

HINTS = {
    QType.TEXT: N_("Please type your answer."),
    QType.YESNO: N_("Answer \"có\" (yes) or \"không\" (no)."),
    QType.SINGLE: N_("Choose one option (you can type its number)."),
    QType.MULTI: N_("Type the numbers of your choices separated by commas (for example \"1, 3\")."),
    QType.INTEGER: N_("Type a whole number, for example 12."),
    QType.MONEY: N_("Type the amount in đồng, for example 1.234.567, 250 triệu, 1,5 tỷ or 2 tỷ 300 triệu."),
    QType.PERCENT: N_("Type a percentage, for example 80 or 80,5%."),
    QType.DATE: N_("Type the date as day/month/year, for example 15/01/2026."),
    QType.DOCREF: N_("Type the document's number and symbol, for example 15/KH-SKHCN."),
    QType.ATTACHMENT: N_("Send a photo or a file in this chat."),
}


_SECTION_NUMBER = re.compile(r"^\s*(\d{1,2})\.\s+")
_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out, number = out + letters, number - value
    return out


def section_heading(label: str) -> str:
    """A section's label with its number as a Roman numeral ("1. Phát triển…" -> "I. Phát triển…"), as in an official
    report: on Zalo a heading's "1." would otherwise read like choice 1 of the menu in the same message."""
    match = _SECTION_NUMBER.match(label)
    if match is None or not 1 <= int(match.group(1)) <= 39:
        return label
    return f"{roman(int(match.group(1)))}. {label[match.end():]}"


def title_of(tr: Translator, ref: ReportRef) -> str:
    return period_title(tr, ref.period.kind, ref.period.year, ref.period.phase)


def stage_word(tr: Translator, ref: ReportRef) -> str:
    """Where one's own report stands, in a few words: "in progress (5/21)", "submitted, version 1"..."""
    _ = tr.gettext
    if ref.state == ReportState.SUBMITTED:
        return _("submitted, version {version}").format(version=ref.version)
    if ref.state == ReportState.ACCEPTED:
        return _("accepted, version {version}").format(version=ref.version)
    if ref.state == ReportState.RETURNED:
        return _("returned for revision")
    return _("in progress ({answered}/{total})").format(answered=ref.answered, total=ref.total)


def open_periods_menu(tr: Translator, unit_name: str, periods: list[tuple[PeriodInfo, ReportRef | None]]
                      ) -> tuple[str, list[tuple[str, str]]]:
    """/report's numbered list of the periods open for the unit, each with where its report stands, and the
    choices (label, callback data) behind the numbers."""
    _ = tr.gettext
    lines, choices = [_("Reporting periods open for {unit}:").format(unit=unit_name)], []
    for number, (info, ref) in enumerate(periods, start=1):
        title = title_of(tr, ref) if ref else period_title(tr, info.kind, info.year, info.phase)
        where = stage_word(tr, ref) if ref else _("not started")
        lines.append(_("{n}. {title} - deadline {deadline} - {where}").format(
            n=number, title=title, deadline=tr.short_date(info.deadline), where=where))
        choices.append((f"{number}. {title}", data(Rep.OPEN, info.period_id)))
    lines.append(_("Choose a period (you can type its number)."))
    return "\n".join(lines), choices


def note_text(tr: Translator, note: str | None, params: dict[str, Any]) -> str:
    """A service note (msgid) with its parameters in the reader's language and formats."""
    if not note:
        return ""
    shown = {}
    for key, value in params.items():
        if isinstance(value, dict) and "vi" in value:
            shown[key] = pick_text(value, tr.locale)
        elif key.endswith("_pct") and isinstance(value, (int, float)):
            shown[key] = tr.percent(value, digits=2)
        else:
            shown[key] = value
    return tr.gettext(note).format(**shown)


def _data(ref: ReportRef, code: str) -> str:
    return data(Rep.ANSWER, ref.report_id, ref.step, code)


def _cut(label: str) -> str:
    return label if len(label) <= BUTTON_LABEL else label[: BUTTON_LABEL - 1].rstrip() + "…"


def render_screen(tr: Translator, screen: Screen, error: str | None = None, page: int | None = 0) -> OutMessage:
    """Whatever the report's conversation shows now, with `error` (a refused answer) on top."""
    head = [line for line in (error, note_text(tr, screen.note, screen.note_params)) if line]
    if screen.mode == Mode.REVIEW:
        out = render_review(tr, screen, page)
    elif screen.mode == Mode.CONFIRM:
        out = render_confirm(tr, screen)
    elif screen.mode == Mode.LOCKED:
        out = render_locked(tr, screen.ref)
    elif screen.mode == Mode.LEFT:
        out = OutMessage(tr.gettext("Your answers are saved ({answered}/{total}). Type /report whenever you "
                                    "want to continue; you will start exactly where you stopped.").format(
            answered=screen.ref.answered, total=screen.ref.total))
    else:
        out = render_question(tr, screen, error)
    if head:
        out.text = "\n\n".join([*head, out.text])
    return out


def _first_of_type(screen: Screen, target: Question) -> bool:
    """The first question of its kind in this report: the only one (besides mistakes) that explains the format."""
    if screen.group_field is not None:
        return not screen.item and not (screen.value or [])
    return next((q for q in screen.applicable if q.type == target.type), None) is target


def render_question(tr: Translator, screen: Screen, error: str | None = None) -> OutMessage:
    _ = tr.gettext
    loc, ref, question, field_ = tr.locale, screen.ref, screen.question, screen.group_field
    section = screen.questionnaire.section(question.section_id)
    # One header line; the report's title only on the first question (a phone shows little at a time).
    lines = [f"{title_of(tr, ref)} - {ref.unit_name}"] if screen.position == 1 and field_ is None else []
    first_in_section = next((q for q in screen.applicable if q.section_id == question.section_id), None) is question
    if section and (first_in_section or screen.position == 1 or error) and field_ is None:
        lines += [_("Question {n}/{total} - {section}").format(n=screen.position, total=len(screen.applicable),
                                                               section=section_heading(section.label(loc))), ""]
    else:
        lines += [_("Question {n}/{total}").format(n=screen.position, total=len(screen.applicable))]
    buttons: list[list[Button]] = []
    items = list(screen.value or []) if question.type == QType.GROUP else []
    if question.type == QType.GROUP and field_ is None:
        lines.append(question.label(loc))
        if question.help_text(loc):
            lines.append(question.help_text(loc))
        lines.append("")
        if items:
            lines.append(_("Entries so far:"))
            lines += [f"{i}) {format_item(question, item, tr)}" for i, item in enumerate(items, start=1)]
        else:
            lines.append(_("No entries yet."))
        first_list = next((q for q in screen.applicable if q.type == QType.GROUP), None) is question
        if error or first_list and not items:  # how lists work: once, and again after a mistake
            lines.append("")
            lines.append(_("Type \"thêm\" (add) to add an entry, \"xóa\" and its number (for example \"xóa 2\") to "
                           "remove one, and \"xong\" (done) when the list is complete."))
        buttons.append([Button(_("Add"), _data(ref, "add")), Button(_("Done"), _data(ref, "ok"))])
        removals = [Button(_("Remove {n}").format(n=i), _data(ref, f"d{i}")) for i in range(1, len(items) + 1)]
        buttons += [removals[i:i + 4] for i in range(0, len(removals), 4)]
        buttons.append([Button(_("Back"), _data(ref, "b")), Button(_("Save and leave"), _data(ref, "l"))])
        return OutMessage("\n".join(lines), buttons)
    target = field_ or question
    current: Any = screen.item.get(field_.id) if field_ else screen.value
    has_value = (field_.id in screen.item) if field_ else screen.has_value and screen.value is not None
    if field_ is not None:
        lines.append(_("{group}, entry {n}:").format(group=question.short_label(loc), n=len(items) + 1))
    lines.append(target.label(loc))
    if target.help_text(loc):
        lines.append(target.help_text(loc))
    if target.type in (QType.SINGLE, QType.MULTI):
        lines.append("")
        lines += [f"{i}. {o.text(loc)}" for i, o in enumerate(target.options, start=1)]
    if has_value:
        lines += ["", _("Current answer: {value}").format(value=format_value(target, current, tr).strip())]
    # The picks of a multiple choice show as ✓ on its buttons (toggling is a button action; typing "1, 3" answers).
    # The instructions: at the start, and after a mistake (whose message already says the format); the format
    # also the first time a kind of answer is asked, unless the question's own help gives an example.
    if not error and (screen.position == 1 and field_ is None or
                      _first_of_type(screen, target) and not target.help_text(loc)):
        lines += ["", tr.gettext(HINTS[target.type])]
    if error or screen.position == 1 and field_ is None:
        if has_value:  # "bỏ qua" keeps the answer given
            words = _("You can also type \"quay lại\" (back), \"giữ nguyên\" (keep) or \"tạm dừng\" (save and leave).")
        elif target.required:  # a required question cannot be skipped: do not offer it
            words = _("You can also type \"quay lại\" (back) or \"tạm dừng\" (save and leave).")
        else:
            words = _("You can also type \"quay lại\" (back), \"bỏ qua\" (skip) or \"tạm dừng\" (save and leave).")
        lines += [""] if error else []
        lines.append(words)
    if target.type == QType.YESNO:
        buttons.append([Button(_("Yes"), _data(ref, "y")), Button(_("No"), _data(ref, "n"))])
    elif target.type in (QType.SINGLE, QType.MULTI):
        for i, option in enumerate(target.options, start=1):
            mark = "✓ " if option.code in screen.picks else ""
            buttons.append([Button(_cut(f"{mark}{i}. {option.text(loc)}"), _data(ref, f"o{i}"))])
        if target.type == QType.MULTI:
            buttons.append([Button(_("Done"), _data(ref, "ok"))])
    nav = [Button(_("Back"), _data(ref, "b"))]
    if has_value:
        nav.append(Button(_("Keep"), _data(ref, "s")))
    elif not target.required:
        nav.append(Button(_("Skip"), _data(ref, "s")))
    nav.append(Button(_("Save and leave"), _data(ref, "l")))
    buttons.append(nav)
    return OutMessage("\n".join(lines), buttons)


def answers_text(tr: Translator, questionnaire: Questionnaire, applicable: tuple[Question, ...],
                 answers: dict[str, Any], numbered: bool = True, only: str | None = None) -> str:
    """Every applicable answer, grouped by section, with the computed figures under their section.

    `only`: one section's id (the review's pages); its questions keep their numbers in the whole report."""
    _ = tr.gettext
    loc = tr.locale
    derived = questionnaire.derived_values(answers)
    lines: list[str] = []
    number = 0
    applicable_ids = {q.id for q in applicable}
    for section in questionnaire.sections:
        shown = [q for q in section.questions if q.id in applicable_ids]
        if not shown:
            continue
        if only is not None and section.id != only:
            number += len(shown)
            continue
        lines += ["", section_heading(section.label(loc)).upper()]
        for question in shown:
            number += 1
            if question.id in answers:
                value = format_value(question, answers[question.id], tr)
            elif question.required:
                value = _("(not answered yet - required)")
            else:
                value = _("(not answered)")
            prefix = f"{number}. " if numbered else "- "
            separator = ":" if value.startswith("\n") else ": "  # a group's entries start on the next line
            lines.append(f"{prefix}{question.short_label(loc)}{separator}{value}")
        for item in questionnaire.derived:
            if item.section_id == section.id and item.id in derived:
                verdict = ""
                if item.target is not None:
                    verdict = (_(" (target {target}: reached)") if derived[item.id] >= item.target
                               else _(" (target {target}: not yet reached)")).format(
                        target=tr.percent(item.target, digits=0))
                lines.append(f"   {pick_text(item.label, loc)}: {tr.percent(derived[item.id], digits=1)}{verdict}")
    return "\n".join(lines)


def review_sections(screen: Screen) -> list[tuple[str, list[int]]]:
    """The review's pages: each section that applies, with the numbers of its questions in the whole report."""
    pages, number = [], 0
    applicable = {q.id for q in screen.applicable}  # by id: comparing whole questions took ~250 comparisons
    for section in screen.questionnaire.sections:
        shown = [q for q in section.questions if q.id in applicable]
        if shown:
            pages.append((section.id, list(range(number + 1, number + len(shown) + 1))))
            number += len(shown)
    return pages


def render_review(tr: Translator, screen: Screen, page: int | None = 0) -> OutMessage:
    """One section's answers per page, with its "Edit" buttons; moving between pages and submitting always at hand.

    `page=None`: the whole report in one message, without "Edit" buttons (typing "sửa 3" edits): for a chat that
    cannot edit a message in place (Zalo), where each page would be one more message to receive and pay for."""
    _ = tr.gettext
    ref = screen.ref
    pages = review_sections(screen)
    answered = answered_count(screen.applicable, screen.answers)
    lines = [f"{title_of(tr, ref)} - {ref.unit_name}"]
    if ref.state == ReportState.RETURNED and ref.return_comment:
        lines.append(_("Returned by the Administration Office with this comment: {comment}").format(
            comment=ref.return_comment))
    lines.append(_("Please review the report before submitting ({answered}/{total} questions answered).").format(
        answered=answered, total=len(screen.applicable)))
    buttons: list[list[Button]] = []
    if page is None:
        lines.append(answers_text(tr, screen.questionnaire, screen.applicable, screen.answers))
    elif pages:
        page = min(max(page, 0), len(pages) - 1)
        section_id, numbers = pages[page]
        lines.append(answers_text(tr, screen.questionnaire, screen.applicable, screen.answers, only=section_id))
        edits = [Button(_("Edit {n}").format(n=n), _data(ref, f"e{n}")) for n in numbers]
        buttons += [edits[i:i + 6] for i in range(0, len(edits), 6)]
        moves = []
        if page > 0:
            moves.append(Button(_("« Part {n}").format(n=page), _data(ref, f"pg{page - 1}")))
        if page < len(pages) - 1:
            moves.append(Button(_("Part {n} »").format(n=page + 2), _data(ref, f"pg{page + 1}")))
        if moves:
            buttons.append(moves)
    lines += ["", _("Type \"sửa\" and a number to change an answer, \"gửi\" to submit.")]
    buttons.append([Button(_("Submit"), _data(ref, "sub")), Button(_("Save and leave"), _data(ref, "l"))])
    return OutMessage("\n".join(lines), buttons)


def render_confirm(tr: Translator, screen: Screen) -> OutMessage:
    _ = tr.gettext
    ref = screen.ref
    text = _("Do you confirm submitting the {title} of {unit}? The figures will be frozen as version {version}. "
             "Until the Administration Office accepts the report, you can still ask to revise it.").format(
        title=title_of(tr, ref), unit=ref.unit_name, version=ref.version + 1)
    if ref.overdue:
        text += "\n" + _("The deadline ({deadline}) has passed: the report will be marked late.").format(
            deadline=tr.short_date(ref.period.deadline))
    text += "\n" + _("Type \"xác nhận\" to submit, or \"quay lại\" to go back to the review.")
    return OutMessage(text, [[Button(_("Confirm and submit"), _data(ref, "cf")),
                              Button(_("Back to the review"), _data(ref, "rv"))]])


def render_locked(tr: Translator, ref: ReportRef) -> OutMessage:
    _ = tr.gettext
    title = f"{title_of(tr, ref)} - {ref.unit_name}"
    view = Button(_("View the report"), data(Rep.VIEW, ref.report_id, ref.version))
    if ref.state == ReportState.SUBMITTED:
        late = _(" It was submitted after the deadline and is marked late.") if ref.is_late else ""
        text = _("{title}: version {version} was submitted on {when} and is waiting for the Administration Office "
                 "to review it.{late} To change it, choose \"Revise\".").format(
            title=title, version=ref.version, when=tr.datetime(ref.submitted_at), late=late)
        return OutMessage(text, [[view, Button(_("Revise"), data(Rep.REVISE, ref.report_id, ref.version))]])
    if ref.state == ReportState.ACCEPTED:
        return OutMessage(_("{title}: version {version} has been accepted by the Administration Office.").format(
            title=title, version=ref.version), [[view]])
    return OutMessage(_("{title}: the reporting period has closed and the report can no longer be changed. "
                        "Please contact the Administration Office.").format(title=title),
                      [[view]] if ref.version else [])


def render_submitted(tr: Translator, screen: Screen) -> OutMessage:
    _ = tr.gettext
    ref = screen.ref
    text = _("Thank you. The {title} of {unit} has been submitted as version {version} and sent to the "
             "Administration Office.").format(title=title_of(tr, ref), unit=ref.unit_name, version=ref.version)
    if ref.overdue:
        text += " " + _("It was submitted after the deadline ({deadline}) and is marked late.").format(
            deadline=tr.short_date(ref.period.deadline))
    text += "\n" + _("If something needs to change before the Office accepts it, choose \"Revise\".")
    buttons = [[Button(_("View the report"), data(Rep.VIEW, ref.report_id, ref.version)),
                Button(_("Revise"), data(Rep.REVISE, ref.report_id, ref.version))]]
    if isinstance(screen.answers.get(Q_DIFFICULTIES), str) and screen.answers[Q_DIFFICULTIES].strip():
        # The plan asks difficulties to reach the Director promptly: offer to raise them as a tracked item.
        text += "\n" + _("The report lists difficulties. To have them tracked until the Director answers, choose "
                          "\"Raise to the Director\".")
        buttons.append([Button(_("Raise to the Director"), data(Esc.FROM_REPORT, ref.report_id, ref.version))])
    return OutMessage(text, buttons)
