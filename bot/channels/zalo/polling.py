"""Long polling for development and for hosts without a public HTTPS address: getUpdates in a loop, each update
handed to `handle` (which stores it in the inbox), with a growing pause after failures.

A webhook and polling exclude each other on Zalo, so polling starts by deleting the webhook. A refused token
(401) stops the loop: retrying cannot fix it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.zalo.api import ZaloBotApi, ZaloError, ZaloUnauthorized

log = logging.getLogger(__name__)
Handle = Callable[[dict[str, Any]], Awaitable[None]]


async def poll(api: ZaloBotApi, handle: Handle, stop: asyncio.Event, *, timeout: int = 30,
               max_pause: float = 30.0, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> int:
    """Poll until `stop` is set; returns how many updates were handed over."""
    await api.delete_webhook()
    handed, pause = 0, 0.0
    while not stop.is_set():
        try:
            updates = await api.get_updates(timeout=timeout)
        except ZaloUnauthorized:
            log.error("Zalo refused the bot token; polling stops (reset the token in Zalo Bot Creator)")
            raise
        except ZaloError as error:
            pause = min(max(pause * 2, 1.0), max_pause)
            log.warning("Zalo getUpdates failed (%s); next try in %.0f s", error.code, pause)
            await sleep(pause)
            continue
        pause = 0.0
        for update in updates:
            await handle(update)
            handed += 1
    return handed
