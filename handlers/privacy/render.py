"""What the assistant tells people about their data: the notice at registration, their rights, what it holds
about them (/dulieu), their requests and the Office's list of them. Plain functions of the translator and the
privacy service's results (no Telegram)."""

from __future__ import annotations

from bot.callbacks import Pv, data
from bot.config import Settings
from bot.domain import Button, OutMessage
from bot.glossary import person_title
from bot.i18n import N_, Translator
from bot.services.identity.base import CHANNEL_NAMES
from bot.services.privacy.deadlines import ANSWER_WORKING_DAYS, DAYS
from bot.services.privacy.service import DataSummary, RequestInfo

NOTICE = N_(
    "About your personal data. The Department of Science and Technology processes your name, unit, role, your "
    "Telegram and Zalo account numbers and what you enter here (reports, difficulties, replies) to run the "
    "Department's reporting and its emulation and commendation work; the Administration Office administers the assistant. "
    "Reports, difficulties and the activity log are kept as the Department's work records; your messages "
    "themselves are deleted after {days} days. Messages travel through the servers of Telegram (abroad) or Zalo. "
    "You may see your data, take a copy, and ask for it to be corrected or erased: type /mydata. The "
    "Administration Office answers a request within {answer} working days.")
RIGHTS = N_(
    "Your rights: to see this data and take a copy (choice 1), to ask for a correction (choice 2) or for erasure "
    "(choice 3). The Administration Office answers within {answer} working days, corrects within {correct} days and erases "
    "within {erase} days (Nghị định 356/2025/NĐ-CP). After an erasure, your reports stay as the unit's, without "
    "your name.")
KIND_LABELS = {"correct": N_("correction"), "erase": N_("erasure")}
STATE_LABELS = {"open": N_("waiting for the Office"), "acknowledged": N_("received by the Office")}
# The last message the assistant sends a person whose data it erased (also from the desk: bot/web/pages/admin).
ERASED = N_("Your personal data has been erased, as you asked. Thank you for your work with the assistant.")
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}


def notice(tr: Translator, settings: Settings) -> str:
    return tr.gettext(NOTICE).format(days=max(1, settings.retention_inbox_days), answer=ANSWER_WORKING_DAYS)


def rights(tr: Translator) -> str:
    return tr.gettext(RIGHTS).format(answer=ANSWER_WORKING_DAYS, correct=DAYS["correct"], erase=DAYS["erase"])


def deadlines_line(tr: Translator, request: RequestInfo) -> str:
    """"Answer by ...; erase by ..." with the decree's time limits."""
    _ = tr.gettext
    return _("Answer by {answer} ({answer_days} working days); {kind} by {due} ({days} days), under Nghị định "
             "356/2025/NĐ-CP.").format(answer=tr.short_date(request.answer_by), answer_days=ANSWER_WORKING_DAYS,
                                       kind=_(KIND_LABELS[request.kind]), due=tr.short_date(request.due_by),
                                       days=DAYS[request.kind])


def request_line(tr: Translator, request: RequestInfo) -> str:
    """One open request for the Office's list: who, what, which deadlines."""
    _ = tr.gettext
    who = f"{request.person_name} ({person_title(tr, request.role, request.unit_name)})"
    head = _("Request no. {n}: {who} asks for {kind}").format(n=request.request_id, who=who,
                                                              kind=_(KIND_LABELS[request.kind]))
    detail = f": \"{request.text}\"" if request.text else ""
    return f"{head}{detail} - {_(STATE_LABELS.get(request.state, request.state))}. {deadlines_line(tr, request)}"


def request_notice(tr: Translator, request: RequestInfo, state: str) -> str:
    """What the person is told when the Office receives their request ("acknowledged") or makes the correction."""
    _ = tr.gettext
    kind = _(KIND_LABELS[request.kind])
    if state == "acknowledged":
        return _("The Administration Office has received your request for {kind} (no. {n}). {deadlines}").format(
            kind=kind, n=request.request_id, deadlines=deadlines_line(tr, request))
    return _("The Administration Office has made the correction you asked for (request no. {n}). Type /mydata "
             "to see your data.").format(n=request.request_id)


