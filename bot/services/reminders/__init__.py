"""Reminders: the schedule relative to each unit's deadline (`schedule`), what is due and its plain results (`base`),
how an outbox call names its delivery row (`refs`), and the service that claims and records deliveries (`service`).
No Telegram here: the fan-out that sends them and their texts are in handlers/reminders/."""

from bot.services.reminders.service import ReminderService

__all__ = ["ReminderService"]
