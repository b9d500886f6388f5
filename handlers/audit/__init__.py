"""The audit log in chat: /nhatky with its filters (`entry`), each entry as a sentence (`render`), and the XLSX of
those sentences for an inspection (`export`); the desk's audit page uses the same sentences and sheet."""