def summary_message(tr: Translator, held: DataSummary, is_office: bool) -> OutMessage:
    """/dulieu: the person's identifiers, what they entered (counted), their rights, their open requests, and the
    numbered choices (4, the open requests, for the Office)."""
    _ = tr.gettext
    none = _("not linked")
    lines = [_("Personal data the assistant holds about you:"),
             "- " + _("Full name: {name}").format(name=held.full_name),
             "- " + _("Role: {title}").format(title=person_title(tr, held.role, held.unit_name)),
             "- " + _("Telegram account: {id}").format(id=held.telegram_id or none),
             "- " + _("Zalo account: {id}").format(id=held.zalo_id or none),
             "- " + _("Language: {language}; reminders on {channel}").format(
                 language=LANGUAGES.get(held.locale, held.locale),
                 channel=CHANNEL_NAMES.get(held.preferred_channel, held.preferred_channel)),
             "- " + _("Registered at {time}").format(time=tr.datetime(held.registered_at)),
             "- " + _("What you entered: {answers} report answers, {versions} reports sent, {issues} difficulties "
                      "raised; {entries} entries in the activity log").format(
                 answers=held.answers, versions=held.versions, issues=held.difficulties,
                 entries=held.audit_entries),
             "", rights(tr)]
    lines += [being_handled_text(tr, request) for request in held.open_requests]
    choices = [_("Take a copy of your data (JSON file)"), _("Ask for a correction"), _("Ask for erasure")]
    if is_office:
        choices.append(_("Open requests from people"))
    lines += [""] + [f"{n}. {label}" for n, label in enumerate(choices, start=1)] + ["", _("Type a number to choose.")]
    codes = [Pv.EXPORT, Pv.CORRECT, Pv.ERASE, Pv.REQUESTS]
    return OutMessage("\n".join(lines), [[Button(label, data(code, 0))] for label, code in zip(choices, codes)])


def copy_caption(tr: Translator) -> str:
    """The caption of the person's copy of their data."""
    return tr.gettext("Your personal data as the assistant holds it (JSON, readable in any text editor).")


def being_handled_text(tr: Translator, request: RequestInfo) -> str:
    """A request of the person's still open, with its deadlines."""
    _ = tr.gettext
    return _("Your request for {kind} is being handled. {deadlines}").format(
        kind=_(KIND_LABELS[request.kind]), deadlines=deadlines_line(tr, request))


def request_sent_text(tr: Translator, request: RequestInfo) -> str:
    """A new request, sent to the Office: its number and deadlines."""
    _ = tr.gettext
    return _("Your request for {kind} has been sent to the Administration Office (no. {n}). {deadlines}").format(
        kind=_(KIND_LABELS[request.kind]), n=request.request_id, deadlines=deadlines_line(tr, request))


def office_notice(tr: Translator, request: RequestInfo) -> OutMessage:
    """A new request, told to an Office member, with "Received" and "Erase now" / "Correction made"."""
    _ = tr.gettext
    text = "\n".join([request_line(tr, request), "", _("Type /mydata requests to handle it.")])
    return OutMessage(text, [[Button(_("Received"), data(Pv.ACKNOWLEDGE, request.request_id)),
                              Button(_("Erase now") if request.kind == "erase" else _("Correction made"),
                                     data(Pv.DONE, request.request_id))]])


def requests_message(tr: Translator, requests: list[RequestInfo]) -> OutMessage:
    """The Office's list of open requests, with a "Receive" (while open) and a "Complete" button for each."""
    _ = tr.gettext
    lines = [_("Requests about personal data ({n}):").format(n=len(requests))]
    lines += [f"- {request_line(tr, r)}" for r in requests]
    lines += ["", _("Type /mydata received <number> once you have answered the person, and /mydata done <number> "
                    "once the correction or erasure is made.")]
    buttons = []
    for r in requests:
        row = [Button(_("Complete no. {n}").format(n=r.request_id), data(Pv.DONE, r.request_id))]
        if r.state == "open":
            row.insert(0, Button(_("Receive no. {n}").format(n=r.request_id), data(Pv.ACKNOWLEDGE, r.request_id)))
        buttons.append(row)
    return OutMessage("\n".join(lines), buttons)
