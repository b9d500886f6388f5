"""The audit log as an XLSX sheet for an inspection: one row per entry, the sentence and its parts."""

from __future__ import annotations

from io import BytesIO

from bot.i18n import Translator
from bot.services.audit import AuditEntry
from handlers.audit.render import describe, who


def audit_workbook(tr: Translator, entries: list[AuditEntry]) -> bytes:
    """Time, who, unit, what happened (the same sentence as in the chat), oldest first."""
    from openpyxl import Workbook  # only when someone exports
    from openpyxl.styles import Alignment, Font

    _ = tr.gettext
    book = Workbook()
    sheet = book.active
    sheet.title = _("Audit log")[:31]
    sheet.append([_("Time"), _("Who"), _("Unit"), _("What happened")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in reversed(entries):
        sheet.append([tr.datetime(entry.at), who(tr, entry.actor_name), entry.names.get("unit", ""),
                      describe(tr, entry)])
    for column, width in zip("ABCD", (18, 28, 40, 100), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    book.save(out)
    return out.getvalue()
