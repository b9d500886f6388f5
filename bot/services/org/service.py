"""The organisation's units (listed, added, renamed, retired) and the Department's facts the Office sets (plan,
movement); loaded from config/organization.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, func, select

from bot.clock import Clock
from bot.config import PROJECT_ROOT
from bot.contracts import DepartmentData
from bot.domain import Actor, DomainError, NotFound, PermissionDenied, meaningful_or_refuse
from bot.i18n import N_, set_office_names
from bot.services.base import Service
from bot.text import clean_line, fold
from storage import audit
from storage.db import Database
from storage.models import OrgSetting, Unit

NAME_MAX = 200
SHORT_MAX = 24  # "Chi cục TĐC", "QLCN&TTCN": a short name fits a chart label
ORGANIZATION_FILE = PROJECT_ROOT / "config" / "organization.yaml"
PLAN_NUMBER, PLAN_DATE = "plan_number", "plan_date"  # OrgSetting keys the Office sets from chat or the desk
MOVEMENT = "movement"  # the movement's name as the report cites it (the desk's official report page sets it)
MOVEMENT_MAX = 300
# "Phòng Thông tin (PTT)": a short name typed in brackets after the unit's name.
_BRACKETED_SHORT = re.compile(r"^(?P<name>.+?)\s*\((?P<short>[^()]{1,24})\)\s*$")
_PLAN_NUMBER = re.compile(r"^\d{1,5}/[A-Za-zĐđ0-9&.-]+(?:-[A-Za-zĐđ0-9&.]+)*$")
_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


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


def _valid_short(short: str) -> str:
    short = clean_line(short)
    if short:
        meaningful_or_refuse(short)
    if len(short) > SHORT_MAX:
        raise DomainError(N_("A short name may have at most {limit} characters."), limit=SHORT_MAX)
    return short


def split_short_name(typed: str) -> tuple[str, str]:
    """"Phòng Thông tin (PTT)" -> ("Phòng Thông tin", "PTT"); a name without brackets has no short name."""
    match = _BRACKETED_SHORT.match(clean_line(typed))
    return (match["name"], match["short"].strip()) if match else (typed, "")


def parse_day(text: str) -> date | None:
    """"20/01/2026" as a date (None when it is not one)."""
    match = _DAY.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def department_from(data: dict) -> DepartmentData:
    """The organisation file's `department` section; a missing key keeps the default."""
    section = data.get("department") or {}
    values: dict = {}
    for key in ("superior", "superior_short", "movement", "province_plan", "plan_number"):
        if isinstance(section.get(key), str) and section[key].strip():
            values[key] = clean_line(section[key])
    day = section.get("plan_date")
    values["plan_date"] = day if isinstance(day, date) else parse_day(str(day or ""))
    if isinstance(section.get("recipients"), list):
        values["recipients"] = tuple(clean_line(str(r)) for r in section["recipients"] if str(r).strip())
    return DepartmentData(**values)


@lru_cache(maxsize=4)
def _file_department(path: Path, mtime: float) -> DepartmentData:
    return department_from(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def file_department(path: Path = ORGANIZATION_FILE) -> DepartmentData:
    """The Department's data as the organisation file gives it (read again when the file changes)."""
    try:
        return _file_department(path, path.stat().st_mtime)
    except OSError:
        return DepartmentData()


class OrgService(Service):
    """The unit list; every change needs the Administration Office and is audited."""

    def __init__(self, db: Database, clock: Clock, organization_file: Path = ORGANIZATION_FILE) -> None:
        super().__init__(db, clock)
        self.organization_file = organization_file

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
        """A new unit; "Phòng Thông tin (PTT)" gives its short name in brackets."""
        if not actor.is_office:
            raise PermissionDenied()
        if not short_name:
            name, short_name = split_short_name(name)
        short_name = _valid_short(short_name)
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
            unit = Unit(code=code, name=name, short_name=short_name, sort_order=order, created_at=now)
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

    def set_short_name(self, actor: Actor, unit_id: int, short_name: str) -> UnitInfo:
        """The short name the official report uses after a unit's first mention ("" removes it)."""
        if not actor.is_office:
            raise PermissionDenied()
        return self._change(actor, unit_id, "unit.short_name", short_name=_valid_short(short_name))

    def department(self) -> DepartmentData:
        """The organisation file's data about the Department, with what the Office set from chat on top."""
        data = file_department(self.organization_file)
        with self.db.session() as session:
            stored = {row.key: row.value for row in session.exec(select(OrgSetting)).all()}
        if PLAN_NUMBER in stored:
            data = replace(data, plan_number=stored[PLAN_NUMBER], plan_date=parse_day(stored.get(PLAN_DATE, "")))
        if stored.get(MOVEMENT):
            data = replace(data, movement=stored[MOVEMENT])
        return data

    def set_movement(self, actor: Actor, name: str) -> DepartmentData:
        """The movement's name as the report's title and closing cite it ("Phong trào thi đua “...”")."""
        if not actor.is_office:
            raise PermissionDenied()
        name = meaningful_or_refuse(clean_line(name))
        if not 10 <= len(name) <= MOVEMENT_MAX:
            raise DomainError(N_("Please type the movement's full name (10 to {max} characters), for example "
                                 "Phong trào thi đua “...”."), max=MOVEMENT_MAX)
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(OrgSetting, MOVEMENT)
            before = {MOVEMENT: row.value if row else self.department().movement}
            row = row or OrgSetting(key=MOVEMENT, value=name, updated_at=now)
            row.value, row.updated_by, row.updated_at = name, actor.person_id, now
            session.add(row)
            audit.record(session, at=now, actor_id=actor.person_id, action="department.movement",
                         entity="department", before=before, after={MOVEMENT: name})
        return self.department()

    def set_plan(self, actor: Actor, number: str, day: str) -> DepartmentData:
        """The Department's plan for the movement: its number ("15/KH-SKHCN") and date ("20/01/2026")."""
        if not actor.is_office:
            raise PermissionDenied()
        number, when = clean_line(number).strip(" ,;"), parse_day(clean_line(day))
        if not _PLAN_NUMBER.match(number) or len(number) > 40:
            raise DomainError(N_("Please type the plan's number as it is written, for example 15/KH-SKHCN."))
        if when is None or when > self.clock.today():
            raise DomainError(N_("Please type the plan's date as day/month/year, for example 20/01/2026."))
        now = self.clock.now()
        with self.db.session() as session:
            before = {row.key: row.value for row in session.exec(select(OrgSetting)).all()}
            for key, value in ((PLAN_NUMBER, number), (PLAN_DATE, when.strftime("%d/%m/%Y"))):
                row = session.get(OrgSetting, key) or OrgSetting(key=key, value=value, updated_at=now)
                row.value, row.updated_by, row.updated_at = value, actor.person_id, now
                session.add(row)
            audit.record(session, at=now, actor_id=actor.person_id, action="department.plan", entity="department",
                         before={k: before.get(k) for k in (PLAN_NUMBER, PLAN_DATE)},
                         after={PLAN_NUMBER: number, PLAN_DATE: when.strftime("%d/%m/%Y")})
        return self.department()

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
