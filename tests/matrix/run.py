"""Drive every command and button as one role in a fresh world and record what that person was answered."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import I18n
from bot.simulator.fake_api import SentMessage
from bot.simulator.harness import ChatSimulator
from storage.db import Database
from tests.matrix import world as world_mod

# Every command and every button action. "/..." is typed, anything else is pressed as callback data; {names}
# come from the world and always name unit B's objects. Order matters only where an action changes the world:
# the ones that change it for good (accept, reopen, close a period, retire a unit, remove a person) come last.
ACTIONS: dict[str, str] = {
    "/start": "/start", "/trogiup": "/trogiup", "/huy": "/huy", "/ngonngu": "/ngonngu",
    "/baocao": "/baocao", "/xembaocao": "/xembaocao",
    "/vuongmac": "/vuongmac", "/vuongmac moi": "/vuongmac moi", "/vuongmac <B item>": "/vuongmac {e_new}",
    "/vuongmac <B item assigned>": "/vuongmac {e_ag}",
    "/vuongmac dachuyen qlkh": "/vuongmac dachuyen qlkh", "/vuongmac qlkh": "/vuongmac qlkh",
    "/vuongmac <B item> dong": "/vuongmac {e_typed_cls} dong xong",
    "/vuongmac <B item> chidao": "/vuongmac {e_typed_ins} chidao Triển khai ngay",
    "/nhacnho": "/nhacnho", "/nhacsau": "/nhacsau", "/tinhhinh": "/tinhhinh", "/bieudo": "/bieudo",
    "/xuatbaocao": "/xuatbaocao", "/kybaocao": "/kybaocao", "/kybaocao xem": "/kybaocao xem 2026-Y",
    "/donvi": "/donvi", "/moi": "/moi", "/nguoidung": "/nguoidung", "/nguoidung xoa <head B>": "/nguoidung xoa {head_b}",
    "/nhatky": "/nhatky", "/banlamviec": "/banlamviec",
    "rep:open": "rep:open:{period}", "rep:a": "rep:a:{report_b}:0:b", "rep:vp": "rep:vp:{period}",
    "rep:v": "rep:v:{report_b}:0", "rep:v version": "rep:v:{report_b}:1", "rep:ret": "rep:ret:{report_b}:1",
    "esc:v": "esc:v:{e_new}:0", "esc:v assigned": "esc:v:{e_ag}:0", "esc:file": "esc:file:{e_file}:0",
    "esc:file A's item, B's event": "esc:file:{e_a}:{ev_file}",
    "esc:new": "esc:new:0:0", "esc:frr report": "esc:frr:{report_b}:1", "esc:lst": "esc:lst:{unit_b}:all",
    "esc:units": "esc:units:0:all", "esc:urg": "esc:urg:{head_b}x1:u", "esc:noatt": "esc:noatt:{head_b}x1:0",
    "esc:rcv": "esc:rcv:{e_new}:0", "esc:fwd": "esc:fwd:{e_fwd}:0", "esc:fwd0": "esc:fwd0:{e_fwd0}:0",
    "esc:ans": "esc:ans:{e_ans}:0", "esc:ask": "esc:ask:{e_ask}:0", "esc:cls": "esc:cls:{e_cls}:0",
    "esc:cls0": "esc:cls0:{e_cls0}:0", "esc:dup": "esc:dup:{e_dup}:0",
    "esc:ag": "esc:ag:{e_ag}:0", "esc:na": "esc:na:{e_na}:0", "esc:sm": "esc:sm:{e_sm}:0",
    "esc:ins": "esc:ins:{e_ins}:0", "esc:asg": "esc:asg:{e_asg}:{dd_other}",
    "esc:asg to a unit head": "esc:asg:{e_asg2}:{head_b}", "esc:fu": "esc:fu:{e_fu}:0",
    "esc:add": "esc:add:{e_add}:0", "esc:ok": "esc:ok:{e_ok}:0", "esc:rep reply": "esc:rep:{e_rep}:0",
    "per:m": "per:m:{period}", "per:ops": "per:ops:{period}", "per:dl": "per:dl:{period}",
    "per:ext": "per:ext:{period}", "per:exu": "per:exu:{period}:{unit_b}", "per:unx": "per:unx:{period}",
    "per:unu": "per:unu:{period}:{unit_b}", "per:cal": "per:cal:0", "per:off": "per:off:0", "per:wrk": "per:wrk:0",
    "per:clr": "per:clr:20261231",
    "unit:menu": "unit:menu:{unit_b}", "unit:add": "unit:add:0", "unit:ren": "unit:ren:{unit_b}",
    "unit:res": "unit:res:{unit_b}",
    "inv:r": "inv:r:h", "inv:u": "inv:u:h:{unit_b}", "inv:l": "inv:l:0", "inv:x": "inv:x:{invite}",
    "lang:vi": "lang:vi", "st:show": "st:show:{period}", "st:chart": "st:chart:{period}",
    "st:export": "st:export:{period}", "rem:snz": "rem:snz:{period}", "rem:now": "rem:now:{period}:x",
    "/tinhhinh 2026-Y": "/tinhhinh 2026-Y", "/xuatbaocao 2026-Y": "/xuatbaocao 2026-Y",
    "/vuongmac <B item> bosung": "/vuongmac {e_add} bosung Thông tin thêm",
    "/vuongmac <B item> phanhoi": "/vuongmac {e_rep} phanhoi Chưa rõ chỉ đạo",
    "/vuongmac <B item> xacnhan": "/vuongmac {e_ok} xacnhan",
    "/vuongmac <B item> giao 1": "/vuongmac {e_asg2} giao 1",
    "/vuongmac <B item> theodoi": "/vuongmac {e_fu} theodoi",
    "/vuongmac <B item> tiepnhan": "/vuongmac {e_new} tiepnhan",
    "/kybaocao giahan": "/kybaocao giahan 2026-Y qlkh 30/12/2026 Bổ sung số liệu",
    "/kybaocao nghi": "/kybaocao nghi 31/12/2026 Nghỉ bù",
    "/donvi doiten qlkh": "/donvi doiten qlkh Phòng Khoa học",
    "rep:acc": "rep:acc:{report_b}:1", "rep:rev": "rep:rev:{report_b}:1", "per:open": "per:open:{period}",
    "per:close": "per:close:{period}", "/kybaocao dong": "/kybaocao dong 2027-H1",
    "unit:ret": "unit:ret:{unit_b}", "ppl:rm": "ppl:rm:{head_b}",
    "/dulieu": "/dulieu", "/dulieu xuat": "/dulieu xuat", "/dulieu sua": "/dulieu sua Họ tên đúng là Trần Văn A",
    "/dulieu yeucau": "/dulieu yeucau", "/dulieu tiepnhan <B request>": "/dulieu tiepnhan {pv_fix}",
    "pv:x": "pv:x:0", "pv:c": "pv:c:0", "pv:e": "pv:e:0", "pv:ey": "pv:ey:0", "pv:l": "pv:l:0",
    "pv:a": "pv:a:{pv_fix}", "pv:d": "pv:d:{pv_fix}",
    "pv:w": "pv:w:{pv_erase}",  # erases head B: last
}


# Callback forms no private action above presses (or presses only once it would change the world for the rest):
# pressed only in the group chat, after every other action. With the pressed actions above, every code of every
# table in bot/callbacks.py is pressed in a group (tests/test_permission_matrix.py checks), plus forged data.
GROUP_ONLY: dict[str, str] = {
    "rem:again": "rem:again:{period}:x", "ppl:ui": "ppl:ui:{head_b}:t", "lk:rm": "lk:rm:t", "lk:pf": "lk:pf:z",
    "xb:go": "xb:go:{period}:0", "xb:ed": "xb:ed:{period}:1", "xb:sg": "xb:sg:{period}:0",
    **{f"pg:{code}": f"pg:{code}:1:{arg}" for code, arg in (
        ("escu", "all"), ("unit", "0"), ("invu", "h"), ("invx", "0"), ("perm", "0"), ("extu", "{period}"),
        ("unxu", "{period}"), ("pick", "0"))},
    "forged: no such feature": "zz:v:{report_b}:0", "forged: not a number": "rep:v:x{report_b}:0",
    "forged: another period": "st:export:99999", "forged: too long": "rep:v:" + "9" * 60,
    "lang:en": "lang:en",  # last: the presser's language changes
}
GROUP = " @group"  # the key of a press in the group chat: "<action> @group"


@dataclass(frozen=True)
class Seen:
    """What one person was sent after one action: every text, button label and file, as one string; for a press
    in the group chat also what reached the group (`group`, scanned the same way)."""

    texts: tuple[str, ...]
    group: tuple[str, ...] = ()

    @property
    def joined(self) -> str:
        return "\n".join(self.texts)


def _content(message: SentMessage) -> str:
    parts = [message.text, *(label for row in message.buttons for label, _d in row)]
    if message.document:
        name, data = message.document
        parts.append(name)
        if name.endswith(".json"):  # the copy of one's personal data (/dulieu)
            parts.append(data.decode("utf-8", "replace"))
        if data[:2] == b"PK":  # DOCX / XLSX: scan the XML inside
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml")]
    return "\n".join(parts)


async def _press_in_group(sim: ChatSimulator, role: str, data: str) -> Seen:
    """Press `data` on a message of the group chat (the board's, or one a forger chose)."""
    chat_id = world_mod.ROLES[role]
    board = SentMessage(sim.group_chat_id, next(sim.api.message_ids), "board")
    sent = await sim.press_data(role, data, board)
    return Seen(tuple(_content(m) for m in sent if m.chat_id == chat_id),
                tuple(_content(m) for m in sent if m.chat_id == sim.group_chat_id))


async def _observe(sim: ChatSimulator, role: str, ids: dict[str, int]) -> dict[str, Seen]:
    """Every action privately; every pressed action also in the group chat right after (so a group press meets
    the state the private one left), then the group-only forms."""
    seen: dict[str, Seen] = {}
    chat_id = world_mod.ROLES[role]
    actor = sim.services.people.actor_for("telegram", str(chat_id))

    def clear() -> None:
        if actor is not None:
            sim.services.dialogs.clear(actor.person_id)  # each action starts from no pending question

    for name, template in ACTIONS.items():
        text = template.format(**ids)
        sent = await (sim.send(role, text) if text.startswith("/") else sim.press_data(role, text))
        seen[name] = Seen(tuple(_content(m) for m in sent if m.chat_id == chat_id))
        clear()
        if not text.startswith("/"):
            seen[name + GROUP] = await _press_in_group(sim, role, text)
            clear()
    for name, template in GROUP_ONLY.items():
        seen[name + GROUP] = await _press_in_group(sim, role, template.format(**ids))
        clear()
    return seen


async def observe_role(role: str, database: Database, data_dir: Path) -> dict[str, Seen]:
    """A fresh world, then every action as `role`."""
    settings = Settings(_env_file=None, telegram_bot_token="", data_dir=data_dir, database_url="")
    clock = ManualClock(world_mod.START)
    sim = ChatSimulator(settings, database, clock)
    await sim.start()
    sim.load_demo_people()
    try:
        built = world_mod.build(sim)
        return await _observe(sim, role, built.ids)
    finally:
        await sim.stop()


def observe(role: str, database: Database, data_dir: Path) -> dict[str, Seen]:
    return asyncio.run(observe_role(role, database, data_dir))


def vi_patterns(i18n: I18n, msgids: list[str], whole: bool = True) -> list[re.Pattern]:
    """Vietnamese texts as patterns (placeholders match anything); `whole`: the pattern must cover the text."""
    patterns = []
    for msgid in msgids:
        text = i18n.get("vi").gettext(msgid)
        body = re.sub(r"\\\{[a-z_]+\\\}", ".*?", re.escape(text))
        patterns.append(re.compile(body + (r"\Z" if whole else ""), re.DOTALL))
    return patterns
