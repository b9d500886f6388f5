"""Erasure: a person's identifiers (name, Telegram and Zalo ids, codes, chats) go; what they did for the
Department stays, attributed to their unit and role through the nameless person row.

What goes, in the caller's one transaction: the name (replaced by "#<id>", so a report still reads "đồng chí #12,
Trưởng phòng ..."), the Telegram and Zalo ids, linking codes, invitations' copies of the name, the pending question,
the Zalo address and its last menu, every stored update and outgoing call of the person's private chats and those
of other chats that name them, and the name and ids wherever the audit log copied them (its values before and
after). The file links made for the person
are deleted from DATA_DIR. Nothing of a report, a version, a difficulty or its history is deleted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from bot.services.channels.addresses import synthetic_id
from storage.models import (AuditLog, ChannelAddress, ChannelMenu, DialogState, InboxUpdate, Invite, LinkCode,
                            OutboxMessage, Person)

ERASED = "#{id}"
SETTLED = ("sent", "failed", "unknown")


def erased_name(person_id: int) -> str:
    return ERASED.format(id=person_id)


def _scrub(values: dict[str, Any] | None, secrets: set[str], replacement: str) -> dict[str, Any] | None:
    """The audit values with every copy of the person's name or ids replaced."""
    if not values:
        return values
    return {key: replacement if isinstance(value, str) and value in secrets else value
            for key, value in values.items()}


def erase_person(session: Session, person: Person, data_dir: Path) -> dict[str, int]:
    """Erase in `session`'s transaction; returns how many rows of each kind went (for the audit entry)."""
    replacement = erased_name(person.id)
    identifiers = {v for v in (person.full_name, person.telegram_id, person.zalo_id) if v}
    addresses = session.exec(select(ChannelAddress).where(ChannelAddress.channel == "zalo",
                                                          ChannelAddress.external_id == person.zalo_id)).all() \
        if person.zalo_id else []
    telegram_chats = [person.telegram_id] if person.telegram_id else []
    zalo_chats = [person.zalo_id] if person.zalo_id else []
    zalo_outbox_chats = [str(synthetic_id(a.id)) for a in addresses]
    counts: dict[str, int] = {}
    counts["inbox"] = session.execute(delete(InboxUpdate).where(or_(
        (InboxUpdate.channel == "telegram") & InboxUpdate.chat_key.in_(telegram_chats),
        (InboxUpdate.channel == "zalo") & InboxUpdate.chat_key.in_(zalo_chats)))).rowcount
    counts["outbox"] = session.execute(delete(OutboxMessage).where(or_(
        (OutboxMessage.channel == "telegram") & OutboxMessage.chat_key.in_(telegram_chats),
        (OutboxMessage.channel == "zalo") & OutboxMessage.chat_key.in_(zalo_outbox_chats)))).rowcount
    # Other chats' stored traffic that names the person (the Office's notices, a name typed in /moi): settled
    # rows go now; one still waiting to be sent goes with the retention cleanup once it is sent.
    named = [f"%{form}%" for form in {person.full_name, json.dumps(person.full_name)[1:-1]}]
    counts["named"] = session.execute(delete(OutboxMessage).where(
        OutboxMessage.state.in_(SETTLED), or_(*[OutboxMessage.params.like(p) for p in named]))).rowcount
    counts["named"] += session.execute(delete(InboxUpdate).where(
        InboxUpdate.state.in_(("done", "dead")), or_(*[InboxUpdate.payload.like(p) for p in named]))).rowcount
    counts["link_codes"] = session.execute(delete(LinkCode).where(LinkCode.person_id == person.id)).rowcount
    counts["dialog"] = session.execute(delete(DialogState).where(DialogState.person_id == person.id)).rowcount
    for address in addresses:
        session.execute(delete(ChannelMenu).where(ChannelMenu.address_id == address.id))
        session.delete(address)
    counts["addresses"] = len(addresses)
    invites = session.exec(select(Invite).where(Invite.used_by == person.id)).all()
    for invite in invites:
        invite.full_name = ""
        session.add(invite)
    counts["invites"] = len(invites)
    scrubbed = 0
    for entry in session.exec(select(AuditLog)).all():
        before, after = _scrub(entry.before, identifiers, replacement), _scrub(entry.after, identifiers, replacement)
        if before != entry.before or after != entry.after:
            entry.before, entry.after = before, after
            session.add(entry)
            scrubbed += 1
    counts["audit_values"] = scrubbed
    person.full_name, person.telegram_id, person.zalo_id = replacement, None, None
    person.is_active, person.blocked_at = False, None
    session.add(person)
    counts["files"] = _delete_files(data_dir / "links", {*telegram_chats, *zalo_outbox_chats})
    return counts


def _delete_files(folder: Path, chats: set[str]) -> int:
    """File links made for the person's chats (bot/channels/links.py keeps the chat id beside each file)."""
    removed = 0
    for meta in folder.glob("*.json") if folder.is_dir() else ():
        try:
            chat = str(json.loads(meta.read_text(encoding="utf-8")).get("chat_id"))
        except (OSError, ValueError):
            continue
        if chat in chats:
            meta.with_suffix(".bin").unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
            removed += 1
    return removed
