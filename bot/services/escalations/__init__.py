"""Difficulties and their escalation to the Director: state machine, reads, follow-ups."""

from bot.services.escalations.service import EscalationService

__all__ = ["EscalationService"]
