"""The Administration Office's texts of the official report, per period (see service.py)."""

from bot.services.official_report.service import OfficialReportService, PartState

__all__ = ["OfficialReportService", "PartState"]
