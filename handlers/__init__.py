"""Telegram handlers: thin adapters from updates to service calls and back to messages."""
