"""The Department's organisation: its units, the Department's own facts (plan, movement, superior) and the Office's
names, loaded from config/organization.yaml and administered by the Office (/donvi, the desk)."""

from bot.services.org.service import OrgService, UnitInfo

__all__ = ["OrgService", "UnitInfo"]
