"""One module per page area of the desk; each has `ROUTES` and `NAV` and is listed in `bot.web.app.PAGES`."""
