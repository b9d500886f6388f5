"""Role × action matrix: every command and every button, as every role, naming unit B's objects.

Each role gets a fresh world (tests/matrix/world.py: both units' reports submitted, unit B's difficulties in every
state, some assigned to a deputy director) and presses or types every action once (tests/matrix/run.py). An action
is "allowed" when the answer is anything but a refusal (no permission, not yours, not found, stale button, stranger
notice); a state refusal such as "this period is already open" still counts as allowed, because the permission
layer let the person through. The allowed set of every action is asserted exactly, and every text, button label
and document the person received is scanned for the other side's markers.

Every pressed action is also pressed on a message of the leadership group (and the forms no private action
presses, and forged data: every code of bot/callbacks.py): what reached the group is scanned. Only the status
board and the chart, pressed by someone who may see them, and the one-line "open your private chat" notice for
someone who has none, may reach a group; everything else is answered in the presser's private chat.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import SQLModel

from bot import callbacks
from bot.i18n import I18n
from handlers.arrival import NO_PRIVATE_CHAT
from storage.db import Database
from tests.conftest import BACKENDS
from tests.matrix.run import ACTIONS, GROUP, GROUP_ONLY, Seen, observe, vi_patterns
from tests.matrix.world import ROLES

EVERYONE = {"head_a", "head_b", "deputy_a", "office", "director", "dd_assigned", "dd_other"}  # registered, active
UNIT_PEOPLE = {"head_a", "head_b", "deputy_a"}
LEADERS = {"director", "dd_assigned", "dd_other"}
SEES_ALL = {"office"} | LEADERS
OFFICE = {"office"}

# Action -> the roles that get through. Unit B's objects: only head B (and the Office / leadership where their role
# allows) may reach them; "rep:open", "esc:lst", "rem:snz", "/nhacsau" name a period or a list, which every unit
# person may open for their OWN unit (the leak scan checks that nothing of unit B comes back).
EXPECTED: dict[str, set[str]] = {
    "/start": EVERYONE, "/trogiup": EVERYONE, "/huy": EVERYONE, "/ngonngu": EVERYONE, "lang:vi": EVERYONE,
    "/baocao": UNIT_PEOPLE, "/xembaocao": EVERYONE, "/vuongmac": EVERYONE, "/vuongmac moi": UNIT_PEOPLE,
    "/vuongmac <B item>": {"head_b", "office", "director"},
    "/vuongmac <B item assigned>": {"head_b", "office", "director", "dd_assigned"},
    "/vuongmac dachuyen qlkh": EVERYONE, "/vuongmac qlkh": SEES_ALL,
    "/vuongmac <B item> dong": OFFICE, "/vuongmac <B item> chidao": {"director", "dd_assigned"},
    "/nhacnho": OFFICE, "/nhacsau": UNIT_PEOPLE,
    "/tinhhinh": SEES_ALL, "/bieudo": SEES_ALL, "/xuatbaocao": SEES_ALL,
    "/kybaocao": OFFICE, "/kybaocao xem": OFFICE, "/kybaocao dong": OFFICE, "/donvi": OFFICE, "/moi": OFFICE,
    "/nguoidung": SEES_ALL, "/nguoidung xoa <head B>": OFFICE, "/nhatky": {"office", "director"},
    "rep:open": UNIT_PEOPLE, "rep:a": {"head_b"}, "rep:rev": {"head_b"}, "rep:vp": SEES_ALL,
    "rep:v": {"head_b"} | SEES_ALL, "rep:v version": {"head_b"} | SEES_ALL, "rep:ret": OFFICE, "rep:acc": OFFICE,
    "esc:v": {"head_b", "office", "director"}, "esc:v assigned": {"head_b", "office", "director", "dd_assigned"},
    "esc:file": {"head_b", "office", "director"}, "esc:file A's item, B's event": set(),
    "esc:new": UNIT_PEOPLE, "esc:frr report": {"head_b"}, "esc:lst": EVERYONE, "esc:units": SEES_ALL,
    "esc:urg": set(), "esc:noatt": set(),  # another person's draft key: nobody
    **{f"esc:{code}": OFFICE for code in ("rcv", "fwd", "fwd0", "ans", "ask", "cls", "cls0", "dup")},
    **{f"esc:{code}": {"director", "dd_assigned"} for code in ("ag", "na", "sm", "ins", "fu")},
    "esc:asg": {"director"}, "esc:asg to a unit head": set(),
    "esc:add": {"head_b"}, "esc:ok": {"head_b"}, "esc:rep reply": {"head_b"},
    **{f"per:{code}": OFFICE for code in ("m", "ops", "dl", "ext", "exu", "unx", "unu", "cal", "off", "wrk", "clr",
                                          "open", "close")},
    **{f"unit:{code}": OFFICE for code in ("menu", "add", "ren", "res", "ret")},
    **{f"inv:{code}": OFFICE for code in ("r", "u", "l", "x")},
    "/tinhhinh 2026-Y": SEES_ALL, "/xuatbaocao 2026-Y": SEES_ALL,
    "/vuongmac <B item> bosung": {"head_b"}, "/vuongmac <B item> phanhoi": {"head_b"},
    "/vuongmac <B item> xacnhan": {"head_b"}, "/vuongmac <B item> giao 1": {"director"},
    "/vuongmac <B item> theodoi": {"director", "dd_assigned"}, "/vuongmac <B item> tiepnhan": OFFICE,
    "/kybaocao giahan": OFFICE, "/kybaocao nghi": OFFICE, "/donvi doiten qlkh": OFFICE,
    "st:show": SEES_ALL, "st:chart": SEES_ALL, "st:export": SEES_ALL,
    "rem:snz": UNIT_PEOPLE, "rem:now": OFFICE, "ppl:rm": OFFICE,
    "/banlamviec": SEES_ALL,  # the desk's own routes: tests/test_desk_matrix.py
    "/dulieu": EVERYONE, "/dulieu xuat": EVERYONE, "/dulieu sua": EVERYONE, "/dulieu yeucau": OFFICE,
    "/dulieu tiepnhan <B request>": OFFICE, **{f"pv:{code}": EVERYONE for code in ("x", "c", "e", "ey")},
    **{f"pv:{code}": OFFICE for code in ("l", "a", "d", "w")},
}
# Where a non-refusal answer is not yet success: the action is allowed only if this (Vietnamese) text came back.
SUCCESS = {"/nguoidung xoa <head B>": "Remove the access of {name}? Their reports and history are kept."}
REFUSALS = [
    "You do not have permission to do this.", "You do not have access to this difficulty.",
    "Only the head or the deputy head of the unit can fill in its report.",
    "Only a unit head or deputy can raise a difficulty for their unit.",
    "Only unit heads and their deputies fill in the unit's reports.",
    "Only unit heads and their deputies fill in reports. To read the units' reports, type /viewreport.",
    "I did not understand. Type /issue for your list, /issue new to raise a difficulty, or /issue <number> to open "
    "an item.",
    "This report no longer exists.", "That item no longer exists.", "This file is no longer available.",
    "That person is not a deputy director.", "This button is no longer valid.",
    "The desk is for the Administration Office and the Department's leadership.",
    "Only the Administration Office handles requests about personal data.",
    "Hello! Your Telegram account is not yet registered with the Emulation Assistant of the Department of Science "
    "and Technology.\n\nPlease send this number to the Administration Office so they can send you an invitation "
    "link: {user_id}",
]
# Role -> what it must never receive. MKA/MKB: unit A's / unit B's text; ESC: difficulties nobody assigned to a
# deputy director; ASG: those assigned to dd_assigned; FILE-<n>: a difficulty's attachment.
FORBIDDEN: dict[str, str] = {
    "stranger": r"MK[AB]", "removed": r"MK[AB]", "head_a": r"MKB", "deputy_a": r"MKB", "head_b": r"MKA",
    "dd_assigned": r"MK[AB]-ESC|MKB-FILE-\d", "dd_other": r"MK[AB]-(ESC|ASG)|MKB-FILE-\d",
    "office": r"(?!)", "director": r"(?!)",
}
@pytest.fixture(scope="module", params=BACKENDS)
def observed(request: pytest.FixtureRequest, tmp_path_factory, pg_database_url: str) -> dict[str, dict[str, Seen]]:
    """Every role's answers to every action, each role in its own fresh world."""
    results = {}
    for role in ROLES:
        folder = tmp_path_factory.mktemp(f"matrix-{role}")
        if request.param == "sqlite":
            database = Database(f"sqlite:///{folder / 'matrix.sqlite3'}")
        else:
            database = Database(pg_database_url)
            SQLModel.metadata.drop_all(database.engine)
        database.create_all()
        try:
            results[role] = observe(role, database, folder)
        finally:
            database.dispose()
    return results


