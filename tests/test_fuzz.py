"""Property-based fuzz of every entry point, as every role, through `application.process_update`.

Updates are built the way Telegram sends them (JSON dicts through `Update.de_json`): typed text and commands with
hostile arguments (NUL and other controls, terminal escapes, invisible marks, NFD, huge numbers, non-ASCII
digits), edited, forwarded and group messages, stickers, voice, locations, contacts, photos and documents, and
button presses with real data (as sent, or mutated) and random data, with and without a message.

Properties, checked after every update:
- no exception reaches the application's error handlers;
- every update from a registered person in their private chat is answered (a message, or an answered press),
  in that person's language (no sentence of the other catalog appears);
- every Bot API call is within Telegram's limits (text 1..4,096, caption <= 1,024, callback data 1..64 bytes,
  <= 100 buttons per keyboard, press notes <= 200).

`make test` runs a bounded, derandomised profile (`HYPOTHESIS_PROFILE` unset: "ci"); `HYPOTHESIS_PROFILE=long`
runs many more random examples by hand (see docs/DEVELOPING.md).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
import unicodedata
from collections import deque
from typing import Any

from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.config import PROJECT_ROOT
from bot.domain import Role
from bot.simulator.harness import ChatSimulator

hsettings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")), deadline=None,
                          derandomize=True, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                 HealthCheck.data_too_large])
hsettings.register_profile("long", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "3000")), deadline=None,
                          database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                 HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

STRANGER = 5550001
REMOVED = 5550002  # a unit head whose access the Office removed
ENGLISH = ("qlcn", "pgd")  # people who switched to English before the fuzz starts
HUGE = ["3000000000", "2147483648", "99999999999999999999", "9" * 40, "1" + "0" * 30]
ODD_DIGITS = ["²", "①", "١٢", "１２", "Ⅻ", "-1", "+3", "1_0", "0", "00", "#0", "1e9"]
WORDS = ["moi", "new", "dong", "close", "xong", "giao", "assign", "chuyen", "nhan", "tra loi", "bo sung", "hoi",
         "xoa", "remove", "mo", "open", "giahan", "extend", "han", "deadline", "tatca", "quahan", "overdue", "en",
         "vi", "có", "không", "gửi", "sửa 1", "bỏ qua", "skip", "1,5 tỷ", "250 triệu", "2 tỷ 300 triệu", "80%",
         "15/01/2026", "31/02/2026", "15/KH-SKHCN", "khtc", "hcth", "qlkh", "ttud", "2026-Y", "2026-H1", "1", "2",
         "3", "#1", "#2", "7", "12", "Phòng Mới", "Chậm giải ngân vốn"]
HOSTILE = ["\x00", "\x00\x00", "\x07", "\x1b[31m", "\x1b[2J", "\u200b", "\ufeff", "\u202e", "\u2066", "\u00ad",
           "\r\n", "\t", "👍", "🙏🏻", "👨‍👩‍👧", "\U0010ffff", "\ud7ff", "a\u0301", "Tie\u0302\u0301ng Vie\u0323\u0302t",
           "x" * 4000, "đ" * 4097]
MUTATIONS = ["3000000000", "99999999999999999999", "²", "①", "-1", "0", "", "abc", "１", "9" * 70]


def _catalog_fragments() -> tuple[set[str], set[str]]:
    """Long placeholder-free pieces of each translated sentence: English (msgid) and Vietnamese (msgstr)."""
    english, vietnamese = set(), set()
    for path in (PROJECT_ROOT / "locales" / "vi" / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or not isinstance(message.id, str) or not message.string:
                    continue
                if message.string == message.id:
                    continue
                for text, out in ((message.id, english), (message.string, vietnamese)):
                    out.update(p.strip() for p in re.split(r"\{[^}]*\}|\n", text) if len(p.strip()) >= 28)
    return english - vietnamese, vietnamese - english


EN_FRAGMENTS, VI_FRAGMENTS = _catalog_fragments()

# --- strategies --------------------------------------------------------------------------------------------------
nfd_words = st.sampled_from(WORDS).map(lambda w: unicodedata.normalize("NFD", w))
tokens = st.one_of(st.sampled_from(WORDS), st.sampled_from(HUGE), st.sampled_from(ODD_DIGITS),
                   st.sampled_from(HOSTILE), nfd_words, st.text(max_size=12))
free_text = st.one_of(
    st.lists(tokens, min_size=1, max_size=5).map(" ".join),
    st.text(min_size=1, max_size=60),
    st.text(alphabet=st.sampled_from("\x00\x01\x1b\u200b\ufeff\u202e\u00ad \n🙏"), min_size=1, max_size=8),
)


@st.composite
def commands(draw) -> str:  # noqa: ANN001
    name = draw(st.sampled_from(COMMAND_NAMES + ["khonglenhnay", "start"]))
    args = draw(st.one_of(st.just([]), st.lists(tokens, max_size=4)))  # a bare command shows its menu
    suffix = draw(st.sampled_from(["", "", "", "@TroLyThiDuaBot", "@OtherBot"]))
    return " ".join([f"/{name}{suffix}", *args])


texts = st.one_of(commands(), free_text)
steps = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("press"), st.integers(0, 40), st.sampled_from(["as_is", "as_is", "field", "cut", "extra"]),
              st.integers(0, 6), st.sampled_from(MUTATIONS)),
    st.tuples(st.just("press"), st.integers(0, 40), st.just("as_is"), st.just(0), st.just("")),
    st.tuples(st.just("menu"), st.integers(0, 60), st.integers(0, 40),
              st.sampled_from(["as_is", "as_is", "as_is", "field", "cut", "extra"]), st.integers(0, 6),
              st.sampled_from(MUTATIONS)),
    st.tuples(st.just("forged"), st.text(max_size=70)),
    st.tuples(st.just("inline"), st.text(max_size=20)),
    st.tuples(st.just("edit"), texts),
    st.tuples(st.just("forward"), texts),
    st.tuples(st.just("group"), texts),
    st.tuples(st.just("media"), st.sampled_from(["sticker", "voice", "location", "contact", "photo", "document",
                                                 "video_note", "dice"]), st.one_of(st.none(), free_text)),
)
PERSONAS = ["hcth", "vanthu", "khtc", "qlkh", "qlcn", "ttud", "phottud", "giamdoc", "pgd", "stranger", "removed"]
# A plan: a few people in turn, each doing a few things in a row (so presses find the buttons just shown).
actions = st.lists(st.tuples(st.sampled_from(PERSONAS), st.lists(steps, min_size=1, max_size=6)),
                   min_size=1, max_size=3)
COMMAND_NAMES: list[str] = []  # filled from the application's CommandSpecs before the fuzz starts

# --- driving -----------------------------------------------------------------------------------------------------
MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {"sticker": {"file_id": "STK", "file_unique_id": "stk", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False, "type": "regular"}},
    "voice": {"voice": {"file_id": "VOI", "file_unique_id": "voi", "duration": 3}},
    "location": {"location": {"latitude": 15.12, "longitude": 108.8}},
    "contact": {"contact": {"phone_number": "+84900000000", "first_name": "Khách"}},
    "photo": {"photo": [{"file_id": "PH", "file_unique_id": "ph", "width": 90, "height": 90, "file_size": 900}]},
    "document": {"document": {"file_id": "DOC", "file_unique_id": "doc", "file_name": "bao-cao\x00.pdf",
                              "mime_type": "application/pdf", "file_size": 2048}},
    "video_note": {"video_note": {"file_id": "VN", "file_unique_id": "vn", "length": 240, "duration": 2}},
    "dice": {"dice": {"emoji": "🎲", "value": 3}},
}


class Fuzzer:
    """Feeds one step, then checks the properties on what the bot did."""

    def __init__(self, sim: ChatSimulator) -> None:
        self.sim = sim
        self.errors: list[BaseException] = []
        self.updates = 0
        self.real_presses = 0
        self.kinds: dict[str, int] = {}
        self.history: deque[str] = deque(maxlen=12)  # the state is shared by examples: a failure shows its lead-up
        sim.add_persona("stranger", STRANGER, "Người Lạ")
        office = sim.services.people.actor_for("telegram", str(sim.personas["vanthu"].user_id))
        unit = sim.services.org.find_unit("qlkh")
        gone = sim.services.people.add_person(full_name="Trương Văn Cũ", role=Role.UNIT_HEAD,
                                              telegram_id=str(REMOVED), unit_id=unit.unit_id)
        sim.services.people.deactivate(office, gone.person_id)
        sim.add_persona("removed", REMOVED, "Trương Văn Cũ")

    async def record(self, _update: object, context: Any) -> None:
        self.errors.append(context.error)

    def buttons_seen_by(self, user_id: int) -> list[tuple[dict, str]]:
        """Recent (message, data) pairs of buttons the bot showed this person, newest first."""
        found = []
        for sent in reversed(self.sim.api.outbox[-80:]):
            if sent.chat_id == user_id:
                found += [(self.sim.api.message_json(sent), data) for _label, data in sent.flat_buttons]
        return found

    async def step(self, key: str, step: tuple) -> None:
        sim, persona = self.sim, self.sim.personas[key]
        if step[0] == "menu":  # a bare command from the person's own menu, then a press on what it showed
            actor = sim.services.people.actor_for("telegram", str(persona.user_id))
            menu = [c.vi for c in sim.app.bot_data.commands if c.audience is None or (actor and c.audience(actor))]
            await self.step(key, ("text", "/" + menu[step[1] % len(menu)]))
            await self.step(key, ("press", *step[2:]))
            return
        kind, private = step[0], step[0] not in ("group",)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        calls_before = len(sim.api.calls)
        self.errors.clear()
        if kind == "text":
            await sim.feed({"message": sim.message_payload(persona, step[1])})
        elif kind == "edit":
            await sim.edit(persona, step[1])
        elif kind == "forward":
            await sim.forward(persona, step[1], sender="khtc")
        elif kind == "group":
            await sim.send_group(persona, step[1])
        elif kind == "media":
            extra = {"caption": step[2]} if step[2] and step[1] in ("photo", "document") else {}
            message = sim._message(persona, **MEDIA[step[1]], **extra)
            await sim.feed({"message": message})
        elif kind == "inline":
            await sim.feed({"callback_query": {"id": "q", "from": sim._user(persona), "chat_instance": "i",
                                               "inline_message_id": "AAAA", "data": step[1] or "x"}})
        else:
            message, data = None, step[1] if kind == "forged" else ""
            if kind == "press":
                seen = self.buttons_seen_by(persona.user_id)
                if seen:
                    self.real_presses += 1
                    message, data = seen[step[1] % len(seen)]
                    data = mutate(data, step[2], step[3], step[4])
                else:
                    data = "esc:v:1:0"
            query: dict[str, Any] = {"id": str(self.updates), "from": sim._user(persona), "chat_instance": "sim",
                                     "data": data or "x"}
            query["message"] = message or {"message_id": 1, "date": 0, "chat": sim._chat(persona),
                                           "from": sim.api._bot_user(), "text": "…"}
            await sim.feed({"callback_query": query})
        self.updates += 1
        calls = sim.api.calls[calls_before:]
        self.history.append(f"{key} {step!r} -> " + " | ".join(
            f"{m}:{str(p.get('text') or p.get('data') or p.get('reply_markup') or '')[:80]!r}" for m, p in calls
            if m != "setMyCommands"))
        label = f"{key} {step!r}\nlead-up:\n" + "\n".join(self.history)
        assert not self.errors, f"{label}: {self.errors!r}"
        for method, params in calls:
            within_limits(method, params, label)
        actor = sim.services.people.actor_for("telegram", str(persona.user_id))
        if actor is None or not private:
            return
        mine = [(m, p) for m, p in calls
                if m == "answerCallbackQuery" or str(p.get("chat_id")) == str(persona.user_id)]
        assert mine, f"{label}: no answer"
        written = "\n".join(str(p.get("text") or p.get("caption") or "") for _m, p in mine)
        other = VI_FRAGMENTS if actor.locale == "en" else EN_FRAGMENTS
        wrong = [f for f in other if f in written]
        assert not wrong, f"{label}: answered in the wrong language ({actor.locale}): {wrong[:2]}\n{written[:500]}"


def mutate(data: str, how: str, index: int, value: str) -> str:
    """Real button data, as sent or changed the way a forger (or a stale client) would."""
    fields = data.split(":")
    if how == "field":
        fields[index % len(fields)] = value
    elif how == "cut":
        fields = fields[: max(1, index % len(fields))]
    elif how == "extra":
        fields.append(value)
    return ":".join(fields)


def within_limits(method: str, params: dict[str, Any], label: str) -> None:
    """Telegram's documented limits on what the bot sends."""
    if "text" in params and method in ("sendMessage", "editMessageText"):
        assert 1 <= len(params["text"]) <= 4096, f"{label}: {method} text of {len(params['text'])} characters"
    if "caption" in params and params["caption"] is not None:
        assert len(params["caption"]) <= 1024, f"{label}: caption of {len(params['caption'])} characters"
    if method == "answerCallbackQuery" and params.get("text"):
        assert len(params["text"]) <= 200, f"{label}: press note of {len(params['text'])} characters"
    markup = params.get("reply_markup")
    if markup:
        keyboard = (json.loads(markup) if isinstance(markup, str) else markup).get("inline_keyboard", [])
        buttons = [b for row in keyboard for b in row]
        assert len(buttons) <= 100, f"{label}: {len(buttons)} buttons"
        for button in buttons:
            data = button.get("callback_data")
            if data is not None:
                assert 1 <= len(data.encode("utf-8")) <= 64, f"{label}: callback data {data!r}"
            assert button.get("text"), f"{label}: a button without a label"


