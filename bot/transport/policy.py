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
    never replies.

    The sliding-window guard: `hard_limit` is the channel's own limit (at most that many messages arriving
    within one second); the sender never has more than `hard_limit` counted within any `window` seconds, each
    call counted from its departure plus the delay its round trip shows (`Budget`), so a call that left late
    counts later. `window - 1` is a small margin on top. The pace that sustains is about `hard_limit / window`;
    `rate` stays below it.

    `chat_429`: the channel's 429 may be a single chat's limit (Telegram: one message per second in a chat,
    20 per minute in a group), so a 429 in a chat that had a message within its interval plus a second holds
    only that chat; otherwise (Zalo: a 429 is the bot's quota) every 429 pauses the whole channel."""

    name: str
    rate: float
    hard_limit: int  # the channel's messages per second; never more leave within `window` seconds
    per_chat: float
    per_group: float
    monthly_quota: int | None = None
    text_limit: int = 4096
    free_methods: frozenset[str] = frozenset()  # calls outside the message budget (no chat pacing)
    window: float = 1.0
    chat_429: bool = False
    longest_pause: float = 1800.0  # a 429 without a retry time: the longest pause its doubling reaches

    def interval_for(self, chat_key: str) -> float:
        return self.per_group if chat_key.startswith("-") else self.per_chat


# Telegram: 30 messages per second per bot, one per second in a chat, 20 per minute in a group, all counted where
# they arrive. 30 within any 1.02 s (from each call's departure plus its round trip's delay) and 1.1 s per chat
# from the departure (100 ms for a loaded machine or network to bunch two arrivals in a chat); 28/s keeps the
# window from binding at a steady pace.
TELEGRAM = ChannelPolicy("telegram", rate=28.0, hard_limit=30, per_chat=1.1, per_group=3.1,
                         free_methods=frozenset({"answerCallbackQuery", "setMyCommands", "deleteMyCommands"}),
                         window=1.02, chat_429=True)
# Zalo Bot Platform (issue 12): string ids, 2,000-character texts, a monthly quota on free plans; its 429 is the
# bot's quota, never one chat's.
# `keepFile` (fetching a photo a person sent into the file store) is no message: no pacing, no quota.
ZALO = ChannelPolicy("zalo", rate=10.0, hard_limit=12, per_chat=1.05, per_group=3.05, monthly_quota=None,
                     text_limit=2000, free_methods=frozenset({"keepFile"}), window=1.1)
NOT_MESSAGES = frozenset({"keepFile"})  # outbox calls that reach nobody: never counted as messages sent
