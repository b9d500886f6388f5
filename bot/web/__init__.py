"""The Office's desk: server-rendered pages on the tornado server the webhooks use (see README "The desk").

`bot.web.app.desk_routes(desk)` gives the routes; each page area is one module under `bot/web/pages/` with its
templates under `bot/web/templates/`, listed once in `bot.web.app.PAGES`.
"""
