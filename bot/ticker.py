"""Periodic tasks (reminders, follow-ups, status posts): the ticker thread runs them live, the simulator steps them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
import logging

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: timedelta
    run: Callable[[], Awaitable[None]]


@dataclass
class Ticker:
    """Tasks derive what is due from the database, so running one twice, or in two processes, is harmless."""

    tasks: list[PeriodicTask] = field(default_factory=list)

    def add(self, name: str, every: timedelta, run: Callable[[], Awaitable[None]]) -> None:
        self.tasks.append(PeriodicTask(name, every, run))

    async def run_all(self) -> None:
        for task in self.tasks:
            try:
                await task.run()
            except Exception:  # one failing task must not stop the others
                log.exception("periodic task %s failed", task.name)
