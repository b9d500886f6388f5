"""Long polling for development and for hosts without a public HTTPS address: getUpdates in a loop, each update
handed to `handle` (which stores it in the inbox), with a growing pause after failures and a floor between calls.

A webhook and polling exclude each other on Zalo, so polling starts by deleting the webhook, retried like
getUpdates when Zalo does not answer. A refused token (401) ends the loop with `ZaloUnauthorized`: retrying at
once cannot fix it (the runtime tries again much later, and tells the Office).

The floor: a third party measured the live getUpdates answering at once with updates already handed out, so a
loop without a pause after a success made 133-153 calls a second. `MIN_INTERVAL` keeps it to a few a second, and
an answer with nothing new (only updates the inbox already has) waits `REPEAT_PAUSE`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.zalo.api import ZaloBotApi, ZaloError, ZaloUnauthorized
from bot.transport.backoff import Backoff

log = logging.getLogger(__name__)
Handle = Callable[[dict[str, Any]], Awaitable[bool | None]]  # True/None: new; False: the inbox had it already
Report = Callable[[BaseException | None], Awaitable[None]]  # None after a success, the error after a failure
MIN_INTERVAL = 0.3  # seconds from one getUpdates to the next: at most about 3 calls a second
REPEAT_PAUSE = 1.0  # after an answer holding only updates already stored
FAILED_POLL = Backoff(first=1.0, longest=30.0)  # after a failed call: 1, 2, 4 ... s, at most 30 s; a success resets


async def _nothing(_error: BaseException | None) -> None:
    return None


async def poll(api: ZaloBotApi, handle: Handle, stop: asyncio.Event, *, timeout: int = 30,
               backoff: Backoff = FAILED_POLL, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
               report: Report = _nothing, min_interval: float = MIN_INTERVAL,
               clock: Callable[[], float] = time.monotonic) -> int:
    """Poll until `stop` is set; returns how many updates were handed over."""
    handed, pause, webhook_gone, last = 0, 0.0, False, -1e9
    while not stop.is_set():
        wait = last + min_interval - clock()
        if wait > 0:
            await sleep(wait)
        last = clock()
        try:
            if not webhook_gone:
                await api.delete_webhook()
                webhook_gone = True
            updates = await api.get_updates(timeout=timeout)
        except ZaloUnauthorized as error:
            log.error("Zalo refused the bot token; polling stops (reset the token in Zalo Bot Creator)")
            await report(error)
            raise
        except ZaloError as error:
            pause = backoff.after(pause)
            log.warning("Zalo %s failed (%s); next try in %.0f s", error.method, error.code, pause)
            await report(error)
            await sleep(pause)
            continue
        pause = 0.0
        await report(None)
        fresh = 0
        for update in updates:
            fresh += await handle(update) is not False
            handed += 1
        if updates and not fresh:
            await sleep(REPEAT_PAUSE)
    return handed
