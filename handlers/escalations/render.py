"""Escalations as plain text and buttons: the item card, its detail with history, lists, and the choices per person."""

from __future__ import annotations

from bot.callbacks import Esc, data
from bot.contracts import EscalationState as S
from bot.domain import Actor, Button, Recipient
from bot.i18n import N_, Translator
from bot.services.escalations.core import (ACTION_LABELS, OUTCOME_LABELS, RULES, STATE_LABELS, EscalationView,
                                           HistoryEntry, Superseded, may_act)

# Button code -> (service action, Vietnamese typed word, English typed word, label msgid)
ACTS: dict[str, tuple[str, str, str, str]] = {
    Esc.RECEIVE: ("receive", "tiepnhan", "receive", N_("Receive")),
    Esc.FORWARD: ("forward", "chuyen", "forward", N_("Forward to the Director")),
    Esc.ANSWER: ("answer", "traloi", "answer", N_("Answer directly")),
    Esc.ASK: ("ask", "yeucau", "ask", N_("Ask for more information")),
    Esc.CLOSE: ("close", "dong", "close", N_("Close as resolved")),
    Esc.DUPLICATE: ("duplicate", "trung", "duplicate", N_("Close as duplicate")),
    Esc.AGREE: ("instruct", "dongy", "agree", N_("Agreed")),
    Esc.NOT_AGREED: ("instruct", "khongdongy", "disagree", N_("Not agreed")),
    Esc.SEE_ME: ("instruct", "moigap", "seeme", N_("See me")),
    Esc.INSTRUCT: ("instruct", "chidao", "instruct", N_("Write an instruction")),
    Esc.ASSIGN: ("assign", "giao", "assign", N_("Assign to {name}")),
    Esc.FOLLOW_UP: ("follow_up", "theodoi", "followup", N_("Ask the Office to follow up")),
    Esc.ADD_INFO: ("add_info", "bosung", "addinfo", N_("Add information")),
    Esc.CONFIRM: ("confirm", "xacnhan", "confirm", N_("Confirm resolved")),
    Esc.REPLY: ("reply", "phanhoi", "reply", N_("Reply")),
}
QUICK = {"ag": "agreed", "na": "not_agreed", "sm": "see_me"}
OFFICE_ORDER = ("rcv", "fwd", "ans", "ask", "cls", "dup")
LEADER_ORDER = ("ag", "na", "sm", "ins", "fu")
UNIT_ORDER = ("add", "ok", "rep")
# History steps that carry what a leader needs to decide: the Office's questions and the unit's answers.
CONTEXT_ACTIONS = ("ask", "add_info", "reply", "answer", "comment")
HOLDER_LABELS = {"office": N_("the Administration Office"), "director": N_("the Director"), "unit": N_("the unit")}


def state_label(tr: Translator, state: S) -> str:
    return tr.gettext(STATE_LABELS[state])


def available(actor: Actor, view: EscalationView) -> list[str]:
    """Button codes this person may press on this item now (the service checks again on the press)."""
    codes = []
    for code in (*OFFICE_ORDER, *LEADER_ORDER, *UNIT_ORDER):
        rule = RULES[ACTS[code][0]]
        if view.state in rule.allowed and may_act(actor, rule.who, view.unit_id, view.assignee_id):
            if code == "fu" and view.follow_up_by_office:
                continue
            codes.append(code)
    return codes


def action_buttons(tr: Translator, actor: Actor | None, view: EscalationView, codes: list[str],
                   deputies: list[Recipient] = (), detail: bool = True) -> list[list[Button]]:
    """Two buttons a row (labels stay short on a phone); assign buttons for the Director; then detail and file."""
    item = view.item_id
    buttons = [Button(tr.gettext(ACTS[c][3]), data(Esc(c), item, 0)) for c in codes]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if actor is not None and actor.is_director and view.state == S.FORWARDED:
        assign = ACTS["asg"][3]
        rows += [[Button(tr.gettext(assign).format(name=d.full_name), data(Esc.ASSIGN, item, d.person_id))]
                 for d in deputies if d.person_id != view.assignee_id]
    extra = []
    if detail:
        extra.append(Button(tr.gettext("Details and history"), data(Esc.VIEW, item, 0)))
    if view.attachment:
        extra.append(Button(tr.gettext("Open the attached file"), data(Esc.FILE, item, 0)))
    return rows + ([extra] if extra else [])


def typed_hint(tr: Translator, view: EscalationView, codes: list[str]) -> str:
    """The text form of every button, for channels without buttons."""
    if not codes:
        return ""
    vi = tr.locale == "vi"
    words = sorted({ACTS[c][1] if vi else ACTS[c][2] for c in codes})
    command = "/vuongmac" if vi else "/issue"
    return tr.gettext("You can also type {command} {id} followed by: {words}.").format(
        command=command, id=view.item_id, words=", ".join(words))


