"""What every service holds: the database and the clock."""

from __future__ import annotations

from bot.clock import Clock
from storage.db import Database


class Service:
    """Base of the domain services: each public method opens one short session and returns plain data."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
