"""Bot API calls to a Zalo chat, planned as Zalo calls (pure: no network, no database)."""

from __future__ import annotations

import json

import pytest

from bot.channels.zalo.request import keyboard, plan_call
from bot.channels.zalo.render import MenuItem, NoLinks, OutgoingFile
from bot.i18n import I18n

CHAT = (1 << 60) + 5


class OneLink:
    def link_for(self, file: OutgoingFile) -> str | None:
        return f"https://bot.example.vn/f/tok/{file.name}"


@pytest.fixture(scope="module")
def vi():
    return I18n().get("vi")


def markup(*pairs):
    return {"inline_keyboard": [[{"text": label, "callback_data": data}] for label, data in pairs]}


def test_keyboards_from_dicts_json_and_junk():
    assert keyboard(json.dumps(markup(("A", "a")))) == [[MenuItem("A", "a")]]
    assert keyboard({"inline_keyboard": [[{"text": "Mở", "url": "https://x.vn"}], "junk"]}) == \
        [[MenuItem("Mở", None, "https://x.vn")]]
    assert keyboard("{not json") == [] and keyboard(None) == [] and keyboard({"keyboard": [["a"]]}) == []


def test_send_with_buttons_is_a_numbered_menu_to_remember(vi):
    plan = plan_call("sendMessage", {"chat_id": CHAT, "text": "Chọn", "reply_markup": markup(("A", "a"), ("B", "b"))},
                     {}, vi, True, NoLinks())
    assert [s.text for s in plan.sends] == ["Chọn\n\n1. A\n2. B\nGõ số để chọn."]
    assert plan.menu.choices == ["a", "b"] and plan.clear_menu_of is None


def test_edits_become_new_messages_and_forget_the_old_menu(vi):
    plan = plan_call("editMessageText", {"chat_id": CHAT, "message_id": 77, "text": "Đã lưu"}, {}, vi, True, NoLinks())
    assert [s.text for s in plan.sends] == ["Đã lưu"] and plan.clear_menu_of == 77 and plan.menu is None
    drop = plan_call("editMessageReplyMarkup", {"chat_id": CHAT, "message_id": 77}, {}, vi, True, NoLinks())
    assert drop.sends == [] and drop.clear_menu_of == 77 and drop.result is True
    caption = plan_call("editMessageCaption", {"chat_id": CHAT, "message_id": 8, "caption": "Mới",
                                               "reply_markup": markup(("X", "x"))}, {}, vi, True, NoLinks())
    assert caption.menu.choices == ["x"] and caption.clear_menu_of is None


def test_photos_by_url_and_long_captions(vi):
    plan = plan_call("sendPhoto", {"chat_id": CHAT, "photo": "https://x.vn/a.png", "caption": "Biểu đồ"}, {}, vi, True,
                     NoLinks())
    assert [(s.kind, s.photo_url, s.text) for s in plan.sends] == [("photo", "https://x.vn/a.png", "Biểu đồ")]
    long = plan_call("sendPhoto", {"chat_id": CHAT, "photo": "https://x.vn/a.png", "caption": "c" * 2500}, {}, vi,
                     True, NoLinks())
    assert long.sends[0].kind == "photo" and long.sends[0].text == "" and len(long.sends) == 3
    upload = plan_call("sendPhoto", {"chat_id": CHAT}, {"photo": ("chart.png", b"png", "image/png")}, vi, True,
                       OneLink())
    assert upload.sends[0].photo_url == "https://bot.example.vn/f/tok/chart.png"


def test_documents_as_links_or_notes(vi):
    files = {"document": ("BaoCao.docx", b"docx", "application/octet-stream")}
    linked = plan_call("sendDocument", {"chat_id": CHAT, "caption": "Báo cáo"}, files, vi, True, OneLink())
    assert "https://bot.example.vn/f/tok/BaoCao.docx" in linked.sends[0].text
    resent = plan_call("sendDocument", {"chat_id": CHAT, "document": "BQACAgUAAx0"}, {}, vi, True, OneLink())
    assert "Không gửi được tệp" in resent.sends[0].text  # a Telegram file id cannot become a link


def test_notes_actions_files_and_local_calls(vi):
    assert [s.text for s in plan_call("answerCallbackQuery", {"text": " Đã lưu "}, {}, vi, True, NoLinks()).sends] \
        == ["Đã lưu"]
    assert plan_call("answerCallbackQuery", {}, {}, vi, True, NoLinks()).sends == []
    assert plan_call("sendChatAction", {"chat_id": CHAT, "action": "upload_document"}, {}, vi, True,
                     NoLinks()).sends[0].kind == "typing"
    got = plan_call("getFile", {"file_id": "zalo-file/aHR0cHM6Ly94"}, {}, vi, True, NoLinks()).result
    assert got["file_path"] == "zalo-file/aHR0cHM6Ly94"
    assert plan_call("deleteMessage", {"chat_id": CHAT, "message_id": 3}, {}, vi, True, NoLinks()).known
    unknown = plan_call("sendPoll", {"chat_id": CHAT}, {}, vi, True, NoLinks())
    assert not unknown.known and unknown.sends == [] and unknown.result is True
