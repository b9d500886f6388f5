"""One name for each thing (docs/GLOSSARY.md): the states and actions of a difficulty, role titles by the kind
of unit, and the Administration Office's name from the organisation data.

Chat, status, DOCX and XLSX take their words from here, so a state reads the same wherever it appears.
"""

from __future__ import annotations

from bot.contracts import EscalationState as S
from bot.domain import Role
from bot.i18n import N_, Translator

STATE_LABELS = {
    S.NEW: N_("new, waiting for the Administration Office"),
    S.WITH_OFFICE: N_("with the Administration Office"),
    S.INFO_REQUESTED: N_("more information requested from the unit"),
    S.FORWARDED: N_("forwarded to the Director"),
    S.INSTRUCTED: N_("answered, waiting for the unit's confirmation"),
    S.CLOSED: N_("closed"),
}
OUTCOME_LABELS = {"resolved": N_("resolved"), "duplicate": N_("duplicate of another item")}
ACTION_LABELS = {
    "raise": N_("raised the difficulty"),
    "receive": N_("received it for the Administration Office"),
    "forward": N_("forwarded it to the Director"),
    "answer": N_("answered on behalf of the Administration Office"),
    "ask": N_("asked the unit for more information"),
    "close": N_("closed it as resolved"),
    "duplicate": N_("closed it as a duplicate"),
    "instruct": N_("gave an instruction"),
    "assign": N_("assigned it to a deputy director"),
    "follow_up": N_("asked the Administration Office to follow up"),
    "add_info": N_("added information"),
    "confirm": N_("confirmed it is resolved"),
    "reply": N_("replied to the answer"),
    "comment": N_("added a note (the item had already moved on)"),
}

# Titles by the kind of unit, told from the unit's name as the organisation data gives it (config/organization.yaml):
# a "Phòng ..." has a Trưởng phòng, "Thanh tra Sở" a Chánh Thanh tra, a "Chi cục ..." a Chi cục trưởng, a
# "Trung tâm ..." a Giám đốc Trung tâm; any other unit a Thủ trưởng đơn vị. Deputies likewise.
UNIT_KINDS = (("phòng", "office"), ("thanh tra", "inspectorate"), ("chi cục", "subdepartment"),
              ("trung tâm", "centre"))
HEAD_TITLES = {
    "office": (N_("Head of the office"), N_("Deputy head of the office")),
    "inspectorate": (N_("Chief Inspector"), N_("Deputy Chief Inspector")),
    "subdepartment": (N_("Head of the sub-department"), N_("Deputy head of the sub-department")),
    "centre": (N_("Director of the centre"), N_("Deputy director of the centre")),
    "unit": (N_("Head of the unit"), N_("Deputy head of the unit")),
}


def unit_kind(unit_name: str | None) -> str:
    """office | inspectorate | subdepartment | centre | unit, from the start of the unit's name."""
    name = (unit_name or "").strip().lower()
    return next((kind for prefix, kind in UNIT_KINDS if name.startswith(prefix)), "unit")


def role_title(tr: Translator, role: Role, unit_name: str | None = None) -> str:
    """A person's title: "Trưởng phòng", "Chi cục trưởng", "Thủ trưởng đơn vị"...; other roles as they are."""
    from bot.domain import ROLE_LABELS  # the generic labels for roles without a unit-specific title

    if role in (Role.UNIT_HEAD, Role.DEPUTY):
        head, deputy = HEAD_TITLES[unit_kind(unit_name)]
        return tr.gettext(head if role == Role.UNIT_HEAD else deputy)
    if role == Role.OFFICE:
        return tr.gettext(N_("Staff member"))
    return tr.gettext(ROLE_LABELS[role])


def person_title(tr: Translator, role: Role, unit_name: str | None) -> str:
    """The title by the unit's kind, then the unit's exact name once: "Trưởng phòng, Phòng Kế hoạch - Tài chính",
    "Chi cục trưởng, Chi cục Tiêu chuẩn Đo lường Chất lượng", "Cán bộ, Phòng Hành chính - Tổng hợp"."""
    title = role_title(tr, role, unit_name)
    return f"{title}, {unit_name}" if unit_name else title
