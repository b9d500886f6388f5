"""Stored answers as a person reads them, in their language."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import Translator
from bot.questionnaire.model import QType, Question


def format_value(question: Question, value: Any, tr: Translator) -> str:
    """One answer as text ("Có", "1.500.000.000 đồng", "80,5%", the option's label, a file name...)."""
    _ = tr.gettext
    if value is None:
        return _("(skipped)")
    qtype = question.type
    if qtype == QType.YESNO:
        return _("Yes") if value else _("No")
    if qtype == QType.SINGLE:
        option = question.option(str(value))
        return option.text(tr.locale) if option else str(value)
    if qtype == QType.MULTI:
        labels = [(o.text(tr.locale) if (o := question.option(code)) else code) for code in value or []]
        return "; ".join(labels) or _("(none)")
    if qtype == QType.INTEGER:
        return tr.number(int(value), digits=0)
    if qtype == QType.MONEY:
        return tr.money(int(value))
    if qtype == QType.PERCENT:
        return tr.percent(float(value), digits=2)
    if qtype == QType.DATE:
        return tr.short_date(date.fromisoformat(str(value)))
    if qtype == QType.ATTACHMENT:
        size = int(value.get("size") or 0)
        name = value.get("file_name") or (_("photo") if value.get("kind") == "photo" else _("file"))
        return _("file {name} ({size} KB)").format(name=name, size=tr.number(max(1, round(size / 1024)), 0))
    if qtype == QType.GROUP:
        items = value or []
        if not items:
            return _("(none)")
        return "\n" + "\n".join(f"   {index}) {format_item(question, item, tr)}"
                                for index, item in enumerate(items, start=1))
    return str(value)


def format_item(group: Question, item: dict[str, Any], tr: Translator) -> str:
    """One entry of a repeatable group on one line: its fields' values joined by " - "."""
    parts = [format_value(f, item[f.id], tr) for f in group.fields if item.get(f.id) is not None]
    return " - ".join(parts)
