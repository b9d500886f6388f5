"""How an outbox call names the reminder delivery row it reports to: "reminder:<id>", and "|fallback" on the copy
handed to the person's other channel. One place, for the handler that queues, the hook that reports and the
service that tells a waiting call from a dead one."""

from __future__ import annotations

REMINDER_REF = "reminder:"
FALLBACK_MARK = "|fallback"


def reminder_ref(row_id: int) -> str:
    return f"{REMINDER_REF}{row_id}"


def split_ref(ref: str) -> tuple[str, bool]:
    """(the reference without the mark, whether the row is already a fallback copy)."""
    if ref.endswith(FALLBACK_MARK):
        return ref[: -len(FALLBACK_MARK)], True
    return ref, False


def reminder_of(ref: str) -> int | None:
    """The reminder delivery row a reference reports to ("reminder:<id>", a fallback copy's too), if any."""
    kind, _, value = split_ref(ref)[0].partition(":")
    return int(value) if kind + ":" == REMINDER_REF and value.isdigit() else None
