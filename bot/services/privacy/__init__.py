"""Personal data (docs/PRIVACY.md): a person's copy of their data, requests to the Office, erasure, retention."""

from bot.services.privacy.service import PrivacyService

__all__ = ["PrivacyService"]
