"""Consolidated status of a period: the board, summaries and their schedule."""

from bot.services.status.service import StatusService

__all__ = ["StatusService"]
