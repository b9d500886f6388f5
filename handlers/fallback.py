"""Registered last: typed answers to pending dialogs, /huy (/cancel), unknown commands, unsupported content."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import Actor, DomainError
from bot.i18n import N_
from handlers.commands import CommandSpec
from handlers.common import answer_query, registered, reply
from handlers.context import BotApp, BotContext

COMMANDS = [CommandSpec("huy", "cancel", N_("Cancel what I am waiting for you to type"), lambda a: True)]
TEXT_LIMIT = 4000  # a typed answer longer than this is refused whole rather than cut


@registered()
async def cancel(update: Update, context: BotContext, actor: Actor) -> None:
    """Forget the pending question; saved answers stay saved."""
    _ = context.tr(actor.locale).gettext
    had = context.services.dialogs.get(actor.person_id)
    context.services.dialogs.clear(actor.person_id)
    await reply(update, context, _("Cancelled. Everything you saved before is kept.") if had
                else _("There is nothing to cancel."))


@registered()
async def text_typed(update: Update, context: BotContext, actor: Actor) -> None:
    """Hand typed text to the feature whose question is pending, or explain what the bot can do."""
    _ = context.tr(actor.locale).gettext
    dialog = context.services.dialogs.get(actor.person_id)
    route = context.bot_data.dialog_routes.get(dialog.kind) if dialog else None
    if route is None:
        await reply(update, context, _("I did not understand. Type /help to see what I can do for you."))
        return
    if len(update.effective_message.text or "") > TEXT_LIMIT:
        await reply(update, context, _("Your message is too long ({n} characters). Please keep it under {limit} "
                                       "characters, or attach a file.").format(
            n=len(update.effective_message.text), limit=TEXT_LIMIT))
        return
    try:
        await route.on_text(update, context, actor, dialog)
    except DomainError as error:  # the question stays pending: the person simply types again
        text = _(error.message)
        await reply(update, context, text.format(**error.params) if error.params else text)


@registered()
async def file_sent(update: Update, context: BotContext, actor: Actor) -> None:
    """A photo or document: useful only when a question is waiting for a file."""
    _ = context.tr(actor.locale).gettext
    dialog = context.services.dialogs.get(actor.person_id)
    route = context.bot_data.dialog_routes.get(dialog.kind) if dialog else None
    if route is None or route.on_file is None:
        message = _("Thank you, but I was not expecting a file here. Type /help to see what I can do for you.")
        if route is not None:
            message = _("Please answer in text here; a file is not expected for this question.")
        await reply(update, context, message)
        return
    try:
        await route.on_file(update, context, actor, dialog)
    except DomainError as error:
        text = _(error.message)
        await reply(update, context, text.format(**error.params) if error.params else text)


@registered()
async def unsupported(update: Update, context: BotContext, actor: Actor) -> None:
    """Stickers, voice, locations and the like."""
    _ = context.tr(actor.locale).gettext
    await reply(update, context, _("I can only read text messages, photos and documents. "
                                   "Type /help to see what I can do for you."))


@registered()
async def unknown_command(update: Update, context: BotContext, actor: Actor) -> None:
    """A command nobody registered, or one this person's role does not have."""
    _ = context.tr(actor.locale).gettext
    await reply(update, context, _("Unknown command. Type /help to see the commands you can use."))


@registered()
async def stale_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A button no handler recognises (an old message, or forged data)."""
    await answer_query(update)
    await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))


def register(app: BotApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler(COMMANDS[0].names, cancel))
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, text_typed))
    app.add_handler(MessageHandler(private & (filters.Document.ALL | filters.PHOTO), file_sent))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, unsupported))
    app.add_handler(CallbackQueryHandler(stale_button))
