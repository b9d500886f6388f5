"""The organisation in chat: /donvi, the Office's administration of the units and the Department's plan and
movement (`entry`), and its texts (`render`)."""
