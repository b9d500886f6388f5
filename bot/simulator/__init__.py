"""The local chat simulator: the real Application, with the Telegram Bot API replaced in-process."""
