"""Each channel's sending limits: one budget per bot and channel, whatever the number of processes."""

from __future__ import annotations

from dataclasses import dataclass

# Outbox priorities: lower goes first.
ANSWER = 0  # acknowledging a button press (not a chat message: outside the message budget)
REPLY = 1  # to the person whose update is being handled, who is waiting
NOTIFY = 2  # to someone else, because of what a person did
BULK = 3  # reminder fan-outs and digests


@dataclass(frozen=True)
class ChannelPolicy:
    """`rate` messages/s overall (kept under the channel's hard limit), one per `per_chat` s in a private
    chat and one per `per_group` s in a group; `monthly_quota` caps NOTIFY and BULK sends (Zalo's free plans),
    never replies."""

    name: str
    rate: float
    hard_limit: int  # never this many message departures within one second (the sliding-window guard)
    per_chat: float
    per_group: float
    monthly_quota: int | None = None
    text_limit: int = 4096
    free_methods: frozenset[str] = frozenset()  # calls outside the message budget (no chat pacing)

    def interval_for(self, chat_key: str) -> float:
        return self.per_group if chat_key.startswith("-") else self.per_chat


# 1.1 s per chat: Telegram measures when a message arrives, and a loaded machine or network adds jitter.
TELEGRAM = ChannelPolicy("telegram", rate=28.0, hard_limit=29, per_chat=1.1, per_group=3.1,
                         free_methods=frozenset({"answerCallbackQuery", "setMyCommands", "deleteMyCommands"}))
# Zalo Bot Platform (issue 12): string ids, 2,000-character texts, a monthly quota on free plans.
ZALO = ChannelPolicy("zalo", rate=10.0, hard_limit=12, per_chat=1.05, per_group=3.05, monthly_quota=None,
                     text_limit=2000)
