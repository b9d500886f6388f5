"""Long keyboards (one button per unit, period, invitation, report...) a page at a time, with previous/next.

Each list registers how to build all its buttons for a person. A "pg:<list>:<page>:<argument>" press rebuilds
them on the server, so a stale or forged press shows only what the person may see now, and replaces the keyboard
of the pressed message in place. The numbers and codes in the message text stay typeable.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.callbacks import Page, data, parse
from bot.domain import Actor, Button
from bot.i18n import Translator
from handlers.common import answer_query, int_or_none, markup, registered, reply
from handlers.context import BotApp, BotContext

PAGE_SIZE = 8
Builder = Callable[[BotContext, Actor, str], "list[Button] | Awaitable[list[Button]]"]
LISTS: dict[Page, tuple[Builder, int]] = {}  # list -> (its buttons for a person, buttons per row)


def list_for(key: Page, per_row: int = 1) -> Callable[[Builder], Builder]:
    """Decorator: `builder(context, actor, argument)` returns every button of list `key` for that person."""
    def decorate(builder: Builder) -> Builder:
        LISTS[key] = (builder, per_row)
        return builder
    return decorate


def page_rows(tr: Translator, key: Page, argument: object, buttons: Sequence[Button], page: int = 0,
              per_row: int | None = None) -> list[list[Button]]:
    """One page of `buttons` in rows, then "previous"/"next" when there is more than one page."""
    per_row = per_row or LISTS.get(key, (None, 1))[1]
    pages = max(1, -(-len(buttons) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    chunk = list(buttons[page * PAGE_SIZE:(page + 1) * PAGE_SIZE])
    rows = [chunk[i:i + per_row] for i in range(0, len(chunk), per_row)]
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(Button(tr.gettext("« Previous ({n}/{m})").format(n=page, m=pages), data(key, page - 1, argument)))
        if page < pages - 1:
            nav.append(Button(tr.gettext("Next ({n}/{m}) »").format(n=page + 2, m=pages), data(key, page + 1, argument)))
        rows.append(nav)
    return rows


async def build(context: BotContext, actor: Actor, key: Page, argument: str) -> list[Button]:
    builder, _per_row = LISTS[key]
    result = builder(context, actor, argument)
    return await result if inspect.isawaitable(result) else result


@registered()
async def page_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Show another page: the list is rebuilt for this person now; the keyboard is replaced in place."""
    await answer_query(update)
    tr = context.tr(actor.locale)
    parsed = parse(update.callback_query.data, Page)
    page = int_or_none(parsed[1][0]) if parsed and len(parsed[1]) == 2 else None
    if parsed is None or page is None or parsed[0] not in LISTS:
        await reply(update, context, tr.gettext("This button is no longer valid."))
        return
    key, argument = parsed[0], parsed[1][1]
    rows = page_rows(tr, key, argument, await build(context, actor, key, argument), page)
    query = update.callback_query
    if query.message is not None and query.message.chat.type == "private":  # a group's message is never edited
        try:
            await query.edit_message_reply_markup(reply_markup=markup(rows))
            return
        except TelegramError:  # too old to edit: send the page as a new message
            pass
    await reply(update, context, tr.gettext("More choices:"), rows)


COMMANDS: list = []


def register(app: BotApp) -> None:
    app.add_handler(CallbackQueryHandler(page_pressed, pattern=r"^pg:"))
