"""Chat channels other than Telegram, each a transport under the same python-telegram-bot Application.

A channel translates its incoming messages into Telegram-shaped updates and the Bot API calls the handlers make
into its own calls, so one set of handlers serves every channel (docs/ZALO.md explains why).
"""