def test_every_entry_point_survives_hostile_updates(settings, db, clock):
    """The fuzz: see the module docstring for the properties."""
    loop = asyncio.new_event_loop()
    sim = ChatSimulator(settings, db, clock)
    loop.run_until_complete(sim.start())
    sim.load_demo_people()
    fuzzer = Fuzzer(sim)
    sim.app.add_error_handler(fuzzer.record)
    COMMAND_NAMES[:] = sorted({n for spec in sim.app.bot_data.commands for n in spec.names})
    for key in ENGLISH:
        loop.run_until_complete(sim.send(key, "/ngonngu en"))
    examples = 0

    @hsettings(parent=hsettings.get_profile(PROFILE))
    @given(actions)
    def run(plan: list[tuple[str, list[tuple]]]) -> None:
        nonlocal examples
        examples += 1
        for key, turn in plan:
            for step in turn:
                loop.run_until_complete(fuzzer.step(key, step))

    started = time.monotonic()
    try:
        run()
    finally:
        loop.run_until_complete(sim.stop())
        loop.close()
        print(f"\nfuzz ({PROFILE}, {db.engine.dialect.name}): {examples} examples, {fuzzer.updates} updates "
              f"({fuzzer.real_presses} presses of buttons the bot had shown) {fuzzer.kinds}, {time.monotonic() - started:.1f} s")
    assert fuzzer.updates >= examples > 0
