"""One clock: no production module computes "now", "today" or a local date except through the clock (settings.tz).

The bug this guards against: places that used the module constant `bot.clock.TZ`, the machine's zone or UTC
instead of the configured zone (the translator, /nhacnho's times, Zalo's monthly quota). Scanned by syntax, so a
new `datetime.now()` or `from bot.clock import TZ` fails here with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")
ALLOWED = {
    "bot/clock.py",  # the clock itself
    "bot/simulator/zalo_fake.py",  # stands in for Zalo's servers, which keep their own month
}
WALL = {("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"), ("date", "today"),
        ("time", "localtime"), ("time", "gmtime"), ("time", "strftime"), ("time", "ctime"), ("time", "mktime")}


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "bot.clock" and any(a.name == "TZ" for a in node.names):
            found.append(f"{node.lineno}: imports bot.clock.TZ (use clock.tz or settings.tz)")
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, owner = node.func.attr, node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
        if (owner_name, name) in WALL:
            found.append(f"{node.lineno}: {owner_name}.{name}() (use clock.now() / clock.today())")
        elif name == "astimezone" and not node.args and not node.keywords:
            found.append(f"{node.lineno}: .astimezone() converts to the machine's zone")
        elif name == "fromtimestamp" and len(node.args) < 2 and not node.keywords:
            found.append(f"{node.lineno}: fromtimestamp() without a zone reads the machine's zone")
    return found


def test_no_date_or_now_but_the_clocks():
    bad = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in ALLOWED:
                bad += [f"{relative}:{line}" for line in offences(path)]
    assert not bad, "\n".join(bad)


def test_the_scan_finds_what_it_forbids(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from bot.clock import TZ\nfrom datetime import date, datetime\nimport time\n"
                      "a = datetime.now()\nb = date.today()\nc = x.astimezone()\nd = datetime.fromtimestamp(1)\n"
                      "e = time.strftime('%Y')\nf = datetime.now(tz)\nok = datetime.fromtimestamp(1, tz)\n")
    assert [line.split(":")[0] for line in offences(sample)] == ["1", "4", "5", "6", "7", "8", "9"]
