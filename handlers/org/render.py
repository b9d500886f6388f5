"""/donvi texts: the unit list with the typed forms, a unit's short name, a unit's menu and its buttons.

Plain functions of the organisation service's results (no Telegram), so Zalo gets the same text.
"""

from __future__ import annotations

from bot.callbacks import UnitCode, data
from bot.domain import Button, OutMessage
from bot.i18n import Translator
from bot.services.org.service import UnitInfo


def unit_list_text(tr: Translator, units: list[UnitInfo]) -> str:
    _ = tr.gettext
    lines = [_("Units of the Department:")]
    for index, unit in enumerate(units, start=1):
        mark = _(" (retired)") if not unit.is_active else ""
        office = _(" - receives reports") if unit.is_admin_office else ""
        lines.append(f"{index}. {unit.name} [{unit.code}]{office}{mark}")
    lines.append("")
    lines.append(_("Choose a unit to rename or retire it. You can also type, for example:\n"
                   "/units add Phòng Thông tin\n/units rename qlkh Phòng Quản lý Khoa học\n/units retire qlkh"))
    lines.append(_("The official report writes a unit in full first, then by its short name:\n"
                   "/units short qlkh QLKH sets a short name; /units add Phòng Thông tin (PTT) adds a unit with one.\n"
                   "/units plan 15/KH-SKHCN 20/01/2026 sets the number and date of the Department's plan."))
    lines.append(_("/units movement followed by the movement's full name sets the name the report cites (the desk's "
                   "official report page sets it too)."))
    return "\n".join(lines)


def short_text(tr: Translator, unit: UnitInfo) -> str:
    _ = tr.gettext
    return (_("The short name of {name} is now {short}.").format(name=unit.name, short=unit.short_name)
            if unit.short_name else _("{name} has no short name now.").format(name=unit.name))


def added_text(tr: Translator, unit: UnitInfo) -> str:
    """"Unit added: ...", and its short name when it was given one."""
    return tr.gettext("Unit added: {name}.").format(name=unit.name) + \
        ("\n" + short_text(tr, unit) if unit.short_name else "")


def unit_menu_text(tr: Translator, unit: UnitInfo) -> str:
    """"Phòng Kế hoạch - Tài chính [khtc] - đang hoạt động"."""
    _ = tr.gettext
    state = _("active") if unit.is_active else _("retired")
    return f"{unit.name} [{unit.code}] - {state}"


def unit_menu(tr: Translator, unit: UnitInfo) -> OutMessage:
    """A unit's line with "Rename" and "Retire" (or "Restore" for a retired unit)."""
    _ = tr.gettext
    toggle = (Button(_("Retire"), data(UnitCode.RETIRE, unit.unit_id)) if unit.is_active
              else Button(_("Restore"), data(UnitCode.RESTORE, unit.unit_id)))
    return OutMessage(unit_menu_text(tr, unit), [[Button(_("Rename"), data(UnitCode.RENAME, unit.unit_id)), toggle]])
