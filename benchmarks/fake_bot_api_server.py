"""A local stand-in for the Telegram Bot API over real HTTP on 127.0.0.1, enforcing Telegram's sending limits.

At most `global_rate` accepted message calls (sendMessage, sendDocument, sendPhoto, edits) in any sliding second,
and one per chat per second; beyond that it answers 429 with `retry_after`, as Telegram does. It records every
accepted message per chat (and, in `log`, when and with what text), so the benchmarks can count duplicates,
misses and reply latencies across sender processes. `rtt` adds a network round trip (half before the limits
are checked, as Telegram counts a message when it arrives, half after).

Measuring costs next to nothing in the stand-in's event loop: each chat's arrival times are indexed
(`arrivals`), and a benchmark waits for a chat's n-th message with `wait_arrival`, a future resolved when that
message is accepted, instead of scanning `log` on a timer (which, with 60 people polling every 20 ms, kept the
loop busy enough to delay the stand-in's own clock and bunch arrivals). HTTP is served by the stand-ins' one server
(bot/simulator/http_stand_in.py, on tornado).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict, deque

from bot.simulator.http_stand_in import Call, StandInServer


class FakeBotApiServer:
    MESSAGE_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "editMessageText",
                                 "editMessageReplyMarkup", "editMessageCaption"})

    def __init__(self, global_rate: int = 30, per_chat_seconds: float = 1.0, window: float = 1.0,
                 rtt: float = 0.0) -> None:
        self.global_rate, self.per_chat_seconds, self.window = global_rate, per_chat_seconds, window
        self.rtt = rtt
        self.log: list[tuple[float, str, str, str]] = []  # (arrival, chat, method, text)
        self.arrivals: defaultdict[str, list[float]] = defaultdict(list)  # chat -> accepted arrival times
        self._waiters: dict[str, list[tuple[int, asyncio.Future]]] = {}
        self.calls: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.too_many = 0
        self.too_many_chat = 0  # of which only the chat's limit was crossed (the rest: the bot-wide one)
        self.times: list[float] = []
        self._recent: deque[float] = deque()
        self._chat_last: dict[str, float] = {}
        self._server = StandInServer(self._serve)
        self._message_id = 0

    @property
    def port(self) -> int:
        return self._server.port

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()

    async def wait_arrival(self, chat: str, n: int, timeout: float) -> list[float] | None:
        """The chat's arrival times once it has more than `n` accepted messages (None after `timeout` s)."""
        times = self.arrivals[chat]
        if len(times) > n:
            return times
        future = asyncio.get_running_loop().create_future()
        entry = (n, future)
        self._waiters.setdefault(chat, []).append(entry)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            waiting = self._waiters.get(chat, [])
            if entry in waiting:
                waiting.remove(entry)
        return times

    def _arrived(self, chat: str, now: float) -> None:
        times = self.arrivals[chat]
        times.append(now)
        for n, future in self._waiters.get(chat, ()):
            if len(times) > n and not future.done():
                future.set_result(None)

    @property
    def total(self) -> int:
        return sum(self.accepted.values())

    async def _serve(self, call: Call) -> tuple[int, dict]:
        if self.rtt:
            await asyncio.sleep(self.rtt / 2)
        if call.method == "getUpdates":
            await asyncio.sleep(1.0)  # nothing arrives through polling here: the benchmarks use webhooks
        status, payload = self._answer(call.method, {k: str(v) for k, v in call.params.items()})
        if self.rtt:
            await asyncio.sleep(self.rtt / 2)
        return status, payload

    def _answer(self, method: str, params: dict[str, str]) -> tuple[int, dict]:
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}}
        self.calls[method] += 1
        if method == "getUpdates":
            return 200, {"ok": True, "result": []}
        if method not in self.MESSAGE_METHODS:
            return 200, {"ok": True, "result": True}
        chat = params.get("chat_id", "")
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= self.window:
            self._recent.popleft()
        wait_chat = self.per_chat_seconds - (now - self._chat_last.get(chat, -1e9))
        if len(self._recent) >= self.global_rate or wait_chat > 0:
            self.too_many += 1
            self.too_many_chat += wait_chat > 0 and len(self._recent) < self.global_rate
            retry = max(1, int(max(wait_chat, self.window - (now - self._recent[0]) if self._recent else 0) + 0.999))
            return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry}",
                         "parameters": {"retry_after": retry}}
        self._recent.append(now)
        self._chat_last[chat] = now
        self.accepted[chat] += 1
        self.log.append((now, chat, method, params.get("text", params.get("caption", ""))))
        self._arrived(chat, now)
        self.times.append(now)
        self.first_at = self.first_at or now
        self.last_at = now
        self._message_id += 1
        return 200, {"ok": True, "result": {"message_id": self._message_id, "date": int(time.time()),
                                            "chat": {"id": int(chat), "type": "private"}, "text": "ok"}}

