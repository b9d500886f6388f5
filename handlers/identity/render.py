"""Identity's chat texts: the welcome, the refusals of a code, an invitation and the unused ones, a person's
accounts, the Office's list of people. Plain text with buttons that also work typed (Zalo has no buttons)."""

from __future__ import annotations

from bot.callbacks import Lk, Ppl, data
from bot.domain import Actor, Button, OutMessage
from bot.glossary import person_title
from bot.i18n import N_, Translator
from bot.services.identity.base import (CHANNEL_NAMES, CodeStatus, Identities, InviteInfo, LinkCodeInfo, PersonInfo,
                                        RedeemStatus)

CHANNEL_CODES = {"telegram": "t", "zalo": "z"}  # a channel as a button's data carries it
CHANNEL_OF_CODE = {code: channel for channel, code in CHANNEL_CODES.items()}

# Typed codes (Zalo has no links), and /lienket codes through /start: worded for a code, not a link.
CODE_REFUSALS = {
    CodeStatus.UNKNOWN: N_("This code is not valid. Please check it, or ask the Administration Office for a new "
                           "invitation."),
    CodeStatus.EXPIRED: N_("This code has expired. Please ask for a new one (an invitation from the Administration "
                           "Office, or a linking code from /link)."),
    CodeStatus.USED: N_("This code has already been used. Please ask for a new one (an invitation from the "
                        "Administration Office, or a linking code from /link)."),
    CodeStatus.REVOKED: N_("This code has been cancelled. Please ask the Administration Office for a new "
                           "invitation."),
    CodeStatus.CONFLICT: N_("This account is already registered to another person, so it cannot be linked. "
                            "Please contact the Administration Office."),
    CodeStatus.CHANNEL_TAKEN: N_("Your profile already has another account on this channel. Remove it first "
                                 "(type /link), then use a new linking code."),
    CodeStatus.ALREADY_LINKED: N_("This account is already linked to your profile."),
    CodeStatus.TOO_MANY: N_("Too many wrong codes have been typed lately. For safety, codes are not checked for a "
                            "while: please try again later, or contact the Administration Office."),
}
REDEEM_ERRORS = {  # invitation links made before codes could be typed keep their link wording
    RedeemStatus.UNKNOWN: N_("This invitation link is not valid. Please ask the Administration Office for a new one."),
    RedeemStatus.EXPIRED: N_("This invitation link has expired. Please ask the Administration Office for a new one."),
    RedeemStatus.USED: N_("This invitation link has already been used. Please ask the Administration Office for a new one."),
    RedeemStatus.REVOKED: N_("This invitation link has been cancelled. Please ask the Administration Office for a new one."),
}
INVITE_REFUSALS = {CodeStatus(status.value): text for status, text in REDEEM_ERRORS.items()}
LINKED_TEXT = N_("This {channel} account is now linked to your profile: same role, unit, language and history.")


def welcome(tr: Translator, actor: Actor, commands: str) -> str:
    """The greeting with the person's title and the commands they may use."""
    where = person_title(tr, actor.role, actor.unit_name)  # the title by the unit's kind, and the unit once
    return tr.gettext("Welcome, {name} ({where}).\n\nYou can use these commands:\n{commands}").format(
        name=actor.full_name, where=where, commands=commands)


def accepted(tr: Translator, actor: Actor, commands: str, linked_channel: str | None) -> str:
    """The welcome after a code worked; after a linking code, first what was linked ("telegram" or "zalo")."""
    text = welcome(tr, actor, commands)
    if linked_channel is None:
        return text
    return tr.gettext(LINKED_TEXT).format(channel=CHANNEL_NAMES[linked_channel]) + "\n\n" + text


# Invitations -------------------------------------------------------------------------------------------
def invite_link(username: str, code: str) -> str:
    """The Telegram deep link of an invitation (or a linking code): opening it and pressing Start redeems it."""
    return f"https://t.me/{username}?start={code}"


def invite_text(tr: Translator, invite: InviteInfo, username: str) -> str:
    """A new invitation: for whom, until when, the link for Telegram and the code to type on Zalo."""
    _ = tr.gettext
    who = person_title(tr, invite.role, invite.unit_name)
    text = _("Invitation for: {who}\nValid until {time}, for one person only.\n\n"
             "Send this link to the person; they open it and press Start:\n{link}").format(
        who=who, time=tr.datetime(invite.expires_at), link=invite_link(username, invite.code))
    # Zalo has no deep links: the same one-time code is typed there.
    return text + "\n\n" + _("On Zalo: send the code {code} to Trợ lý Thi đua.").format(code=invite.code)


