"""One person, one or two channels: typed registration and linking codes, removing an identity, the preferred
channel. Import `bot.services.identity.service` for the service (kept out of here: invites import the codes)."""
