"""Zalo renderings: numbered menus, 2,000-character pieces that keep lines and numbers whole, files as links."""

from __future__ import annotations

import re

import pytest

from bot.channels.zalo.render import (
    MenuItem, NoLinks, OutgoingFile, file_text, render_menu, split_text, stale_menu_text,
)
from bot.i18n import I18n


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n()


def test_buttons_become_numbered_lines_in_reading_order(i18n: I18n):
    vi = i18n.get("vi")
    menu = render_menu(vi, "Câu 5/21: Đơn vị có sáng kiến không?",
                       [[("Có", "rep:a:12:5:y"), ("Không", "rep:a:12:5:n")], [("⏭ Bỏ qua", "rep:skip:12:5")]])
    assert menu.text.splitlines() == ["Câu 5/21: Đơn vị có sáng kiến không?", "", "1. Có", "2. Không",
                                      "3. ⏭ Bỏ qua", "Gõ số để chọn."]
    assert menu.choices == ["rep:a:12:5:y", "rep:a:12:5:n", "rep:skip:12:5"]
    english = render_menu(i18n.get("en"), "Pick", [[("A", "a")]])
    assert english.text.endswith("Type a number to choose.")


def test_labels_that_carry_their_own_number_are_not_numbered_twice(i18n: I18n):
    menu = render_menu(i18n.get("vi"), "Kỳ báo cáo", [[("1. Sáu tháng", "rep:open:1")], [("2. Năm", "rep:open:2")],
                                                      [("7. Khác", "x")]])
    assert menu.text.splitlines()[2:5] == ["1. Sáu tháng", "2. Năm", "3. 7. Khác"]


def test_buttons_that_are_only_their_own_number_point_at_the_text_and_are_not_listed_again(i18n: I18n):
    """/kybaocao lists the periods in its text and has buttons "1", "2": Zalo shows no "1. 1" line, and typing 2
    still presses the second button."""
    text = "Các kỳ báo cáo:\n1. Báo cáo 6 tháng\n2. Báo cáo năm"
    menu = render_menu(i18n.get("vi"), text, [[("1", "per:m:5"), ("2", "per:m:6")], [("Ngày nghỉ", "per:cal")]])
    assert menu.text.splitlines()[-2:] == ["3. Ngày nghỉ", "Gõ số để chọn."]
    assert "1. 1" not in menu.text and menu.choices == ["per:m:5", "per:m:6", "per:cal"]


def test_a_word_the_text_already_offers_as_a_numbered_line_is_not_listed_again(i18n: I18n):
    """/xuatbaocao's menu ends "0. Xuất báo cáo ngay" and has that button while a typed number is pending."""
    text = "1. Mục I: bản dự thảo\n0. Xuất báo cáo ngay\n\nGõ số thứ tự để chọn."
    menu = render_menu(i18n.get("vi"), text, [[("Xuất báo cáo ngay", "xb:g:1:0")], [("Quay lại", "b")]],
                       numbered=False)
    assert menu.text.count("Xuất báo cáo ngay") == 1 and menu.text.endswith("\n\nGõ: Quay lại")
    signer = "Ai ký báo cáo?\n1. GIÁM ĐỐC (Giám đốc Sở ký): Hoàng Văn Quang\n2. KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC: Lý Thị Ngọc"
    menu = render_menu(i18n.get("vi"), signer, [[("GIÁM ĐỐC (Giám đốc Sở ký): Hoàng Văn Qua", "xb:s:1:1")],
                                                [("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC: Lý Thị Ngọc", "xb:s:1:2")]],
                       numbered=False)
    assert menu.text == signer  # the labels cut for the buttons are the numbered lines already shown


def test_while_an_answer_is_pending_buttons_are_typed_words_not_numbers(i18n: I18n):
    menu = render_menu(i18n.get("vi"), "Câu 6/21: Số đề tài?", [[("⏭ Bỏ qua", "s")], [("◀ Quay lại", "b")]],
                       numbered=False)
    assert menu.choices == []
    assert menu.text.splitlines()[2:] == ["Gõ: ⏭ Bỏ qua · ◀ Quay lại"]  # typing 12 answers the question


def test_words_the_text_already_names_in_quotes_are_not_listed_again(i18n: I18n):
    """The first question says how to go back and leave; its buttons add nothing. A word only in the running text
    ("Đơn vị có…") is no instruction: it stays."""
    text = 'Đơn vị có sáng kiến không?\nĐồng chí cũng có thể gõ "quay lại" hoặc "tạm dừng" (lưu và thoát).'
    menu = render_menu(i18n.get("vi"), text, [[("Có", "y"), ("Không", "n")], [("Quay lại", "b"),
                                                                                ("Lưu và thoát", "l")]],
                       numbered=False)
    assert menu.text == f"{text}\n\nGõ: Có · Không"
    assert render_menu(i18n.get("en"), "Q?", [[("Back", "b")]], numbered=False).text == "Q?\n\nType: Back"


