"""Escalations as plain text and buttons: the item card, its detail with history, lists, and the choices per person."""

from __future__ import annotations

from bot.callbacks import Esc, data
from bot.contracts import EscalationState as S
from bot.domain import Actor, Button, Recipient, Role
from bot.glossary import role_title
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
DONE = {
    "receive": N_("You have received difficulty #{id} for the Administration Office."),
    "forward": N_("Difficulty #{id} has been forwarded to the Director."),
    "answer": N_("Your answer on #{id} has been sent to the unit."),
    "ask": N_("The request for more information on #{id} has been sent to the unit."),
    "close": N_("Difficulty #{id} is closed as resolved."),
    "duplicate": N_("Difficulty #{id} is closed as a duplicate."),
    "instruct": N_("Your instruction on #{id} has been sent to the Administration Office and the unit."),
    "assign": N_("Difficulty #{id} has been assigned to deputy director {name}."),
    "follow_up": N_("The Administration Office has been asked to follow up #{id}."),
    "add_info": N_("Your information has been added to #{id}."),
    "confirm": N_("Thank you. Difficulty #{id} is closed as resolved."),
    "reply": N_("Your reply on #{id} has been sent to the Administration Office."),
}
INTROS = {
    "raise": N_("To the Administration Office: {unit} has raised a new difficulty. Please review and handle it."),
    "receive": N_("{name} of the Administration Office has received your difficulty #{id}."),
    "forward": N_("Dear Director, the Administration Office ({name}) forwards difficulty #{id} for your instruction."),
    "forward_unit": N_("Your difficulty #{id} has been forwarded to the Director by the Administration Office."),
    "answer": N_("The Administration Office ({name}) has answered your difficulty #{id}:\n{text}\n\nPlease confirm "
                 "that it is resolved, or reply."),
    "ask": N_("The Administration Office ({name}) asks for more information on difficulty #{id}:\n{text}\n\n"
              "Please add the information requested."),
    "close": N_("Difficulty #{id} has been closed by {name}: {text}"),
    "instruct": N_("{name} has given an instruction on difficulty #{id}:\n{text}"),
    "instruct_unit": N_("{name} has given an instruction on your difficulty #{id}:\n{text}\n\nPlease confirm that it "
                        "is resolved, or reply."),
    "assign": N_("Dear deputy director, the Director assigns difficulty #{id} to you for instruction."),
    "assign_office": N_("The Director has assigned difficulty #{id} to deputy director {text}."),
    "follow_up": N_("{name} asks the Administration Office to follow up the execution of the instruction on "
                    "difficulty #{id}."),
    "add_info": N_("{name} ({unit}) has added information to difficulty #{id}:\n{text}"),
    "confirm": N_("{name} ({unit}) confirms that difficulty #{id} is resolved. The item is closed."),
    "reply": N_("{name} ({unit}) has replied on difficulty #{id}; the item is back with the Administration Office:\n"
                "{text}"),
    "comment": N_("{name} wrote on difficulty #{id} after it had already moved on:\n{text}"),
    "reminder": N_("Reminder: difficulty #{id} has been waiting for {holder} since {since}; the follow-up time ended "
                   "on {due}. Please handle it."),
    "reminder_director": N_("Dear leader, a reminder: difficulty #{id}, forwarded on {since}, is still waiting for "
                            "your instruction; the follow-up time ended on {due}."),
}
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


def detail(tr: Translator, view: EscalationView, history: list[HistoryEntry], hint: str = "") -> str:
    """The card, the answers given so far, the due date and the whole history; then `hint`, the typed form of the
    reader's buttons."""
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
    return "\n".join(lines) + (f"\n\n{hint}" if hint else "")


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