def header(tr: Translator, view: EscalationView) -> str:
    urgent = tr.gettext(" [URGENT]") if view.urgent else ""
    return f"#{view.item_id}{urgent} {view.title}"


def card(tr: Translator, view: EscalationView, *, full: bool = True) -> str:
    """The item itself: what, from whom, where it stands."""
    lines = [header(tr, view),
             tr.gettext("Unit: {unit}").format(unit=view.unit_name),
             tr.gettext("Raised by: {name}, {time}").format(name=view.raised_by, time=tr.datetime(view.created_at)),
             tr.gettext("State: {state}").format(state=state_label(tr, view.state))]
    if full:
        lines.append(tr.gettext("Description: {text}").format(text=view.description))
    if view.attachment:
        lines.append(tr.gettext("Attached file: {name}").format(name=view.attachment.get("file_name") or "-"))
    return "\n".join(lines)


def briefing(tr: Translator, view: EscalationView, history: list[HistoryEntry]) -> str:
    """What the Director (or a deputy) needs to decide, in the message itself: the card with the description, the
    Office's note, and what the Office asked and the unit added."""
    lines = [card(tr, view)]
    if view.office_note:
        lines.append(tr.gettext("Note of the Administration Office: {text}").format(text=view.office_note))
    exchange = [history_line(tr, entry) for entry in history if entry.action in CONTEXT_ACTIONS]
    if exchange:
        lines += ["", tr.gettext("Information exchanged with the unit:"), *exchange]
    return "\n".join(lines)


def detail(tr: Translator, view: EscalationView, history: list[HistoryEntry]) -> str:
    """The card, the answers given so far, the due date and the whole history."""
    lines = [card(tr, view)]
    if view.office_note:
        lines.append(tr.gettext("Note of the Administration Office: {text}").format(text=view.office_note))
    if view.assignee:
        lines.append(tr.gettext("Assigned to deputy director: {name}").format(name=view.assignee))
    if view.office_answer:
        lines.append(tr.gettext("Answer of the Administration Office ({name}): {text}").format(
            name=view.office_answer_by or "-", text=view.office_answer))
    if view.instruction:
        lines.append(tr.gettext("Instruction of {name} ({time}): {text}").format(
            name=view.instruction_by or "-", time=tr.datetime(view.instruction_at), text=view.instruction))
    if view.follow_up_by_office:
        lines.append(tr.gettext("The Administration Office has been asked to follow up."))
    if view.state == S.CLOSED:
        outcome = tr.gettext(OUTCOME_LABELS.get(view.outcome or "", N_("closed")))
        if view.duplicate_of_id:
            outcome += f" (#{view.duplicate_of_id})"
        lines.append(tr.gettext("Outcome: {outcome}, closed by {name} at {time}").format(
            outcome=outcome, name=view.closed_by or "-", time=tr.datetime(view.closed_at)))
    elif view.due:
        late = tr.gettext(" - OVERDUE") if view.overdue else ""
        lines.append(tr.gettext("Waiting for {holder} until {date}{late}").format(
            holder=tr.gettext(HOLDER_LABELS[view.holder]), date=tr.short_date(view.due), late=late))
    lines += ["", tr.gettext("History:")]
    for entry in history:
        lines.append(history_line(tr, entry))
    return "\n".join(lines)


def history_line(tr: Translator, entry: HistoryEntry) -> str:
    who = entry.actor_name or tr.gettext("system")
    line = f"- {tr.datetime(entry.at)} {who} {tr.gettext(ACTION_LABELS.get(entry.action, entry.action))}"
    if entry.text and entry.action != "raise":
        line += f": {entry.text}"
    if entry.attachment:
        line += " " + tr.gettext("[file: {name}]").format(name=entry.attachment.get("file_name") or "-")
    return line


def list_line(tr: Translator, view: EscalationView, with_unit: bool) -> str:
    unit = f" - {view.unit_name}" if with_unit else ""
    late = tr.gettext(" - OVERDUE") if view.overdue else ""
    return f"{header(tr, view)}{unit} - {state_label(tr, view.state)}{late}"


def superseded_text(tr: Translator, error: Superseded) -> str:
    """Why an action was not applied: the state now, who changed it last, and whether the text was kept."""
    view, last = error.item, error.last
    text = tr.gettext("Difficulty #{id} is already \"{state}\", so this was not done.").format(
        id=view.item_id, state=state_label(tr, view.state))
    if last is not None:
        text += "\n" + tr.gettext("Last step: {name} {action} at {time}.").format(
            name=last.actor_name or tr.gettext("system"),
            action=tr.gettext(ACTION_LABELS.get(last.action, last.action)), time=tr.datetime(last.at))
    if error.kept:
        text += "\n" + tr.gettext("What you wrote has been kept in the item's history and passed to the "
                                  "Administration Office, so nothing is lost.")
    return text
