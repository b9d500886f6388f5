"""The scripted simulator: what `make run` without a token shows."""

from __future__ import annotations

import io

from bot.simulator.repl import run_simulator


async def test_scripted_session_prints_replies(settings, capsys):
    script = io.StringIO(":who\n:as vanthu\n/moi\n#1\n#2\n:as khtc\n/trogiup\n:clock +1d\n:quit\n")
    await run_simulator(settings, fresh=True, stream=script)
    out = capsys.readouterr().out
    assert "Trần Thị Mai" in out and "Lời mời dành cho ai?" in out
    assert "https://t.me/TroLyThiDuaBot?start=" in out
    assert "Kính chào đồng chí Nguyễn Văn An" in out
    assert "(đồng hồ / clock:" in out


async def test_unknown_simulator_commands_are_explained(settings, capsys):
    await run_simulator(settings, fresh=True, stream=io.StringIO(":nonsense\n#9\n:as nobody\n:clock yesterday\n"))
    out = capsys.readouterr().out
    assert "lệnh mô phỏng không rõ" in out and "không có nút số đó" in out
    assert "không có vai này" in out and ":clock +3d" in out


async def test_a_second_run_on_the_same_database_answers_every_message(settings, capsys):
    """`make run` again on data/simulator.sqlite3: update ids from 1 again were dropped by the inbox as seen, so
    nothing typed on Telegram (or Zalo) was answered in the second run."""
    script = ":as khtc\n/trogiup\n:zalo\n/trogiup\n:quit\n"
    await run_simulator(settings, fresh=True, stream=io.StringIO(script))
    first = capsys.readouterr().out
    assert first.count("Kính chào đồng chí Nguyễn Văn An") == 1 and "chưa được đăng ký" in first
    await run_simulator(settings, fresh=False, stream=io.StringIO(script))
    second = capsys.readouterr().out
    assert second.count("Kính chào đồng chí Nguyễn Văn An") == 1 and "chưa được đăng ký" in second