def _allowed(action: str, seen: Seen, refusals: list[re.Pattern], success: dict[str, re.Pattern]) -> bool:
    if not seen.texts:
        return False
    if action in success:
        return bool(success[action].search(seen.joined))
    return not all(any(p.match(text) for p in refusals) for text in seen.texts)


PRESSED = {name: data for name, data in ACTIONS.items() if not data.startswith("/")} | GROUP_ONLY
IN_GROUP = ("st:show", "st:chart")  # what a group may be shown, to those who may see the status
NO_PRIVATE = {"stranger", "removed"}  # no private chat with the bot: the group is told to open one


def test_every_action_has_an_expectation() -> None:
    assert set(EXPECTED) == set(ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
def test_allowed_set(observed: dict[str, dict[str, Seen]], action: str) -> None:
    i18n = I18n("vi")
    refusals = vi_patterns(i18n, REFUSALS)
    success = dict(zip(SUCCESS, vi_patterns(i18n, list(SUCCESS.values()), whole=False)))
    allowed = {role for role in ROLES if _allowed(action, observed[role][action], refusals, success)}
    answers = {role: observed[role][action].joined[:120] for role in allowed ^ EXPECTED[action]}
    assert allowed == EXPECTED[action], answers


def test_every_person_is_answered(observed: dict[str, dict[str, Seen]]) -> None:
    silent = [(role, action) for role in ROLES for action in ACTIONS if not observed[role][action].texts]
    assert silent == []


@pytest.mark.parametrize("role", ROLES)
def test_nothing_of_the_other_side(observed: dict[str, dict[str, Seen]], role: str) -> None:
    """After any action (pressed in a group too), `role` is shown nothing of another side; every leak of every action
    is reported at once."""
    forbidden = re.compile(rf"(?:{FORBIDDEN[role]})[-\w]*")
    leaks = {action: sorted(set(forbidden.findall(seen.joined))) for action, seen in observed[role].items()}
    leaks = {action: found for action, found in leaks.items() if found}
    assert leaks == {}, f"{role} received: " + "; ".join(f"{found} after {action}" for action, found in leaks.items())


def test_every_callback_code_is_pressed_in_a_group() -> None:
    """Each code of each feature's table, as data a button could carry."""
    codes = {f"{prefix}:{code.value}" for prefix, table in callbacks.TABLES.items() for code in table}
    pressed = {":".join(data.split(":")[:2]) for data in PRESSED.values()}
    assert codes - pressed == set()


@pytest.mark.parametrize("role", ROLES)
def test_nothing_private_reaches_the_group(observed: dict[str, dict[str, Seen]], role: str) -> None:
    """What reached the group after each press: the status or the chart (to those who may see it), the notice for
    one with no private chat, or nothing at all; never a marker, a document or another person's screen."""
    notice = vi_patterns(I18n("vi"), [NO_PRIVATE_CHAT])[0]
    allowed_status = EXPECTED["st:show"]
    wrong = {}
    for name in PRESSED:
        group = observed[role][name + GROUP].group
        if role in NO_PRIVATE:
            ok = len(group) == 1 and notice.match(group[0]) is not None
        elif name in IN_GROUP and role in allowed_status:
            ok = len(group) == 1 and not re.search(r"MK[AB]|\.docx|\.xlsx|\.pdf", group[0])
        else:
            ok = group == ()
        if not ok:
            wrong[name] = [text[:100] for text in group]
    assert wrong == {}, f"{role} pressing in the group put there: {wrong}"


@pytest.mark.parametrize("role", sorted(set(ROLES) - NO_PRIVATE))
def test_group_presses_are_answered_privately(observed: dict[str, dict[str, Seen]], role: str) -> None:
    """A registered presser is answered in their private chat (or, for the board and chart, in the group)."""
    silent = [name for name in PRESSED
              if not observed[role][name + GROUP].texts and not observed[role][name + GROUP].group]
    assert silent == []
