"""The legal basis the official report cites, as data (config/legal_basis.yaml): read for a period by its dates.

A reference applies to a period when it is in force on the period's last day of data; only confirmed references
are cited. A new decree or an amending law is a new entry in the file, not a change to the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.text import nfc

FILE = PROJECT_ROOT / "config" / "legal_basis.yaml"


@dataclass(frozen=True)
class LegalReference:
    id: str
    kind: str  # law | decree | circular
    title: str
    number: str
    issued: date
    in_force_from: date
    in_force_until: date | None
    cite: str  # how a sentence names it: "Nghị định số 152/2025/NĐ-CP"
    confirmed: bool
    amends: str | None = None

    def in_force(self, day: date) -> bool:
        return self.in_force_from <= day and (self.in_force_until is None or day < self.in_force_until)


def _day(value: object) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@cache
def references(path: Path = FILE) -> tuple[LegalReference, ...]:
    """Every reference of the file, in its order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(LegalReference(
        id=str(e["id"]), kind=str(e["kind"]), title=nfc(str(e["title"])), number=str(e["number"]),
        issued=_day(e["issued"]), in_force_from=_day(e["in_force_from"]), in_force_until=_day(e.get("in_force_until")),
        cite=nfc(str(e["cite"])), confirmed=bool(e.get("confirmed")), amends=e.get("amends") or None,
    ) for e in data.get("references") or [])


def in_force(day: date, path: Path = FILE) -> list[LegalReference]:
    """The confirmed references in force on `day`."""
    return [r for r in references(path) if r.confirmed and r.in_force(day)]


def basis(day: date, path: Path = FILE) -> str:
    """"Luật Thi đua, khen thưởng năm 2022 và Nghị định số 152/2025/NĐ-CP" for a day; amendments named with the law
    they amend; "" when the file gives nothing in force."""
    found = in_force(day, path)
    amended = {r.amends: r for r in found if r.amends}
    laws = [r.cite + (f" (được sửa đổi, bổ sung bởi {amended[r.id].cite})" if r.id in amended else "")
            for r in found if r.kind == "law" and not r.amends]
    others = [r.cite for r in found if r.kind != "law"]
    parts = laws + others
    return " và ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)
