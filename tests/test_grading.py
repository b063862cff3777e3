"""The grade cells' function: points from the answers file, whatever the learner left there."""
import json

import pytest

from course import evaluation
from course.answers_store import ANSWERS_FILENAME
from course.grading import grade_question

pytestmark = pytest.mark.usefixtures("sample_banks")

KEY = {"ans": "agence", "dns": "delegation"}


def grade(folder, qid="t-note-matching", expected=KEY, points=2):
    return grade_question("t-note", qid, expected=expected, points=points, folder=folder)


def test_full_partial_and_zero_credit(tmp_path, capsys):
    quiz = evaluation("t-note", folder=tmp_path)
    quiz.answer("t-note-matching", {"ans": "agence", "dns": "delegation"})
    assert grade(tmp_path) == 2.0
    quiz.answer("t-note-matching", {"ans": "agence", "dns": "leurre"})
    assert grade(tmp_path) == 1.0
    quiz.answer("t-note-matching", {"ans": "delegation", "dns": "agence"})
    assert grade(tmp_path) == 0.0
    out, err = capsys.readouterr()
    assert err == "", "nbgrader donne 0 à une cellule qui écrit sur stderr"
    # The learner's feedback shows their own answer in words, never ids of the key.
    assert "Votre réponse : ANS → Délégation au numérique en santé ; DNS → Agence du numérique en santé" in out
    assert "Points : 0 sur 2." in out


def test_every_kind_with_its_key(tmp_path):
    quiz = evaluation("t-note", folder=tmp_path)
    cases = {
        "t-note-single": ("b", "b", 1),
        "t-note-multiple": (["a", "c"], ["a"], 0.5),
        "t-note-true_false": (False, False, 1),
        "t-note-ordering": (["v2019", "v2020", "v2023", "v2025"], ["v2020", "v2019", "v2023", "v2025"], 5 / 6),
        "t-note-text": ({"accepted": ["ANS"]}, " ans ", 1),
        "t-note-number": ({"value": 26, "tolerance": 0}, "26,0", 1),
    }
    for qid, (key, given, fraction) in cases.items():
        quiz.answer(qid, given)
        assert grade(tmp_path, qid, key, points=3) == pytest.approx(round(3 * fraction, 2)), qid


def test_missing_file_unanswered_question_and_damaged_file_give_zero(tmp_path, capsys):
    assert grade(tmp_path) == 0.0
    assert "Aucun fichier de réponses" in capsys.readouterr().out
    evaluation("t-note", folder=tmp_path).answer("t-note-single", "a")
    assert grade(tmp_path) == 0.0
    assert "Pas de réponse enregistrée" in capsys.readouterr().out
    (tmp_path / ANSWERS_FILENAME).write_text("{ abîmé", encoding="utf-8")
    assert grade(tmp_path) == 0.0
    assert "illisible" in capsys.readouterr().out
    assert (tmp_path / ANSWERS_FILENAME).read_text(encoding="utf-8") == "{ abîmé", "la notation n'écrit jamais"


def test_file_set_aside_by_the_quiz_is_explained(tmp_path, capsys):
    (tmp_path / ANSWERS_FILENAME).write_text("pas du json", encoding="utf-8")
    evaluation("t-note", folder=tmp_path)  # the quiz cell runs first at autograde
    assert grade(tmp_path) == 0.0
    assert "mis de côté" in capsys.readouterr().out


def test_hand_edited_answer_of_the_wrong_shape_gives_zero(tmp_path):
    (tmp_path / ANSWERS_FILENAME).write_text(json.dumps(
        {"quizzes": {"t-note": {"t-note-matching": {"answer": ["pas", "un", "dict"]}}}}), encoding="utf-8")
    assert grade(tmp_path) == 0.0


def test_malformed_key_fails_loudly(tmp_path):
    with pytest.raises(ValueError, match="n'est associé à aucune cible"):
        grade(tmp_path, expected={"ans": "agence"})


def test_answers_are_described_in_words(tmp_path, capsys):
    quiz = evaluation("t-note", folder=tmp_path)
    cases = {
        "t-note-single": ("b", "b", "« Deuxième »"),
        "t-note-multiple": (["a", "c"], ["a", "d"], "« Un » ; « Quatre »"),
        "t-note-true_false": (False, True, "Vrai"),
        "t-note-ordering": (["v2019", "v2020", "v2023", "v2025"], ["v2019", None, "v2023", None],
                            "1. Version 2019 ; 2. (rien) ; 3. Version 2023 ; 4. (rien)"),
        "t-note-text": ({"accepted": ["ANS"]}, "L'ANS", "« L'ANS »"),
    }
    for qid, (key, given, words) in cases.items():
        quiz.answer(qid, given)
        capsys.readouterr()
        grade(tmp_path, qid, key)
        assert f"Votre réponse : {words}\n" in capsys.readouterr().out, qid
