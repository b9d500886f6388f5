"""Audit entries are written inside the caller's transaction, so a change and its record land together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import AuditLog


def record(
    session: Session,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry to the session's transaction."""
    session.add(
        AuditLog(
            at=at, actor_id=actor_id, action=action, entity=entity, entity_id=str(entity_id),
            before=_jsonable(before), after=_jsonable(after),
        )
    )


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in values.items()}
