"""Each channel on its own: a part of the live process (a receiver, a webhook registration, a sender) that fails is
logged, tried again after a growing pause, and never ends the process; a channel that stays down is told to the
Office once, through the outbox, on a channel that still works, and again when it is back.

Why: `asyncio.gather` of every part ended the whole process at the first exception, so a Zalo outage at start-up
(a closed port, one HTTP 500 to setWebhook) stopped Telegram too, and under systemd the bot crash-looped for as
long as Zalo was down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.i18n import N_, I18n
from bot.services import Services
from bot.transport.backoff import Backoff
from bot.transport.outbox import Outbox
from bot.transport.policy import NOTIFY
from storage.models.transport import ChannelLease

log = logging.getLogger(__name__)
PARTS = Backoff(first=1.0, longest=300.0)  # seconds before the first retry, doubled after each failure, at most 5 min
HEALTHY_AFTER = 60.0  # a part that ran this long before failing starts again from the first pause
STAY_DOWN = 600.0  # a channel down this long is told to the Office (once per outage)

DOWN = N_("The {channel} channel has not been working for about {minutes} minutes ({reason}). Messages for people "
          "who use only {channel} are kept and will be sent when it works again; people who also use the other "
          "channel receive them there. The assistant keeps trying on its own.")
BACK = N_("The {channel} channel is working again; the messages kept for it are being sent.")
REASONS = {"unreachable": N_("the platform does not answer"),
           "token": N_("the platform refuses the bot token: reset it in the platform's bot settings"),
           "error": N_("the platform reports an error")}
NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


def reason_of(error: BaseException) -> str:
    """A kind the Office can act on: no answer, a refused token, or another error."""
    code = getattr(error, "code", None)
    kind = type(error).__name__
    if code == 401 or kind in ("InvalidToken", "ZaloUnauthorized"):
        return "token"
    if kind in ("ZaloNetworkError", "NetworkError", "TimedOut") or isinstance(error, OSError):
        return "unreachable"
    return "error"


class OfficeAlarm:
    """Tells the Office that a channel is down or back, through the outbox, once across processes."""

    def __init__(self, services: Services, i18n: I18n) -> None:
        self.services, self.i18n = services, i18n
        self.outbox = Outbox(services.db)

    def down(self, channel: str, reason: str, since: float) -> bool:
        """One message per Office target, avoiding `channel`; False when another process already told this
        outage (the claim is a conditional update of the `channellease` row "down:<channel>")."""
        if not self._claim(channel, since):
            return False
        minutes = max(1, round((time.time() - since) / 60))
        self._tell(channel, lambda tr: tr.gettext(DOWN).format(
            channel=NAMES.get(channel, channel), minutes=minutes, reason=tr.gettext(REASONS[reason])))
        return True

    def back(self, channel: str) -> None:
        self._tell(channel, lambda tr: tr.gettext(BACK).format(channel=NAMES.get(channel, channel)))

    def _claim(self, channel: str, since: float) -> bool:
        key = f"down:{channel}"[:16]
        with self.services.db.engine.begin() as connection:
            if connection.execute(select(ChannelLease.channel).where(ChannelLease.channel == key)).first() is None:
                try:
                    with connection.begin_nested():
                        connection.execute(insert(ChannelLease).values(channel=key, owner="", expires_at=0.0))
                except IntegrityError:
                    pass
            # `expires_at` holds when this channel's outage was last told: tell again only for a later outage.
            return connection.execute(update(ChannelLease).where(
                ChannelLease.channel == key, ChannelLease.expires_at < since)
                .values(expires_at=time.time())).rowcount == 1

    def _tell(self, channel: str, text: Callable) -> None:  # noqa: ANN001
        services = self.services
        with services.db.unit_of_work() as session:
            for _target, recipient in services.reminders.office_targets():
                routes = services.addressing.routes(recipient, skip=frozenset({channel}))
                if not routes:
                    continue
                chat = routes[0].chat_id
                self.outbox.enqueue(session, channel=routes[0].channel, chat_key=chat, method="sendMessage",
                                    params={"chat_id": chat, "text": text(self.i18n.get(recipient.locale))},
                                    files=None, priority=NOTIFY, resend=True, inbox_id=None)


@dataclass
class ChannelHealth:
    """Whether one channel works: parts report each failure and success; the Office hears of a long outage."""

    channel: str
    alarm: OfficeAlarm | None = None
    stay_down: float = STAY_DOWN
    now: Callable[[], float] = time.time
    down_since: float | None = None
    told: bool = False
    reason: str = ""

    async def failed(self, error: BaseException) -> None:
        if self.down_since is None:
            self.down_since = self.now()
        self.reason = reason_of(error)
        if not self.told and self.alarm is not None and self.now() - self.down_since >= self.stay_down:
            try:
                self.told = await asyncio.to_thread(self.alarm.down, self.channel, self.reason, self.down_since)
            except Exception:  # noqa: BLE001 - the database may be away too: try again at the next failure
                log.exception("could not tell the Office that %s is down", self.channel)

    async def ok(self) -> None:
        if self.down_since is None:
            return
        log.info("%s works again after %.0f s", self.channel, self.now() - self.down_since)
        told, self.down_since, self.told = self.told, None, False
        if told and self.alarm is not None:
            try:
                await asyncio.to_thread(self.alarm.back, self.channel)
            except Exception:  # noqa: BLE001
                log.exception("could not tell the Office that %s is back", self.channel)


def watched(send: Callable, health: ChannelHealth) -> Callable:  # noqa: ANN001
    """A sender's `send` that also reports to `health`: a call the channel accepted means it works, one that found
    no channel at all (a refused connection, no answer) means it does not. For a channel whose receiving says
    nothing about it (Zalo by webhook: Zalo calls the bot, the bot never calls Zalo but to send)."""
    from bot.transport.results import Outcome

    async def send_and_report(out):  # noqa: ANN001, ANN202
        result = await send(out)
        if result.outcome == Outcome.SENT:
            await health.ok()
        elif result.outcome in (Outcome.TRANSIENT, Outcome.IN_DOUBT):
            await health.failed(ConnectionError(result.error))
        return result

    return send_and_report


@dataclass
class Part:
    """One task of the process: `start()` runs it (a loop until `stop`, or a `once` step such as a webhook
    registration, done when it returns)."""

    name: str
    start: Callable[[], Awaitable[None]]
    health: ChannelHealth
    once: bool = False
    backoff: Backoff = PARTS
    tries: int = field(default=0, init=False)


async def keep_up(part: Part, stop: asyncio.Event, *, clock: Callable[[], float] = time.monotonic) -> None:
    """Run `part` until `stop`; any failure is logged with the next try's time and retried with back-off."""
    pause = 0.0  # the last pause waited after a failure (0: none since the part started or last ran healthy)
    while not stop.is_set():
        began = clock()
        part.tries += 1
        try:
            await part.start()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever it is, the other channel goes on
            if clock() - began >= HEALTHY_AFTER:
                pause = 0.0
            await part.health.failed(error)
            # A refused token needs a person: no point asking often (and the pauses after it stay the longest).
            pause = part.backoff.longest if part.health.reason == "token" else part.backoff.after(pause)
            log.error("%s failed (%s: %s); next try in %.0f s; the other channel is not affected", part.name,
                      type(error).__name__, str(error)[:200], pause)
            await _sleep_or(stop, pause)
            continue
        if part.once:
            await part.health.ok()
            return
        if not stop.is_set():  # a loop that ended by itself: start it again after the next failure's pause
            wait = part.backoff.after(pause)
            log.warning("%s ended; starting it again in %.0f s", part.name, wait)
            await _sleep_or(stop, wait)


async def _sleep_or(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
