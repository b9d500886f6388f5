"""/banlamviec (/desk): a one-time sign-in link to the Office's desk (bot/web/)."""

from handlers.desk.command import COMMANDS, register

__all__ = ["COMMANDS", "register"]
