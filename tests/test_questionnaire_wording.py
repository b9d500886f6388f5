"""Rewording a stored questionnaire version (issue 13): the wording follows the file, the structure never does."""

from __future__ import annotations

import logging

import yaml
from sqlmodel import select

from bot.questionnaire.loader import QUESTIONNAIRES_DIR
from bot.services.reports.base import QuestionnaireStore, structure
from storage.models import QuestionnaireSnapshot

SOURCE = QUESTIONNAIRES_DIR / "thidua-v1.yaml"


def _write(folder, raw):  # noqa: ANN001, ANN202
    (folder / "thidua-v1.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def _stored(db):  # noqa: ANN001, ANN202
    with db.session() as session:
        return session.exec(select(QuestionnaireSnapshot).where(QuestionnaireSnapshot.version == 1)).one().definition


def test_new_wording_reaches_the_stored_version_but_a_new_question_does_not(db, clock, tmp_path, caplog):
    raw = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    old = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    old["sections"][0]["questions"][0]["text"]["vi"] = "Kết quả thực hiện các giải pháp quy hoạch trong kỳ?"
    _write(tmp_path, old)
    QuestionnaireStore(db, clock, tmp_path).sync()
    assert _stored(db)["sections"][0]["questions"][0]["text"]["vi"].startswith("Kết quả thực hiện")
    _write(tmp_path, raw)  # reworded in place: same ids, types, options and conditions
    store = QuestionnaireStore(db, clock, tmp_path)
    store.sync()
    assert _stored(db) == raw
    assert store.get("thidua", 1).question("infra_policy").label("vi").startswith("Trong kỳ, đơn vị đã làm gì")
    changed = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    changed["sections"][0]["questions"][0]["required"] = False  # a rule, not wording: the stored copy stays
    _write(tmp_path, changed)
    with caplog.at_level(logging.WARNING):
        QuestionnaireStore(db, clock, tmp_path).sync()
    assert _stored(db) == raw and "Copy the file to a new version" in caplog.text
    assert structure(raw) != structure(changed) and structure(raw) == structure(old)
