"""The one local HTTP server of the Bot API stand-ins that benchmarks and tests reach over real HTTP: Telegram's
(benchmarks/fake_bot_api_server.py, tests/crash/bot_api.py) and Zalo's (`bot.simulator.zalo_fake.ZaloFakeServer`).

It is tornado's HTTP server (already the webhooks' and the desk's), on 127.0.0.1 and a free port, HTTP/1.1 with
keep-alive, without tornado.web's request handlers (a stand-in needs no routing, cookies or templates, and they
cost about a millisecond a call on the shared machine). Each stand-in gives it one function,
`answer(call) -> (status, payload)` (or a coroutine of it), and the server answers the payload as JSON. Nothing is
logged per request: paths carry bot tokens.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http.client import responses
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPFile, HTTPHeaders, HTTPServerRequest, ResponseStartLine, parse_body_arguments
from tornado.iostream import StreamClosedError
from tornado.netutil import bind_sockets

log = logging.getLogger(__name__)


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


def _params(request: HTTPServerRequest) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[-1].decode("utf-8", "replace") for k, v in request.query_arguments.items()}
    content_type = request.headers.get("Content-Type", "")
    if "json" in content_type or request.body.lstrip()[:1] == b"{":
        try:
            loaded = json.loads(request.body or b"{}")
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            params.update(loaded)
        return params
    fields: dict[str, list[bytes]] = {}
    files: dict[str, list[HTTPFile]] = {}
    parse_body_arguments(content_type, request.body, fields, files, request.headers)
    params.update({k: v[-1].decode("utf-8", "replace") for k, v in fields.items()})
    params.update({k: parts[0].filename for k, parts in files.items() if parts})
    return params


class StandInServer:
    """Serves `answer` on 127.0.0.1 in the running event loop, from `start()` to `stop()`."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self._server: HTTPServer | None = None
        self._tasks: set[asyncio.Task] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> None:
        """Listen on `port`, or a free one (0)."""
        sockets = bind_sockets(port, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(self._arrived)
        self._server.add_sockets(sockets)

    def _arrived(self, request: HTTPServerRequest) -> None:
        task = asyncio.ensure_future(self._serve(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, request: HTTPServerRequest) -> None:
        connection = request.connection
        if connection is None:
            return
        path = request.path
        try:
            result = self.answer(Call(path, path.rstrip("/").rsplit("/", 1)[-1], request.headers, request.body,
                                      _params(request)))
            status, payload = await result if inspect.isawaitable(result) else result
            data = json.dumps(payload, ensure_ascii=False).encode()
        except Exception:  # noqa: BLE001 - a stand-in's bug or an unreadable body: drop the connection, keep serving
            log.exception("the stand-in could not answer %s", path.rsplit("/", 1)[-1])
            connection.close()
            return
        headers = HTTPHeaders({"Content-Type": "application/json", "Content-Length": str(len(data))})
        try:
            await connection.write_headers(ResponseStartLine("HTTP/1.1", status, responses.get(status, "Answer")),
                                           headers, data)
            connection.finish()
        except StreamClosedError:  # the client went away (a bot process killed mid-request)
            pass

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
