async def test_demo_unit_head_gets_welcome_and_menu(sim):
    """The unit head's menu offers reporting and the language, not the Office's invitations."""
    sent = await sim.send("khtc", "/start")
    assert "Nguyễn Văn An" in sent[-1].text
    menu = sim.api.menu_of(1003)
    assert "baocao" in menu and "ngonngu" in menu
    assert "moi" not in menu
