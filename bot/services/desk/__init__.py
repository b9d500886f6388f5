"""The desk's sign-in: one-time links from the chat, sessions in the database (bot/services/desk/auth.py)."""

from bot.services.desk.auth import DeskAuth, DeskSessionInfo, LinkRefused, can_use_desk

__all__ = ["DeskAuth", "DeskSessionInfo", "LinkRefused", "can_use_desk"]
