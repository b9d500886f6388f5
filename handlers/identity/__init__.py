"""People and how they reach the bot, in chat: the way in (`entry`: /start, /trogiup and typed codes), /lienket
(`link`), the Office's /nguoidung (`people`) and /moi (`invites`), /ngonngu (`language`), and their texts
(`render`). Each module with commands is listed in handlers/registry.py where its commands belong in the menu."""
