"""A small async client for the Zalo Bot Platform over httpx (docs/ZALO.md: why not the python-zalo-bot SDK).

Calls are `POST {base}/bot{token}/{method}` with a JSON body; answers are `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": "..."}`. Errors become exceptions by code: 429 quota, 403 blocked or
forbidden, 401 bad token, anything else `ZaloError`. The token sits only in request URLs: it is never in an
exception, a repr or a log line (httpx's request log is filtered while a client is open).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from bot.redact import RedactingFilter, Redactor
from bot.text import utf16_length

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000  # sendMessage text and sendPhoto caption: 1 to 2,000 characters (UTF-16 units: the stricter)
SECRET_MIN, SECRET_MAX = 8, 256  # setWebhook secret_token length
REDACTED = "<token>"
LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2")  # filters do not inherit

log = logging.getLogger(__name__)


class ZaloError(Exception):
    """A refused or failed call; `code` is Zalo's error_code (or the HTTP status), `method` the API method."""

    def __init__(self, method: str, code: int | None, description: str) -> None:
        super().__init__(f"Zalo {method} failed ({code}): {description}")
        self.method, self.code, self.description = method, code, description


class ZaloQuotaExceeded(ZaloError):
    """429: the plan's quota (or rate) is used up; no retry time is published, so the caller pauses the channel."""


class ZaloForbidden(ZaloError):
    """403: the person blocked the bot, or the bot may not write to this chat."""


class ZaloUnauthorized(ZaloError):
    """401: the token is wrong or was reset."""


class ZaloNetworkError(ZaloError):
    """No answer (timeout, connection refused, invalid JSON): the call may be retried."""


_BY_CODE: dict[int, type[ZaloError]] = {429: ZaloQuotaExceeded, 403: ZaloForbidden, 401: ZaloUnauthorized}


@dataclass(frozen=True)
class ZaloBotInfo:
    id: str
    account_name: str
    account_type: str
    can_join_groups: bool


@dataclass(frozen=True)
class ZaloSent:
    """What sendMessage/sendPhoto answer: Zalo's message id (a string) and its time in milliseconds."""

    message_id: str
    date: int


class ZaloBotApi:
    """One bot's API; use as `async with ZaloBotApi(token) as api:` or call `close()`."""

    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 15.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not token or "/" in token or any(ch.isspace() for ch in token):
            raise ValueError("a Zalo bot token is required (no spaces or slashes)")
        self._token = token
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._timeout = timeout
        self._client = httpx.AsyncClient(transport=transport, timeout=timeout)
        self._filter = RedactingFilter(Redactor([token], mask=REDACTED))  # httpx logs each request URL
        for name in LOGGERS:
            logging.getLogger(name).addFilter(self._filter)

    def __repr__(self) -> str:
        return f"ZaloBotApi(base_url={self.base_url!r})"

    async def __aenter__(self) -> ZaloBotApi:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._client.aclose()
        for name in LOGGERS:
            logging.getLogger(name).removeFilter(self._filter)

    # ---------------------------------------------------------------------------------------------
    async def call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        """POST one method and return its `result`, or raise the matching `ZaloError`."""
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            response = await self._client.post(url, json=params or {}, timeout=timeout or self._timeout)
        except httpx.HTTPError as error:  # the message of some httpx errors holds the URL, hence the token
            raise ZaloNetworkError(method, None, type(error).__name__) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _error(method, response.status_code, f"HTTP {response.status_code}, not a JSON object", self._token)
        if body.get("ok") is True and response.status_code < 400:
            return body.get("result")
        code = body.get("error_code")
        code = code if isinstance(code, int) else response.status_code
        raise _error(method, code, str(body.get("description") or "no description"), self._token)

    async def get_me(self) -> ZaloBotInfo:
        result = await self.call("getMe")
        return ZaloBotInfo(str(result.get("id", "")), str(result.get("account_name", "")),
                           str(result.get("account_type", "")), bool(result.get("can_join_groups", False)))

    async def get_updates(self, timeout: int = 30) -> list[dict[str, Any]]:
        """Long polling: the updates Zalo holds (its answer is one update object, a list, or nothing)."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)}, timeout=timeout + 10)
        except ZaloError as error:
            if error.code == 408:  # the long poll ended without a message
                return []
            raise
        if isinstance(result, list):
            return [item for item in result if isinstance(item, dict)]
        if isinstance(result, dict) and ("event_name" in result or "message" in result):
            return [result]
        return []

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        if not url.startswith("https://"):
            raise ValueError("Zalo calls webhooks over HTTPS only")
        if not SECRET_MIN <= len(secret_token) <= SECRET_MAX:
            raise ValueError(f"the webhook secret has {SECRET_MIN} to {SECRET_MAX} characters")
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token}) or {}

    async def delete_webhook(self) -> dict[str, Any]:
        return await self.call("deleteWebhook") or {}

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self.call("getWebhookInfo") or {}

    async def send_message(self, chat_id: str, text: str) -> ZaloSent:
        """One text of 1 to 2,000 characters (split longer texts with render.split_text first)."""
        _check_chat(chat_id)
        if not 1 <= utf16_length(text) <= TEXT_LIMIT:
            raise ValueError(f"a Zalo message has 1 to {TEXT_LIMIT} characters, not {utf16_length(text)}")
        return _sent(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> ZaloSent:
        """A photo Zalo fetches from a public URL, with an optional caption of up to 2,000 characters."""
        _check_chat(chat_id)
        if not photo_url.startswith(("https://", "http://")):
            raise ValueError("Zalo sends photos by URL only")
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            if utf16_length(caption) > TEXT_LIMIT:
                raise ValueError(f"a Zalo caption has at most {TEXT_LIMIT} characters")
            params["caption"] = caption
        return _sent(await self.call("sendPhoto", params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> bool:
        """Only "typing" is available ("upload_photo" is announced): anything else is sent as typing."""
        _check_chat(chat_id)
        await self.call("sendChatAction", {"chat_id": chat_id, "action": "typing"})
        return True


def _check_chat(chat_id: str) -> None:
    if not isinstance(chat_id, str) or not chat_id.strip():
        raise ValueError("Zalo chat ids are non-empty strings")


def _sent(result: Any) -> ZaloSent:
    result = result if isinstance(result, dict) else {}
    date = result.get("date")
    return ZaloSent(str(result.get("message_id", "")), int(date) if isinstance(date, (int, float)) else 0)


def _error(method: str, code: int | None, description: str, token: str) -> ZaloError:
    kind = _BY_CODE.get(code or 0, ZaloError)
    return kind(method, code, Redactor([token], mask=REDACTED)(description)[:300])
