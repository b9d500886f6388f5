"""The Department's documents built from a consolidation: the official report (DOCX), its annex (XLSX), a chart."""
