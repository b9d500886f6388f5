"""Units of the Department: listed, added, renamed, retired; loaded from config/organization.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, func, select

from bot.domain import Actor, DomainError, NotFound, PermissionDenied, meaningful_or_refuse
from bot.i18n import N_, set_office_names
from bot.services.base import Service
from bot.text import clean_line, fold
from storage import audit
from storage.models import Unit

NAME_MAX = 200


@dataclass(frozen=True)
class UnitInfo:
    unit_id: int
    code: str
    name: str
    short_name: str
    is_admin_office: bool
    is_active: bool


def _info(unit: Unit) -> UnitInfo:
    return UnitInfo(unit.id, unit.code, unit.name, unit.short_name, unit.is_admin_office, unit.is_active)


def _snapshot(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "short_name": unit.short_name, "is_active": unit.is_active}


def _valid_name(name: str) -> str:
    name = meaningful_or_refuse(clean_line(name))
    if not name:
        raise DomainError(N_("Please type the unit's name."))
    if len(name) > NAME_MAX:
        raise DomainError(N_("A unit name may have at most {limit} characters."), limit=NAME_MAX)
    return name


def _code_from(name: str) -> str:
    """A short ASCII code from a Vietnamese name: "Phòng Quản lý Khoa học" -> "qlkh"."""
    words = [w for w in re.split(r"[^a-z0-9]+", fold(name)) if w and w not in ("phong", "so")]
    return ("".join(w[0] for w in words) or "unit")[:24]


class OrgService(Service):
    """The unit list; every change needs the Administration Office and is audited."""

    def list_units(self, include_retired: bool = False) -> list[UnitInfo]:
        with self.db.session() as session:
            query = select(Unit).order_by(Unit.sort_order, Unit.id)
            if not include_retired:
                query = query.where(Unit.is_active)
            return [_info(u) for u in session.exec(query).all()]

    def get_unit(self, unit_id: int) -> UnitInfo:
        with self.db.session() as session:
            unit = session.get(Unit, unit_id)
            if unit is None:
                raise NotFound()
            return _info(unit)

    def find_unit(self, word: str) -> UnitInfo | None:
        """A unit by id, code, short name or exact name, as typed."""
        key = fold(word)
        for unit in self.list_units(include_retired=True):
            if key in (str(unit.unit_id), unit.code, fold(unit.short_name), fold(unit.name)):
                return unit
        return None

    def add_unit(self, actor: Actor, name: str, short_name: str = "") -> UnitInfo:
        if not actor.is_office:
            raise PermissionDenied()
        name = _valid_name(name)
        now = self.clock.now()
        with self.db.session() as session:
            if session.exec(select(Unit).where(func.lower(Unit.name) == name.lower(), Unit.is_active)).first():
                raise DomainError(N_("A unit with this name already exists."))
            base = _code_from(name)
            code, n = base, 1
            while session.exec(select(Unit).where(Unit.code == code)).first():
                n += 1
                code = f"{base}{n}"
            order = (session.exec(select(func.max(Unit.sort_order))).one() or 0) + 1
            unit = Unit(code=code, name=name, short_name=clean_line(short_name), sort_order=order, created_at=now)
            session.add(unit)
            session.flush()
            audit.record(session, at=now, actor_id=actor.person_id, action="unit.add", entity="unit",
                         entity_id=unit.id, after=_snapshot(unit))
            return _info(unit)

    def rename_unit(self, actor: Actor, unit_id: int, name: str) -> UnitInfo:
        if not actor.is_office:
            raise PermissionDenied()
        name = _valid_name(name)
        return self._change(actor, unit_id, "unit.rename", name=name)

    def retire_unit(self, actor: Actor, unit_id: int) -> UnitInfo:
        if not actor.is_office:
            raise PermissionDenied()
        unit = self.get_unit(unit_id)
        if unit.is_admin_office:
            raise DomainError(N_("The Administration Office cannot be retired: it receives every report."))
        return self._change(actor, unit_id, "unit.retire", is_active=False)

    def restore_unit(self, actor: Actor, unit_id: int) -> UnitInfo:
        if not actor.is_office:
            raise PermissionDenied()
        return self._change(actor, unit_id, "unit.restore", is_active=True)

    def _change(self, actor: Actor, unit_id: int, action: str, **values: object) -> UnitInfo:
        now = self.clock.now()
        with self.db.session() as session:
            unit = session.get(Unit, unit_id)
            if unit is None:
                raise NotFound()
            before = _snapshot(unit)
            for key, value in values.items():
                setattr(unit, key, value)
            session.add(unit)
            audit.record(session, at=now, actor_id=actor.person_id, action=action, entity="unit",
                         entity_id=unit_id, before=before, after=_snapshot(unit))
            if unit.is_admin_office:
                set_office_names(unit.name, unit.short_name)
            return _info(unit)

    def load_file(self, path: Path, retire_missing: bool = False) -> tuple[int, int, int]:
        """Upsert units from the YAML file by code; returns (added, updated, retired)."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = data.get("units") or []
        offices = [e for e in entries if e.get("admin_office")]
        if len(offices) != 1:
            raise ValueError(f"{path}: exactly one unit must have admin_office: true")
        added = updated = retired = 0
        now = self.clock.now()
        with self.db.session() as session:
            existing = {u.code: u for u in session.exec(select(Unit)).all()}
            for order, entry in enumerate(entries, start=1):
                code = str(entry["code"]).strip().lower()
                values = {"name": clean_line(entry["name"]), "short_name": clean_line(entry.get("short_name", "")),
                          "is_admin_office": bool(entry.get("admin_office", False)), "sort_order": order}
                unit = existing.pop(code, None)
                if unit is None:
                    unit = Unit(code=code, created_at=now, **values)
                    added += 1
                elif any(getattr(unit, k) != v for k, v in values.items()) or not unit.is_active:
                    for key, value in values.items():
                        setattr(unit, key, value)
                    unit.is_active = True
                    updated += 1
                session.add(unit)
            if retire_missing:
                for unit in existing.values():
                    if unit.is_active:
                        unit.is_active = False
                        session.add(unit)
                        retired += 1
            session.flush()
            audit.record(session, at=now, actor_id=None, action="unit.load", entity="unit",
                         after={"file": str(path.name), "added": added, "updated": updated, "retired": retired})
        self.publish_office_names()
        return added, updated, retired

    def has_units(self) -> bool:
        with self.db.session() as session:
            return session.exec(select(func.count()).select_from(Unit)).one() > 0

    def office_unit(self) -> UnitInfo | None:
        with self.db.session() as session:
            unit = session.exec(select(Unit).where(Unit.is_admin_office).order_by(col(Unit.id))).first()
            return _info(unit) if unit else None

    def publish_office_names(self) -> None:
        """Give the translators the Office's names as stored (the catalogs say {office}, {office_short})."""
        try:
            office = self.office_unit()
        except SQLAlchemyError:  # no tables yet (before the first migration): the organisation file speaks
            return
        if office is not None:
            set_office_names(office.name, office.short_name)
