"""Refusals and notes shared by /start, typed codes and /lienket (no handler imports: start.py uses them too)."""

from __future__ import annotations

from bot.i18n import N_
from bot.services.identity.base import CodeStatus

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
LINKED_TEXT = N_("This {channel} account is now linked to your profile: same role, unit, language and history.")
