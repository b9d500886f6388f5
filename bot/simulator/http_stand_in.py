"""The one local HTTP server of the Bot API stand-ins that benchmarks and tests reach over real HTTP: Telegram's
(benchmarks/fake_bot_api_server.py, tests/crash/bot_api.py) and Zalo's (`bot.simulator.zalo_fake.ZaloFakeServer`).

It is tornado's HTTP server (already the webhooks' and the desk's), on 127.0.0.1 and a free port, HTTP/1.1 with
keep-alive. Each stand-in gives it one function, `answer(call) -> (status, payload)` (or a coroutine of it), and
the server answers the payload as JSON. There is no access log: request paths carry bot tokens.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http.client import responses
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler


@dataclass(frozen=True)
class Call:
    """One request: its path (without the query), the API method (the last path segment), headers, raw body, and
    the parameters: the query's, then a JSON body's (as sent) or the form's fields (text; a file part gives its
    file name)."""

    path: str
    method: str
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, Any]


Answer = Callable[[Call], "tuple[int, Any] | Awaitable[tuple[int, Any]]"]


class _Handler(RequestHandler):
    def initialize(self, answer: Answer) -> None:
        self.answer = answer

    def compute_etag(self) -> None:
        return None  # every answer is fresh; no 304s

    async def get(self) -> None:
        await self._serve()

    async def post(self) -> None:
        await self._serve()

    async def _serve(self) -> None:
        request = self.request
        params: dict[str, Any] = {k: v[-1].decode("utf-8", "replace") for k, v in request.query_arguments.items()}
        if "json" in request.headers.get("Content-Type", "") or request.body.lstrip()[:1] == b"{":
            try:
                loaded = json.loads(request.body or b"{}")
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                params.update(loaded)
        else:
            params.update({k: v[-1].decode("utf-8", "replace") for k, v in request.body_arguments.items()})
            params.update({k: files[0].filename for k, files in request.files.items() if files})
        path = request.path
        result = self.answer(Call(path, path.rstrip("/").rsplit("/", 1)[-1], request.headers, request.body, params))
        status, payload = await result if inspect.isawaitable(result) else result
        self.set_status(status, reason=responses.get(status, "Answer"))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload, ensure_ascii=False))


class StandInServer:
    """Serves `answer` on 127.0.0.1 in the running event loop, from `start()` to `stop()`."""

    def __init__(self, answer: Answer) -> None:
        self._app = Application([(r"/.*", _Handler, {"answer": answer})], log_function=lambda _handler: None)
        self._server: HTTPServer | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        sockets = bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(self._app)
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
