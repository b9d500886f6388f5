"""What the assistant tells people about their data: the notice at registration, their rights, request lines."""

from __future__ import annotations

from bot.config import Settings
from bot.glossary import person_title
from bot.i18n import N_, Translator
from bot.services.privacy.deadlines import ANSWER_WORKING_DAYS, DAYS
from bot.services.privacy.service import RequestInfo

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
