"""Status in chat: /tinhhinh, /bieudo, the group's board and summaries on the ticker (`entry`), and their texts
(`render`)."""