def pending_text(tr: Translator, pending: list[InviteInfo]) -> str:
    """The unused invitations, numbered as their "cancel" buttons."""
    _ = tr.gettext
    lines = [_("Unused invitations:")]
    for number, invite in enumerate(pending, start=1):
        who = person_title(tr, invite.role, invite.unit_name)
        lines.append(_("{n}. {who}, valid until {time}").format(n=number, who=who, time=tr.datetime(invite.expires_at)))
    return "\n".join(lines)


# A person's accounts (/lienket) ------------------------------------------------------------------------
def status_lines(tr: Translator, ids: Identities) -> list[str]:
    """Which accounts are linked, and which one receives reminders."""
    _ = tr.gettext
    lines = [_("Your accounts with the assistant:")]
    for channel in ("telegram", "zalo"):
        state = _("linked") if ids.has(channel) else _("not linked")
        if ids.has(channel) and ids.preferred_channel == channel:
            state = _("linked, receives reminders and notifications")
        lines.append(f"- {CHANNEL_NAMES[channel]}: {state}")
    return lines


def accounts(tr: Translator, ids: Identities, code: LinkCodeInfo | None, link: str | None) -> OutMessage:
    """The accounts; while one is missing, how to link it with the linking `code` (and its Telegram `link`); with
    both linked, the typed forms (and buttons) to prefer the other channel or remove one."""
    _ = tr.gettext
    lines = status_lines(tr, ids)
    buttons: list[list[Button]] = []
    missing = next((c for c in ("zalo", "telegram") if not ids.has(c)), None)
    if missing is not None and code is not None:
        lines.append("")
        if missing == "zalo":
            lines.append(_("To use the assistant on Zalo as well: on Zalo, send the code {code} to Trợ lý Thi đua.")
                         .format(code=code.code))
        else:
            lines.append(_("To use the assistant on Telegram as well: open {link} and press Start, or send the "
                           "code {code} to the bot on Telegram.").format(link=link, code=code.code))
        lines.append(_("The code works once, until {time}. Never give it to anyone else.").format(
            time=tr.datetime(code.expires_at)))
    elif missing is None:  # both linked
        other = "zalo" if ids.preferred_channel == "telegram" else "telegram"
        lines += ["", _("To receive reminders on {channel} instead, type /link prefer {word}.").format(
            channel=CHANNEL_NAMES[other], word=other)]
        buttons.append([Button(_("Reminders on {channel}").format(channel=CHANNEL_NAMES[other]),
                               data(Lk.PREFER, CHANNEL_CODES[other]))])
        for channel in ("telegram", "zalo"):
            lines.append(_("To remove your {channel} account, type /link remove {word}.").format(
                channel=CHANNEL_NAMES[channel], word=channel))
            buttons.append([Button(_("Remove {channel}").format(channel=CHANNEL_NAMES[channel]),
                                   data(Lk.REMOVE, CHANNEL_CODES[channel]))])
    return OutMessage("\n".join(lines), buttons)


# The Office's list of people (/nguoidung) --------------------------------------------------------------
def people_text(tr: Translator, people: list[PersonInfo], with_actions: bool) -> str:
    """Everyone registered, with their title, whether they blocked the bot and their accounts; for the Office, how
    to remove someone's access or one of their accounts."""
    _ = tr.gettext
    lines = [_("Registered people ({n}):").format(n=len(people))]
    for person in people:
        blocked = _(" - has blocked the bot") if person.blocked_at else ""
        accounts_held = ", ".join(name for channel, name in CHANNEL_NAMES.items()
                                  if (person.telegram_id if channel == "telegram" else person.zalo_id))
        lines.append(f"#{person.person_id} {person.full_name} - {person_title(tr, person.role, person.unit_name)}"
                     f"{blocked} [{accounts_held}]")
    if with_actions:
        lines += ["", _("To remove someone's access, type /people remove <number>."),
                  _("To remove one of their accounts, type /people unlink <number> zalo (or telegram).")]
    return "\n".join(lines)


def remove_question(tr: Translator, person: PersonInfo) -> OutMessage:
    _ = tr.gettext
    return OutMessage(_("Remove the access of {name}? Their reports and history are kept.").format(
        name=person.full_name), [[Button(_("Remove access"), data(Ppl.REMOVE, person.person_id))]])


def unlink_question(tr: Translator, person: PersonInfo, channel: str) -> OutMessage:
    _ = tr.gettext
    name = CHANNEL_NAMES[channel]
    return OutMessage(_("Remove the {channel} account of {name}? They keep their role, unit and history "
                        "and use their other account.").format(channel=name, name=person.full_name),
                      [[Button(_("Remove {channel}").format(channel=name),
                               data(Ppl.UNLINK, person.person_id, CHANNEL_CODES[channel]))]])
