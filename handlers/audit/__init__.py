"""/nhatky (/audit): the audit log as sentences, with filters and an XLSX export."""
