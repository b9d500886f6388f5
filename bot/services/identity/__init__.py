"""Identity: people and how they reach the bot. `people` (who is behind a chat id, their language, who receives
what), `invites` (the Office's one-time invitations), `codes` (the typeable codes), `service` (`IdentityService`:
codes typed to register or link a channel, removing one, the preferred channel), `addressing` (the chat to write
to on each channel, and the Office's notices when one failed), and what they share in `base` (the channels and the
plain results). No imports here: `bot.services.channels` reads `base`, and `addressing` reads the channels."""
