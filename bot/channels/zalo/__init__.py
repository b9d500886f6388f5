"""The Zalo Bot Platform channel: API client, text rendering, update and call translation, transport."""
