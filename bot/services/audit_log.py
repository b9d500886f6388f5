"""Reading the audit log (writing happens inside each service's own transaction: storage/audit.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from bot.domain import Actor, PermissionDenied
from bot.services.base import Service
from storage.models import AuditLog, Person


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_name: str | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditService(Service):
    def recent(self, actor: Actor, limit: int = 20) -> list[AuditEntry]:
        if not actor.is_office and not actor.is_director:
            raise PermissionDenied()
        with self.db.session() as session:
            rows = session.exec(
                select(AuditLog, Person).join(Person, isouter=True)
                .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(limit)
            ).all()
            return [AuditEntry(a.at, p.full_name if p else None, a.action, a.entity, a.entity_id, a.before, a.after)
                    for a, p in rows]
