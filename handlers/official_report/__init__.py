"""The official report in chat: /xuatbaocao, the Office's parts and the files (`entry`), and their texts (`render`)."""
