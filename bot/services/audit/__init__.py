"""The audit log as the Office and the Director read it: sentences with names, filters, and an XLSX export."""

from bot.services.audit.service import AuditEntry, AuditFilter, AuditService

__all__ = ["AuditEntry", "AuditFilter", "AuditService"]
