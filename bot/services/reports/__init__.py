"""Unit reports: filling in, review, versions and the Office's decision."""

from bot.services.reports.service import ReportService

__all__ = ["ReportService"]
