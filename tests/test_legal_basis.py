"""The legal basis is data read per period by its dates (config/legal_basis.yaml); forms are named as the law does."""

from __future__ import annotations

from datetime import date

from bot.contracts import COMMENDATION_FORMS, EMULATION_TITLES, FORM_CHOICES
from bot.documents import legal, narrative, vn
from bot.questionnaire.loader import load_dir
from tests.test_export_documents import consolidation


def test_each_day_cites_what_is_in_force_and_confirmed(tmp_path):
    assert legal.basis(date(2024, 12, 14)) == "Luật Thi đua, khen thưởng năm 2022 và Nghị định số 98/2023/NĐ-CP"
    assert legal.basis(date(2026, 12, 14)) == "Luật Thi đua, khen thưởng năm 2022 và Nghị định số 152/2025/NĐ-CP"
    assert legal.basis(date(2023, 6, 1)) == ""
    # Confirming the amending law is a data change: the same day then names it with the law it amends.
    text = legal.FILE.read_text(encoding="utf-8").replace("    confirmed: false\n", "    confirmed: true\n")
    (tmp_path / "legal.yaml").write_text(text, encoding="utf-8")
    assert legal.basis(date(2026, 12, 14), tmp_path / "legal.yaml") == (
        "Luật Thi đua, khen thưởng năm 2022 (được sửa đổi, bổ sung bởi Luật số 06/2026/QH16) và Nghị định số "
        "152/2025/NĐ-CP")
    assert legal.basis(date(2026, 9, 30), tmp_path / "legal.yaml").startswith("Luật Thi đua, khen thưởng năm 2022 và")


def test_the_draft_reads_the_law_from_the_file():
    draft = narrative.draft(narrative.RECOMMENDATIONS, consolidation())
    assert "theo Luật Thi đua, khen thưởng năm 2022 và Nghị định số 152/2025/NĐ-CP." in draft


def test_titles_apart_from_forms_and_named_as_the_law_names_them():
    assert vn.form_name("hcld_3") == "Huân chương Lao động hạng Ba"
    assert vn.form_name("dh_ldtt") == "Lao động tiên tiến" and "dh_ldtt" in EMULATION_TITLES
    assert "Mặt trận" in vn.form_name("bk_bo_nganh") and "Front" in COMMENDATION_FORMS["bk_bo_nganh"]
    assert vn.form_name("bk_mat_tran_tinh").endswith("(hình thức riêng của Kế hoạch của Sở)")
    assert "plan's own" in COMMENDATION_FORMS["bk_mat_tran_tinh"]
    versions = load_dir()
    forms = {v: {o.code for o in q.question("commendations").field_by_id("form").options}
             for (_code, v), q in versions.items()}
    assert forms[1] == forms[2] == FORM_CHOICES[0] and forms[3] == FORM_CHOICES[1]
    assert set(EMULATION_TITLES) <= forms[3] and "huan_chuong_ld" not in forms[3]
