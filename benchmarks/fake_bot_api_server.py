"""A local stand-in for the Telegram Bot API over real HTTP on 127.0.0.1, enforcing Telegram's sending limits.

At most `global_rate` accepted message calls (sendMessage, sendDocument, sendPhoto, edits) in any sliding second,
and one per chat per second; beyond that it answers 429 with `retry_after`, as Telegram does. It records every
accepted message per chat (and, in `log`, when and with what text), so the benchmarks can count duplicates,
misses and reply latencies across sender processes. `rtt` adds a network round trip (half before the limits
are checked, as Telegram counts a message when it arrives, half after).

Measuring costs next to nothing in the stand-in's event loop: each chat's arrival times are indexed
(`arrivals`), and a benchmark waits for a chat's n-th message with `wait_arrival`, a future resolved when that
message is accepted, instead of scanning `log` on a timer (which, with 60 people polling every 20 ms, kept the
loop busy enough to delay the stand-in's own clock and bunch arrivals).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict, deque
from urllib.parse import parse_qs


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
        self._server: asyncio.base_events.Server | None = None
        self._message_id = 0
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

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

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, _s, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                method = path.rsplit("/", 1)[-1]
                if self.rtt:
                    await asyncio.sleep(self.rtt / 2)
                if method == "getUpdates":
                    await asyncio.sleep(1.0)  # nothing arrives through polling here: the benchmarks use webhooks
                status, payload = self._answer(method, headers.get("content-type", ""), body)
                if self.rtt:
                    await asyncio.sleep(self.rtt / 2)
                data = json.dumps(payload).encode()
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                             f"Connection: keep-alive\r\n\r\n".encode() + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, asyncio.CancelledError):
            pass  # the client went away, or the stand-in is stopping (its open connections are cancelled)
        finally:
            writer.close()

    def _params(self, content_type: str, body: bytes) -> dict[str, str]:
        if "json" in content_type:
            return {k: str(v) for k, v in json.loads(body or b"{}").items()}
        if "multipart" in content_type:
            return _multipart(content_type, body)
        return {k: v[0] for k, v in parse_qs(body.decode()).items()}

    def _answer(self, method: str, content_type: str, body: bytes) -> tuple[int, dict]:
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}}
        self.calls[method] += 1
        if method == "getUpdates":
            return 200, {"ok": True, "result": []}
        if method not in self.MESSAGE_METHODS:
            return 200, {"ok": True, "result": True}
        params = self._params(content_type, body)
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


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    """The text fields of a multipart upload (the file parts are skipped)."""
    boundary = content_type.split("boundary=", 1)[-1].strip('"').encode()
    fields = {}
    for part in body.split(b"--" + boundary):
        head, _sep, value = part.partition(b"\r\n\r\n")
        if b"filename=" in head or b'name="' not in head:
            continue
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        fields[name] = value.rstrip(b"\r\n").decode("utf-8", "replace")
    return fields
