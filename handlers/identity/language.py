"""/ngonngu (/language): a person's language, Vietnamese or English, kept on their person row."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Lang, data, parse
from bot.domain import Actor, Button
from bot.i18n import N_
from bot.text import fold
from handlers.commands import CommandSpec, publish_menu
from handlers.common import answer_query, drop_buttons, registered, reply
from handlers.context import BotApp, BotContext

COMMANDS = [CommandSpec("ngonngu", "language", N_("Choose the language: Vietnamese or English"))]
WORDS = {"vi": "vi", "tiengviet": "vi", "vietnamese": "vi", "en": "en", "english": "en", "tienganh": "en"}


@registered()
async def choose_language(update: Update, context: BotContext, actor: Actor) -> None:
    """Offer the two languages, or switch at once when one is typed after the command."""
    if context.args:
        locale = WORDS.get(fold("".join(context.args)).replace(" ", ""))
        if locale:
            await _switch(update, context, actor, locale)
            return
    _ = context.tr(actor.locale).gettext
    await reply(update, context, _("Choose your language (or type /language vi or /language en):"),
                [[Button("Tiếng Việt", data(Lang.VI)), Button("English", data(Lang.EN))]])


@registered()
async def language_pressed(update: Update, context: BotContext, actor: Actor) -> None:
    """Store the chosen language."""
    parsed = parse(update.callback_query.data, Lang)
    await answer_query(update)
    await drop_buttons(update)
    if parsed is None or parsed[1]:
        await reply(update, context, context.tr(actor.locale).gettext("This button is no longer valid."))
        return
    await _switch(update, context, actor, parsed[0].value)


async def _switch(update: Update, context: BotContext, actor: Actor, locale: str) -> None:
    context.services.people.set_locale(actor.person_id, locale)
    actor = context.services.people.get_actor(actor.person_id)
    await publish_menu(context, actor)
    await reply(update, context, context.tr(locale).gettext("From now on I will write to you in English."))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler(COMMANDS[0].names, choose_language))
    app.add_handler(CallbackQueryHandler(language_pressed, pattern=r"^lang:"))
