"""The texts of /kybaocao (/periods): the list of periods, one period, the calendar's exceptions, the answers to
a change, and the prompts of its buttons. Plain functions of the translator and plain results."""

from __future__ import annotations

from datetime import date

from bot.callbacks import Per, data
from bot.domain import Button, OutMessage
from bot.i18n import Translator
from bot.periods import PERIOD_STATE_LABELS, period_title
from bot.services.periods.base import ExtensionInfo, OverrideInfo, PeriodInfo


def period_line(tr: Translator, index: int, p: PeriodInfo, extensions: int = 0) -> str:
    _ = tr.gettext
    head = f"{index}. {period_title(tr, p.kind, p.year, p.phase)} [{p.code}] - {_(PERIOD_STATE_LABELS[p.state])}"
    body = _("Opens {opens}; deadline {deadline}; late reports until {closes}").format(
        opens=tr.short_date(p.opens_on), deadline=tr.short_date(p.deadline), closes=tr.short_date(p.closes_on))
    if extensions:
        body += "; " + _("extensions: {n} unit(s)").format(n=extensions)
    return f"{head}\n   {body}"


def list_text(tr: Translator, periods: list[tuple[PeriodInfo, int]]) -> str:
    """Every period with its number of extensions, and the typed forms."""
    _ = tr.gettext
    lines = [_("Reporting periods:")]
    lines += [period_line(tr, i, p, extensions) for i, (p, extensions) in enumerate(periods, start=1)]
    lines += ["", _("Choose a number to manage a period, or type, for example:\n"
                    "/periods deadline 2026-Y 20/12/2026\n/periods extend 2026-Y khtc 30/12/2026 reason\n"
                    "/periods open 2026-Y   /periods close 2026-Y   /periods opens 2026-Y 15/11\n"
                    "/periods dayoff 31/12/2026 note   /periods workday 2/1/2027 note   /periods calendar")]
    return "\n".join(lines)


def calendar_button(tr: Translator) -> Button:
    return Button(tr.gettext("Days off and make-up working days"), data(Per.CALENDAR, 0))


def period_message(tr: Translator, p: PeriodInfo, extensions: list[ExtensionInfo]) -> OutMessage:
    """One period with its extensions, and the buttons that change it."""
    _ = tr.gettext
    lines = [period_line(tr, 1, p)[3:]]
    for e in extensions:
        lines.append("   " + _("{unit}: extended to {date} ({reason})").format(
            unit=e.unit_name, date=tr.short_date(e.deadline), reason=e.reason))
    lines += ["", _("Typed forms: /periods open|close|opens|deadline|extend|unextend {code} ...").format(code=p.code)]
    pid = p.period_id
    toggle = Button(_("Close"), data(Per.CLOSE, pid)) if p.state == "open" else Button(_("Open now"), data(Per.OPEN, pid))
    buttons = [[toggle, Button(_("Change opening date"), data(Per.OPENS, pid))],
               [Button(_("Change deadline"), data(Per.DEADLINE, pid)), Button(_("Extend for a unit"), data(Per.EXTEND, pid))]]
    if extensions:
        buttons.append([Button(_("Cancel an extension"), data(Per.UNEXTEND, pid))])
    return OutMessage("\n".join(lines), buttons)


def calendar_message(tr: Translator, rows: list[OverrideInfo]) -> OutMessage:
    """The working calendar's exceptions, with buttons to add one or remove the first ten."""
    _ = tr.gettext
    lines = [_("Exceptions to the working calendar (weekends and public holidays, Tết included, are known):")]
    if not rows:
        lines.append(_("None yet."))
    for r in rows:
        kind = _("make-up working day") if r.is_working else _("day off")
        note = f" - {r.note}" if r.note else ""
        lines.append(f"{tr.short_date(r.day)}: {kind}{note}")
    lines += ["", _("Type /periods dayoff 31/12/2026 note, /periods workday 2/1/2027 note or /periods clearday 31/12/2026.")]
    buttons = [[Button(_("Add a day off"), data(Per.DAY_OFF, 0)), Button(_("Add a make-up working day"), data(Per.WORK_DAY, 0))]]
    buttons += [[Button(_("Remove {date}").format(date=tr.short_date(r.day)), data(Per.CLEAR_DAY, f"{r.day:%Y%m%d}"))]
                for r in rows[:10]]
    return OutMessage("\n".join(lines), buttons)


def changed_text(tr: Translator, p: PeriodInfo, today: date | None = None) -> str:
    """"Saved." and the period as it now stands; with `today`, a deadline already past is pointed out (every unit
    that has not submitted turns late at once, which the Office may mean, or may have mistyped)."""
    text = tr.gettext("Saved.") + "\n" + period_line(tr, 1, p)[3:]
    if today is not None and p.deadline < today:
        text += "\n" + tr.gettext("Note: this deadline has already passed, so a unit that has not submitted yet is "
                                   "now late.")
    return text


def override_text(tr: Translator, day: date, is_working: bool) -> str:
    kind = tr.gettext("make-up working day") if is_working else tr.gettext("day off")
    return tr.gettext("Saved: {date} is a {kind}.").format(date=tr.date(day), kind=kind)


def extended_text(tr: Translator, unit_name: str, info: PeriodInfo) -> str:
    return tr.gettext("Saved: {unit} now has until {date} ({reason}).").format(
        unit=unit_name, date=tr.date(info.deadline), reason=info.extension_reason)


def unextended_text(tr: Translator, unit_name: str) -> str:
    return tr.gettext("The extension for {unit} is cancelled.").format(unit=unit_name)


def saved_text(tr: Translator) -> str:
    return tr.gettext("Saved.")


def missing_text(tr: Translator) -> str:
    """A typed sub-command without all its words."""
    return tr.gettext("Something is missing. For example: /periods deadline 2026-Y 20/12/2026 or "
                      "/periods extend 2026-Y khtc 30/12/2026 reason.")


def stale_button_text(tr: Translator) -> str:
    return tr.gettext("This button is no longer valid.")


def not_allowed_text(tr: Translator) -> str:
    return tr.gettext("You do not have permission to do this.")


def date_prompt(tr: Translator) -> str:
    return tr.gettext("Please type the date, for example 20/12/2026 (or /cancel).")


def extend_unit_prompt(tr: Translator) -> str:
    return tr.gettext("Which unit gets more time? (Or type /periods extend <period> <unit> <date> <reason>.)")


def extension_date_prompt(tr: Translator, unit_name: str) -> str:
    return tr.gettext("New deadline for {unit}? Type a date, for example 30/12/2026 (or /cancel).").format(
        unit=unit_name)


def unextend_prompt(tr: Translator) -> str:
    return tr.gettext("Whose extension should be cancelled?")


def override_prompt(tr: Translator) -> str:
    return tr.gettext("Please type the date and an optional note, for example \"31/12/2026 Nghỉ bù\" (or /cancel).")


def reason_prompt(tr: Translator) -> str:
    return tr.gettext("Please type the reason for the extension (or /cancel).")
