"""Reminders in chat: the periodic tasks and the fan-out through the outbox (`entry`), and their texts (`render`)."""