def test_link_buttons_and_empty_menus(i18n: I18n):
    vi = i18n.get("vi")
    menu = render_menu(vi, "Hướng dẫn", [[MenuItem("Mở", url="https://example.vn/hd")], [MenuItem("Trống")]])
    assert menu.text == "Hướng dẫn\n\nMở: https://example.vn/hd" and menu.choices == []
    assert render_menu(vi, "Chỉ văn bản", []).text == "Chỉ văn bản"


def test_split_keeps_lines_and_numbers_whole():
    lines = [f"{n}. Đơn vị {n}: tổng kinh phí 1.234.567.{n:03d} đồng" for n in range(1, 200)]
    text = "\n".join(lines)
    pieces = split_text(text)
    assert len(pieces) > 1 and all(1 <= len(p) <= 2000 for p in pieces)
    assert [line for p in pieces for line in p.split("\n")] == lines  # every line whole, in order
    assert all(len(p) > 1500 for p in pieces[:-1])  # filled greedily: each message costs quota


def test_split_prefers_a_blank_line_in_the_second_half():
    first = "\n".join(["a" * 99] * 15)  # 1,499 characters
    second = "\n".join(["b" * 99] * 10)
    pieces = split_text(first + "\n\n" + second)
    assert pieces == [first, second]


def test_a_line_longer_than_the_limit_is_cut_between_words_never_inside_a_number():
    number = "9" * 30
    line = " ".join(["chữ"] * 600 + [number] + ["từ"] * 300)
    pieces = split_text(line, limit=2000)
    assert all(len(p) <= 2000 for p in pieces)
    assert sum(p.count(number) for p in pieces) == 1
    assert " ".join(pieces) == line
    glued = "x" * 1990 + "1234567890123"  # one 2,003-character word ending in a number
    cut = split_text(glued)
    assert cut == ["x" * 1990, "1234567890123"]


def test_split_drops_empty_and_trims_blank_edges():
    assert split_text("") == []
    assert split_text("\n\n  \n") == []
    assert split_text("\nxin chào\n") == ["xin chào"]
    text = ("đoạn\n" * 500) + "\n\n\n" + ("cuối\n" * 10)
    assert all(p == p.strip("\n") and p for p in split_text(text))


def test_files_become_links_or_a_note_saying_where_to_get_them(i18n: I18n):
    vi, en = i18n.get("vi"), i18n.get("en")
    file = OutgoingFile("BaoCao_6T_2026.docx", b"PK..", chat_id=(1 << 60) + 1)
    assert NoLinks().link_for(file) is None
    none = file_text(vi, file.name, None, "Báo cáo tổng hợp")
    assert none.startswith("Báo cáo tổng hợp\n\n") and "Phòng Hành chính - Tổng hợp" in none and "Telegram" in none
    linked = file_text(en, file.name, "https://bot.example.vn/f/Zq8", "")
    assert "https://bot.example.vn/f/Zq8" in linked and "BaoCao_6T_2026.docx" in linked


def test_stale_number_answers_show_the_current_menu(i18n: I18n):
    vi = i18n.get("vi")
    assert stale_menu_text(vi, "ambiguous", "Menu\n1. A\nGõ số để chọn.").endswith(":\n\n1. A")  # only the choices
    assert re.match("Số vừa gõ", stale_menu_text(vi, "out_of_range", "M"))


def test_a_pending_choice_question_does_not_list_its_options_twice(i18n: I18n):
    """The question lists the options; their toggle buttons (one shortened) are not repeated; a marked one is."""
    text = "Câu 2/19\nChọn một hoặc nhiều:\n\n1. Dịch vụ công trực tuyến\n2. Xử lý văn bản trên môi trường điện tử"
    menu = render_menu(i18n.get("vi"), text, [[("1. Dịch vụ công trực tuyến", "t1")],
                                              [("2. Xử lý văn bản trên môi trườ…", "t2")],
                                              [("✅ 2. Xử lý văn bản", "t2")], [("Xong", "d")]], numbered=False)
    assert menu.text.splitlines()[-1:] == ["Gõ: ✅ 2. Xử lý văn bản · Xong"]
    assert menu.text.count("Dịch vụ công trực tuyến") == 1
