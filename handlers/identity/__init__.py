"""One person, one or two channels: codes typed by strangers (invitations on Zalo, linking codes), and /lienket."""

from __future__ import annotations

from handlers.context import BotApp
from handlers.identity import link

COMMANDS = link.COMMANDS


def register(app: BotApp) -> None:
    from handlers.identity import typed  # imported here: it uses handlers.start, which uses handlers.identity.texts

    typed.register(app)
    link.register(app)
