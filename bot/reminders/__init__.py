"""Reminders: the schedule relative to each unit's deadline, message texts, and the paced fan-out (no Telegram)."""
