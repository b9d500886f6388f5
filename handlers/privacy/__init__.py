"""Personal data in chat: /dulieu and the retention task (`entry`), one's own data (`mine`), the Office's requests
(`office`), and their texts (`render`)."""
