"""Button codes: one table per feature, no code or prefix shared, every code handled by exactly one handler."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from telegram.ext import CallbackQueryHandler

from bot import callbacks
from bot.callbacks import TABLES, Esc, data, parse

ROOT = Path(__file__).resolve().parent.parent
LOOKS_LIKE_DATA = re.compile(r"^([a-z]+):([A-Za-z0-9]*)")


def test_codes_unique_per_table_and_prefixes_unique():
    prefixes = list(TABLES)
    assert len(prefixes) == len(set(prefixes))
    for prefix, table in TABLES.items():
        values = [member.value for member in table]
        assert len(values) == len(set(values)), prefix
        assert all(re.fullmatch(r"[a-z0-9]{1,8}", v) for v in values), prefix
        assert all(":" not in v for v in values)
    assert len(set(TABLES.values())) == len(TABLES)


def test_every_code_reaches_exactly_one_handler(sim):
    """A press goes to one handler only, and every handler's pattern names codes of the table."""
    handlers = [h for group in sim.app.handlers.values() for h in group
                if isinstance(h, CallbackQueryHandler) and h.pattern is not None]
    for prefix, table in TABLES.items():
        for code in table:
            sample = data(code, 1, 1)
            matching = [h for h in handlers if h.pattern.match(sample)]
            assert len(matching) == 1, (sample, matching)
            assert parse(sample, table) == (code, ["1", "1"])
    for handler in handlers:
        prefix = LOOKS_LIKE_DATA.match(handler.pattern.pattern.lstrip("^")).group(1)
        assert prefix in TABLES, handler.pattern.pattern


def _literal_starts(tree: ast.AST) -> list[tuple[int, str]]:
    """The leading literal text of every string and f-string in a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            found.append((node.lineno, str(node.values[0].value)))
            for part in node.values:  # the parts of an f-string are Constants too: skip them below
                part.lineno = -1
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and getattr(node, "lineno", 0) > 0:
            found.append((node.lineno, node.value))
    return found


def test_no_callback_data_spelled_by_hand():
    """Every feature's data comes only from `callbacks.data`: no literal "<prefix>:<code>" outside bot/callbacks.py."""
    wrong = []
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]:
        if path == Path(callbacks.__file__):
            continue
        for line, text in _literal_starts(ast.parse(path.read_text(encoding="utf-8"))):
            match = LOOKS_LIKE_DATA.match(text)
            if not match or match.group(1) not in TABLES or " " in text:
                continue
            wrong.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert wrong == []


def test_reply_and_raise_from_report_are_different_codes():
    assert data(Esc.REPLY, 1, 0) != data(Esc.FROM_REPORT, 1, 0)
    assert parse("esc:rep:1:0", Esc) == (Esc.REPLY, ["1", "0"])
    assert parse("esc:nope:1:0", Esc) is None and parse("rep:open:1", Esc) is None


async def test_unit_reply_button_starts_the_reply(sim):
    """The unit's "Reply" on an answered difficulty asks for the reply (it used to open "raise from a report")."""
    from tests.test_escalation_sim import KHTC, raise_via_chat, to

    await raise_via_chat(sim)
    office = sim.services.people.actor_for("telegram", "1002")
    sim.services.escalations.answer(office, 1, "Đã bố trí vốn.")
    head = sim.services.people.actor_for("telegram", str(KHTC))
    view = sim.services.escalations.get(head, 1)
    from handlers.escalations.render import ACTS, action_buttons, available
    rows = action_buttons(sim.i18n.get("vi"), head, view, available(head, view))
    reply_data = next(b.data for row in rows for b in row if b.data.startswith("esc:rep:"))
    sent = await sim.press_data("khtc", reply_data)
    assert to(sent, KHTC).text == sim.i18n.get("vi").gettext("Please type your reply on #{id} (or /cancel).").format(id=1)
    sent = await sim.send("khtc", "Đơn vị đề nghị bố trí thêm vốn.")
    assert [h.action for h in sim.services.escalations.history(office, 1)][-1] == "reply"
    assert ACTS[Esc.REPLY][0] == "reply"
