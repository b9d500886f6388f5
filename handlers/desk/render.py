"""The desk's chat text: the one-time sign-in link. A plain function of the translator (no Telegram)."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import Translator


def link_text(tr: Translator, link: str, expires: datetime) -> str:
    """The link, until when it works, and the warning not to forward it."""
    return tr.gettext(
        "Your link to the desk (it works once, for 10 minutes, until {time}):\n{link}\n\nOpen it in the browser of "
        "your computer. Do not forward it: whoever opens it signs in as you.").format(
        time=tr.datetime(expires), link=link)
