"""The questionnaire file: loading, validation with clear errors, conditions, and versions kept per report."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from bot.contracts import (
    FORM_CHOICES, Q_CAPITAL_DISBURSED, Q_CAPITAL_HOLDS, Q_CAPITAL_PLAN, Q_COMMENDATIONS, Q_DIFFICULTIES,
    Q_EXEMPLARS, Q_INITIATIVES, Q_PROPOSALS, Q_SAVINGS,
)
from bot.questionnaire.loader import QUESTIONNAIRES_DIR, QuestionnaireError, load_dir, load_file, parse_questionnaire
from bot.questionnaire.model import QUESTION_TYPES, QType
from bot.services.reports.base import QuestionnaireStore

SOURCE = QUESTIONNAIRES_DIR / "thidua-v1.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def _question(raw: dict, qid: str) -> dict:
    return next(q for s in raw["sections"] for q in s["questions"] if q["id"] == qid)


def test_the_movement_questionnaire_loads_and_uses_the_contract_ids():
    questionnaire = load_file(SOURCE)
    ids = {q.id for q in questionnaire.questions}
    for qid in (Q_CAPITAL_HOLDS, Q_CAPITAL_PLAN, Q_CAPITAL_DISBURSED, Q_SAVINGS, Q_INITIATIVES, Q_EXEMPLARS,
                Q_DIFFICULTIES, Q_PROPOSALS, Q_COMMENDATIONS):
        assert qid in ids
    assert {f.id for f in questionnaire.question(Q_COMMENDATIONS).fields} == {"target_kind", "name", "form",
                                                                            "achievement"}
    forms = questionnaire.question(Q_COMMENDATIONS).field_by_id("form").options
    assert {o.code for o in forms} in FORM_CHOICES
    used = {q.type for q in questionnaire.questions} | {f.type for q in questionnaire.questions for f in q.fields}
    assert used == set(QUESTION_TYPES)  # every question type appears in the real questionnaire
    for question in questionnaire.questions:
        assert question.text["vi"] and question.text["en"]


def test_conditions_on_unit_answers_and_period_kind():
    q = load_file(SOURCE)
    ids = lambda unit, kind, answers: [x.id for x in q.applicable(unit, kind, answers)]  # noqa: E731
    six = ids("khtc", "six_month", {})
    assert "ttud_reorganisation" not in six and "ttud_reorganisation" in ids("ttud", "six_month", {})
    assert Q_CAPITAL_PLAN not in six
    with_capital = ids("khtc", "six_month", {Q_CAPITAL_HOLDS: True})
    assert with_capital.index(Q_CAPITAL_PLAN) == with_capital.index(Q_CAPITAL_HOLDS) + 1
    assert Q_CAPITAL_PLAN not in ids("khtc", "six_month", {Q_CAPITAL_HOLDS: False})
    assert "thrift_programme_ref" in ids("khtc", "six_month", {"thrift_programme": "issued"})
    assert "thrift_programme_ref" not in ids("khtc", "six_month", {"thrift_programme": "drafting"})
    assert "recurrent_share" not in six and "recurrent_share" in ids("khtc", "annual", {})
    assert "self_assessment" in ids("khtc", "phase_review", {})
    assert Q_COMMENDATIONS in six  # decided: commendation proposals are asked in every period


def test_disbursement_share_is_computed_against_the_target():
    q = load_file(SOURCE)
    assert q.derived_values({Q_CAPITAL_PLAN: 1_500_000_000, Q_CAPITAL_DISBURSED: 1_200_000_000}) == {
        "capital_disbursed_pct": 80.0}
    assert q.derived[0].target == 100
    assert q.derived_values({Q_CAPITAL_PLAN: 0, Q_CAPITAL_DISBURSED: 5}) == {}


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: _question(r, "admin_procedures").update(type="number"), "question 'admin_procedures': type 'number'"),
    (lambda r: _question(r, "infra_policy").update(text={"vi": "Câu hỏi"}),
     "question 'infra_policy': 'text' has no text in en"),
    (lambda r: _question(r, "capital_plan").update(when={"answer": {"question": "nowhere", "equals": True}}),
     "question 'capital_plan': the condition refers to 'nowhere'"),
    (lambda r: _question(r, "capital_plan").update(when={"answer": {"question": "capital_holds", "equals": "yes"}}),
     "compare with true or false"),
    (lambda r: _question(r, "capital_plan").update(type="integer"), "question 'capital_plan': this id is read by"),
    (lambda r: _question(r, "commendations")["fields"][2]["options"].pop(), "field 'form' must offer exactly"),
    (lambda r: _question(r, "digital_tasks").update(options=[{"code": "a", "label": {"vi": "A", "en": "A"}}]),
     "question 'digital_tasks': a choice needs at least two options"),
    (lambda r: r["sections"][0]["questions"].append(copy.deepcopy(_question(r, "infra_policy"))),
     "question 'infra_policy': this id is used twice"),
    (lambda r: _question(r, "thrift_programme_ref").update(when={"period_kinds": ["monthly"]}), "unknown period kind"),
    (lambda r: _question(r, "initiatives")["fields"].append({"id": "x", "type": "group", "text": {"vi": "a", "en": "a"},
                                                             "fields": []}), "a group cannot contain another group"),
])
def test_bad_definitions_name_the_question(raw, change, message):
    broken = copy.deepcopy(raw)
    change(broken)
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(broken, "thidua-v1.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("thidua-v1.yaml: ")


def test_bad_yaml_and_file_names(tmp_path: Path):
    (tmp_path / "thidua-v1.yaml").write_text("code: thidua\nversion: [1\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="thidua-v1.yaml: not valid YAML"):
        load_dir(tmp_path)
    (tmp_path / "thidua-v1.yaml").unlink()
    (tmp_path / "baocao.yaml").write_text("code: thidua\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="file name must look like"):
        load_dir(tmp_path)
    (tmp_path / "baocao.yaml").unlink()
    (tmp_path / "thidua-v2.yaml").write_text(SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="do not match the file name"):
        load_dir(tmp_path)


def test_a_report_keeps_the_version_it_was_filled_against(db, clock, tmp_path: Path, raw):
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "thidua-v1.yaml").write_text(SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    store = QuestionnaireStore(db, clock, folder)
    first = store.current()
    assert (first.code, first.version) == ("thidua", 1)
    # The Office prepares version 2 for the next phase, and someone also edits version 1 in place.
    v2 = copy.deepcopy(raw)
    v2["version"] = 2
    _question(v2, "infra_policy")["text"]["vi"] = "Câu hỏi mới của giai đoạn sau?"
    (folder / "thidua-v2.yaml").write_text(yaml.safe_dump(v2, allow_unicode=True), encoding="utf-8")
    edited = copy.deepcopy(raw)  # a structural edit in place (wording alone is refreshed: test_questionnaire_wording)
    _question(edited, "infra_policy")["text"]["vi"] = "Sửa trực tiếp"
    _question(edited, "infra_policy")["required"] = False
    (folder / "thidua-v1.yaml").write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    fresh = QuestionnaireStore(db, clock, folder)  # a new process
    assert fresh.current().version == 2
    # A process started before the new version was deployed keeps the version it found, until it starts again.
    assert store.current().version == 1
    store.sync()
    assert store.current().version == 2
    assert fresh.get("thidua", 2).question("infra_policy").text["vi"] == "Câu hỏi mới của giai đoạn sau?"
    assert fresh.get("thidua", 1).question("infra_policy").text["vi"] == first.question("infra_policy").text["vi"]
    assert fresh.get("thidua", 1).question("capital_plan").type == QType.MONEY
    assert fresh.get("thidua", 1).question("infra_policy").required
