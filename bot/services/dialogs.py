"""What a person's next typed message answers, kept in the database (survives restarts, works across processes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.services.base import Service
from storage.models import DialogState


@dataclass(frozen=True)
class Dialog:
    kind: str
    payload: dict[str, Any]


def remember_dialog(memo: dict | None, person_id: int, row: DialogState | None) -> None:
    """The person's dialog state row, or that there is none, for the rest of the update (read with the claim)."""
    if memo is not None:
        memo[("dialog", person_id)] = row


def _row(db, session, person_id: int) -> DialogState | None:  # noqa: ANN001
    """The row, from what the update already read when it can (the identity map cannot say "there is none")."""
    return db.remembered(session, ("dialog", person_id), lambda: session.get(DialogState, person_id),
                         keep=lambda _row: True)


class DialogService(Service):
    """One pending question per person; a feature owns the kinds it sets."""

    def get(self, person_id: int) -> Dialog | None:
        with self.db.session() as session:
            row = _row(self.db, session, person_id)
            return Dialog(row.kind, dict(row.payload)) if row else None

    def set(self, person_id: int, kind: str, payload: dict[str, Any] | None = None) -> None:
        with self.db.session() as session:
            row = _row(self.db, session, person_id)
            if row is None:
                row = DialogState(person_id=person_id, kind=kind, payload=payload or {}, updated_at=self.clock.now())
            else:
                row.kind, row.payload, row.updated_at = kind, payload or {}, self.clock.now()
            session.add(row)

    def clear(self, person_id: int, kind: str | None = None) -> None:
        """Forget the pending question (only if it is of `kind`, when given)."""
        with self.db.session() as session:
            row = _row(self.db, session, person_id)
            deleted = row is not None and (kind is None or row.kind == kind)
            if deleted:
                session.delete(row)
        if deleted:  # flushed as the block closed (which empties the memo): "none" is known without a read
            remember_dialog(self.db.memo(session), person_id, None)
