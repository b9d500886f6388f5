"""Every button's callback data: one table per feature, "<prefix>:<code>[:<field>...]", short ASCII (<= 64 bytes).

A code names one action of one feature. `@unique` refuses two actions sharing a code, `TABLES` one prefix for two
features, so a press can never be read as another action (the old "esc:rep" meant both "raise the difficulties of
a report" and "reply on a difficulty"). Build data with `data(...)`, read it with `parse(...)`: tests check that no code
outside this module spells callback data by hand.
"""

from __future__ import annotations

from enum import StrEnum, unique

LIMIT = 64  # bytes: Telegram's limit for callback_data


@unique
class Esc(StrEnum):
    """Escalations (handlers/escalations): "esc:<code>:<item or draft key>:<argument>"."""

    VIEW = "v"
    FILE = "file"
    NEW = "new"
    FROM_REPORT = "frr"  # raise the difficulties a report lists: target = report id, argument = version
    LIST = "lst"
    UNITS = "units"
    URGENCY = "urg"
    NO_FILE = "noatt"
    FORWARD_NO_NOTE = "fwd0"
    CLOSE_NO_NOTE = "cls0"
    RECEIVE = "rcv"
    FORWARD = "fwd"
    ANSWER = "ans"
    ASK = "ask"
    CLOSE = "cls"
    DUPLICATE = "dup"
    AGREE = "ag"
    NOT_AGREED = "na"
    SEE_ME = "sm"
    INSTRUCT = "ins"
    ASSIGN = "asg"
    FOLLOW_UP = "fu"
    ADD_INFO = "add"
    CONFIRM = "ok"
    REPLY = "rep"


@unique
class Rep(StrEnum):
    """Reports (handlers/reports, handlers/reminders): filling, reviewing and reading."""

    OPEN = "open"  # rep:open:<period>
    ANSWER = "a"  # rep:a:<report>:<step>:<choice>
    REVISE = "rev"  # rep:rev:<report>:<version>
    VIEW_PERIOD = "vp"  # rep:vp:<period>
    VIEW = "v"  # rep:v:<report>:<version>
    ACCEPT = "acc"
    RETURN = "ret"


@unique
class Rem(StrEnum):
    """Reminders: "Remind me later" and the Office's "Remind now"."""

    SNOOZE = "snz"  # rem:snz:<period>
    NOW = "now"  # rem:now:<period>:<stamp>
    AGAIN = "again"  # rem:again:<period or 0 for all>:<stamp>: also those reminded earlier today


@unique
class Per(StrEnum):
    """Reporting periods and the working-day calendar (handlers/periods/)."""

    MENU = "m"
    OPEN = "open"
    CLOSE = "close"
    OPENS = "ops"
    DEADLINE = "dl"
    EXTEND = "ext"
    EXTEND_UNIT = "exu"
    UNEXTEND = "unx"
    UNEXTEND_UNIT = "unu"
    CALENDAR = "cal"
    DAY_OFF = "off"
    WORK_DAY = "wrk"
    CLEAR_DAY = "clr"


@unique
class UnitCode(StrEnum):
    """The unit list (handlers/org/entry.py)."""

    MENU = "menu"
    ADD = "add"
    RENAME = "ren"
    RETIRE = "ret"
    RESTORE = "res"


@unique
class Inv(StrEnum):
    """Invitations (handlers/identity/invites.py)."""

    ROLE = "r"
    UNIT = "u"
    LIST = "l"
    CANCEL = "x"


@unique
class Lang(StrEnum):
    VI = "vi"
    EN = "en"


@unique
class Ppl(StrEnum):
    """People (handlers/identity/people.py): remove access, or remove one of a person's accounts."""

    REMOVE = "rm"
    UNLINK = "ui"  # ppl:ui:<person>:<channel code>


@unique
class Lk(StrEnum):
    """A person's own accounts (handlers/identity/link.py): "lk:<code>:<channel code>"."""

    REMOVE = "rm"
    PREFER = "pf"


@unique
class St(StrEnum):
    """Status (handlers/status/entry.py): "st:<action>:<period>"; the values are the keys of its `ACTIONS`."""

    SHOW = "show"
    CHART = "chart"
    EXPORT = "export"


@unique
class Xb(StrEnum):
    """The official report (handlers/official_report/entry.py): "xb:<code>:<period>:<n>"."""

    GENERATE = "go"
    EDIT_PART = "ed"
    SIGNER = "sg"


@unique
class Page(StrEnum):
    """Another page of a long keyboard (handlers/paging.py): "pg:<list>:<page>:<argument of the list>"."""

    ESC_UNITS = "escu"  # argument: the escalation filter code
    UNITS = "unit"
    INVITE_UNITS = "invu"  # argument: the role code
    INVITES = "invx"
    PERIODS = "perm"
    EXTEND_UNITS = "extu"  # argument: the period id
    EXTENSIONS = "unxu"  # argument: the period id
    CHOICES = "pick"  # the numbered choices of a report list, kept in the person's dialog state


@unique
class Pv(StrEnum):
    """Personal data (handlers/privacy): "pv:<code>:<request or 0>"."""

    EXPORT = "x"
    CORRECT = "c"  # asks what to correct
    ERASE = "e"  # asks to confirm the erasure request
    ERASE_CONFIRMED = "ey"
    REQUESTS = "l"  # the Office's list of open requests
    ACKNOWLEDGE = "a"
    DONE = "d"  # a correction made, or (an erasure request) the confirmation before erasing
    ERASE_NOW = "w"  # the Office confirmed: erase


# prefix -> the feature's table of codes
TABLES: dict[str, type[StrEnum]] = {
    "esc": Esc, "rep": Rep, "rem": Rem, "per": Per, "unit": UnitCode, "inv": Inv, "lang": Lang, "ppl": Ppl, "st": St,
    "pg": Page, "xb": Xb, "lk": Lk, "pv": Pv,
}
PREFIX_OF = {table: prefix for prefix, table in TABLES.items()}


def data(code: StrEnum, *fields: object) -> str:
    """"esc:rep:12:0" from (Esc.REPLY, 12, 0)."""
    return ":".join([PREFIX_OF[type(code)], code.value, *(str(f) for f in fields)])


def well_formed(raw: str | None) -> bool:
    """Our buttons carry short ASCII ids only: data that is not ASCII or longer than Telegram allows is forged."""
    return bool(raw) and raw.isascii() and len(raw) <= LIMIT


def parse(raw: str | None, table: type[StrEnum]) -> tuple[StrEnum, list[str]] | None:
    """(code, fields) when `raw` is this feature's data with a known code, else None (stale or forged)."""
    if not well_formed(raw):
        return None
    parts = raw.split(":")
    if len(parts) < 2 or parts[0] != PREFIX_OF[table]:
        return None
    try:
        return table(parts[1]), parts[2:]
    except ValueError:
        return None

