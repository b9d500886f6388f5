"""Reporting periods in chat: /kybaocao (/periods) and its buttons and typed dates (`entry`), and their texts (`render`)."""