def list_text(tr: Translator, actor: Actor, label: str, unit_name: str | None, views: list[EscalationView],
              limit: int, closed_hint: bool) -> str:
    """/issue's list: its title (the filter `label`, a msgid, and the unit), the first `limit` items, and how to
    filter, open, raise; `closed_hint`: a unit's empty list says how to see its closed items."""
    _ = tr.gettext
    if actor.sees_all_units or actor.is_deputy_director:
        scope = f"{_(label)}, {unit_name}" if unit_name else _(label)
        title = _("Difficulties ({scope}): {n}").format(scope=scope, n=len(views))
    else:
        title = _("Difficulties of {unit} ({scope}): {n}").format(unit=actor.unit_name, scope=_(label), n=len(views))
    lines = [title] + [list_line(tr, v, actor.sees_all_units) for v in views[:limit]]
    if len(views) > limit:
        lines.append(_("... and {n} more; use a filter to narrow the list.").format(n=len(views) - limit))
    if not views:
        lines.append(_("There are no difficulties in this list."))
    lines.append("")
    if actor.sees_all_units:
        lines.append(_("Filter by typing /issue office, info, forwarded, answered, closed, all or overdue, "
                       "optionally followed by a unit code (for example /issue forwarded khtc)."))
    lines.append(_("Open an item: /issue <number>."))
    if actor.reports_for_unit:
        lines.append(_("Raise a new difficulty: /issue new."))
    if closed_hint:
        lines.append(_("Closed items: /issue closed."))
    return "\n".join(lines)


def assign_prompt(tr: Translator, item_id: int, people: list[Recipient]) -> str:
    """The Director typed "assign" without a deputy director the assistant can tell: the numbered deputies."""
    names = "\n".join(f"{i}. {p.full_name}" for i, p in enumerate(people, start=1)) or "-"
    return tr.gettext("Which deputy director? Type /issue {id} assign <number>:\n{names}").format(id=item_id,
                                                                                                names=names)


def raise_intro(tr: Translator, unit_name: str, limit: int) -> str:
    """The first step of raising a difficulty: whom it goes to, and the title asked for."""
    return tr.gettext("Raising a difficulty of {unit} to the Director, through the Administration Office.\n\n"
                      "Step 1 of 4: please type a short title (at most {limit} characters), or /cancel."
                      ).format(unit=unit_name, limit=limit)


def raise_from_report_intro(tr: Translator, description: str, limit: int) -> str:
    """Raising a report's difficulties: the report's answer, which becomes the description, and the title asked for."""
    return tr.gettext("Raising the difficulties of the report to the Director, through the Administration Office:"
                      "\n\n{text}\n\nPlease type a short title for them (at most {limit} characters), or /cancel."
                      ).format(text=description, limit=limit)


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


def done_text(tr: Translator, action: str, view: EscalationView) -> str:
    """What the person who acted is told: the step done, and where a unit's added information sent the item."""
    text = tr.gettext(DONE[action]).format(id=view.item_id, name=view.assignee or "-")
    if action == "add_info" and view.state == S.WITH_OFFICE:
        text += " " + tr.gettext("It is back with the Administration Office.")
    return text


def attachment_caption(item_id: int) -> str:
    """The caption of a file sent back from an item: the item's number."""
    return f"#{item_id}"


def notice_text(tr: Translator, intro: str, view: EscalationView, body: str | None = None, hint: str = "",
                **values: str) -> str:
    """A notice about one step (`INTROS`), then, for whoever may act on it, the item (`body`) and the typed form of
    their buttons (`hint`)."""
    text = tr.gettext(INTROS[intro]).format(id=view.item_id, unit=view.unit_name, **values)
    if body is None:
        return text
    return f"{text}\n\n{body}" + (f"\n\n{hint}" if hint else "")


def titled_name(tr: Translator, role: Role, name: str) -> str:
    """"Phó Giám đốc Sở Lý Thị Ngọc": a leader's instruction names the title, the unit may not know the name."""
    return f"{role_title(tr, role)} {name}"


def holder_label(tr: Translator, holder: str) -> str:
    return tr.gettext(HOLDER_LABELS[holder])


def outcome_text(tr: Translator, view: EscalationView) -> str:
    """"resolved - note" or "duplicate of another item (#7)"."""
    text = tr.gettext(OUTCOME_LABELS.get(view.outcome or "resolved", OUTCOME_LABELS["resolved"]))
    if view.duplicate_of_id:
        text += f" (#{view.duplicate_of_id})"
    return text + (f" - {view.outcome_note}" if view.outcome_note else "")
