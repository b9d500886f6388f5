"""One audit entry as a sentence in the reader's language: names, not ids; dates as everywhere else; and /nhatky's list
of them and the caption of its sheet.

No Telegram import: the XLSX export and any other channel use the same sentences.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.documents.narrative import PART_LABELS
from bot.domain import Role
from bot.glossary import ACTION_LABELS, person_title, role_title
from bot.i18n import N_, Translator
from bot.periods import period_title
from bot.questionnaire.model import pick_text
from bot.services.audit import AuditEntry
from bot.services.identity.base import CHANNEL_NAMES

SENTENCES = {
    "invite.create": N_("{who} created an invitation for {whom} (expires {expires})"),
    "invite.bootstrap": N_("{who} created the first invitation for the Administration Office"),
    "invite.revoke": N_("{who} revoked an unused invitation for {whom}"),
    "invite.redeem": N_("{who} joined with an invitation as {title}"),
    "person.add": N_("{who} registered {person} as {title}"),
    "person.deactivate": N_("{who} removed the access of {person}"),
    "person.erase": N_("{who} erased the personal data of person {person}"),
    "desk.login": N_("{who} signed in to the desk"),
    "privacy.export": N_("{who} took a copy of their personal data"),
    "privacy.request": N_("{who} sent request no. {id} about their personal data"),
    "privacy.acknowledge": N_("{who} received request no. {id} about personal data"),
    "privacy.done": N_("{who} closed request no. {id} about personal data"),
    "unit.add": N_("{who} added the unit {unit}"),
    "unit.rename": N_("{who} renamed the unit {old} to {unit}"),
    "unit.retire": N_("{who} retired the unit {unit}"),
    "unit.restore": N_("{who} restored the unit {unit}"),
    "unit.short_name": N_("{who} set the short name of the unit {unit} to \"{short}\""),
    "department.plan": N_("{who} set the Department's plan for the movement to no. {plan_number} of {plan_date}"),
    "department.movement": N_("{who} set the name of the movement the official report cites to \"{movement}\""),
    "questionnaire.upload": N_("{who} uploaded version {version} of the questionnaire (not yet in use)"),
    "questionnaire.activate": N_("{who} activated version {version} of the questionnaire for new reports"),
    "unit.load": N_("{who} loaded the list of units from {file} ({added} added, {updated} updated, "
                    "{retired} retired)"),
    "period.open": N_("{who} opened the {period}"),
    "period.close": N_("{who} closed the {period}"),
    "period.opens_on": N_("{who} set the opening day of the {period} to {day}"),
    "period.deadline": N_("{who} set the deadline of the {period} to {day}"),
    "period.extend": N_("{who} extended the deadline of {unit} for the {period} to {day}"),
    "period.unextend": N_("{who} removed the extension of {unit} for the {period}"),
    "calendar.set": N_("{who} marked {day} as {what}"),
    "calendar.clear": N_("{who} removed the calendar exception for {day}"),
    "report.start": N_("{who} started the {period} of {unit}"),
    "report.answer": N_("{who} answered \"{question}\" in the {period} of {unit}"),
    "report.submit": N_("{who} submitted version {version} of the {period} of {unit}"),
    "report.reopen": N_("{who} took back version {version} of the {period} of {unit} to revise it"),
    "report.accepted": N_("{who} accepted version {version} of the {period} of {unit}"),
    "report.returned": N_("{who} returned version {version} of the {period} of {unit} for revision"),
    "report.view": N_("{who} read version {version} of the {period} of {unit}"),
    "status.export": N_("{who} exported the official report and annex for the {period}"),
    "official_report.write": N_("{who} wrote \"{part}\" of the official report for the {period}"),
    "official_report.reset": N_("{who} went back to the assistant's draft of \"{part}\" of the official report "
                                "for the {period}"),
    "identity.code": N_("{who} asked for a code to link a second account"),
    "identity.link": N_("{who} linked a {channel} account"),
    "identity.code_refused": N_("A wrong invitation or linking code was typed on {channel}"),
    "identity.unlink": N_("{who} removed the {channel} account of {person}"),
    "identity.prefer": N_("{who} chose {channel} for reminders and notices"),
    "escalation.raise": N_("{who} raised difficulty no. {id} of {unit}: {item}"),
    "escalation": N_("Difficulty no. {id} of {unit}: {who} {action}"),
}
UNKNOWN = N_("{who} made a change ({kind})")


def who(tr: Translator, name: str | None) -> str:
    """"đồng chí Lê Văn Hòa"; the assistant itself for what it did on its own (loading units, the first invite)."""
    return tr.gettext("comrade {name}").format(name=name) if name else tr.gettext("the assistant")


def sentence(tr: Translator, entry: AuditEntry) -> str:
    """"09:00 24/11/2026 - đồng chí Lê Văn Hòa tạo lời mời Trưởng phòng cho Phòng Kế hoạch - Tài chính (...)"."""
    return f"{tr.datetime(entry.at)} - {describe(tr, entry)}"


def describe(tr: Translator, entry: AuditEntry) -> str:
    _ = tr.gettext
    values: dict[str, Any] = {**(entry.before or {}), **(entry.after or {})}
    names = entry.names
    unit = names.get("unit") or values.get("unit") or _("the Department")
    facts: dict[str, Any] = {"who": who(tr, entry.actor_name), "unit": unit, "person": names.get("person", ""),
                             "kind": entry.action.split(".")[0], "id": entry.entity_id}
    role = values.get("role") or names.get("role")
    known = Role(role) if role in set(Role) else None
    facts["title"] = person_title(tr, known, names.get("unit")) if known else _("a member")
    facts["whom"] = role_title(tr, known, names.get("unit")) if known else _("a member")
    if known and names.get("unit"):
        facts["whom"] = _("{role} for {unit}").format(role=facts["whom"], unit=names["unit"])
    if "period_kind" in names:
        facts["period"] = period_title(tr, names["period_kind"], names["period_year"], names["period_phase"])
    else:
        facts["period"] = _("reporting period")
    facts["version"] = values.get("version", "")
    facts["expires"] = _day(tr, values.get("expires_at"))
    facts["day"] = _day(tr, values.get("deadline") or values.get("opens_on") or
                        (entry.entity_id if entry.entity == "calendar" else None))
    if entry.action in ("period.open", "period.close", "period.opens_on", "period.deadline"):
        key = "opens_on" if entry.action == "period.opens_on" else "deadline"
        facts["day"] = _day(tr, (entry.after or {}).get(key))
    facts["what"] = _("a working day") if values.get("is_working") else _("a day off")
    facts["old"] = (entry.before or {}).get("name", "")
    facts["item"] = names.get("title", "")
    facts["question"] = "; ".join(pick_text(q, tr.locale) for q in names.get("questions", [])) or _("a question")
    facts.update({k: values.get(k, 0) for k in ("added", "updated", "retired")})
    facts["file"] = values.get("file", "")
    facts["short"] = (entry.after or {}).get("short_name", "")
    facts.update({k: (entry.after or {}).get(k, "") for k in ("plan_number", "plan_date", "movement")})
    facts["channel"] = _channel(entry)
    part = PART_LABELS.get(values.get("part", ""))
    facts["part"] = _(part) if part else values.get("part", "")
    text = SENTENCES.get(entry.action)
    if text is None and entry.action.startswith("escalation."):
        label = ACTION_LABELS.get(entry.action.split(".", 1)[1])
        if label:
            text, facts["action"] = SENTENCES["escalation"], _(label)
    line = _(text or UNKNOWN).format(**facts)
    extra = []
    if entry.action == "report.submit" and values.get("is_late"):
        extra.append(_("late"))
    if values.get("reason") and entry.action == "period.extend":
        extra.append(_("reason: {text}").format(text=values["reason"]))
    if values.get("note") and entry.entity == "calendar":
        extra.append(values["note"])
    if values.get("comment"):
        extra.append(_("comment: {text}").format(text=values["comment"]))
    return line + (f" ({'; '.join(extra)})" if extra else "")


def _channel(entry: AuditEntry) -> str:
    """The account a linking change is about: the preferred one, else the one that appeared or went."""
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "identity.prefer":
        return CHANNEL_NAMES.get(after.get("preferred_channel", ""), "")
    if entry.action == "identity.code_refused":  # the channel is the entity; the chat only a digest
        return CHANNEL_NAMES.get(entry.entity, entry.entity)
    changed = [c for c in CHANNEL_NAMES if bool(before.get(f"{c}_id")) != bool(after.get(f"{c}_id"))]
    return CHANNEL_NAMES[changed[0]] if changed else ""


def _day(tr: Translator, value: Any) -> str:
    """An ISO date or timestamp from the log, as dd/mm/yyyy."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if parsed.tzinfo is not None:
        return tr.short_date(tr.local_date(parsed))
    return tr.short_date(parsed.date())


def recent_text(tr: Translator, entries: list[AuditEntry]) -> str:
    """/nhatky: the entries as sentences, newest first, and how to filter them."""
    _ = tr.gettext
    lines = [_("Latest entries in the audit log (newest first):")]
    lines += [sentence(tr, entry) for entry in entries]
    lines += ["", _("Filter by typing a name, a unit, a kind or dates after /audit; add \"xlsx\" for a file.")]
    return "\n".join(lines)


def export_caption(tr: Translator, count: int) -> str:
    """The caption of the exported sheet."""
    return tr.gettext("Audit log: {n} entries.").format(n=count)
