"""Quiz widgets: nothing pre-selected, practice feedback, graded persistence and damaged files."""
import json
import stat

import ipywidgets as w
import pytest

from course import evaluation, pratique
from course.answer_format import is_answered
from course.answers_store import ANSWERS_FILENAME

pytestmark = pytest.mark.usefixtures("sample_banks")


def controls(quiz, qid):
    return quiz.inputs[qid]._controls


def test_nothing_is_preselected():
    quiz = pratique("t-pratique")
    for q in quiz.quiz.questions:
        assert not is_answered(q, quiz.value(q.id)), f"{q.id} a une réponse avant tout clic"
    radios = [c for q in quiz.quiz.questions for c in controls(quiz, q.id) if isinstance(c, w.RadioButtons)]
    assert radios and all(r.value is None and r.index is None for r in radios)


def test_every_control_has_a_french_label():
    quiz = pratique("t-pratique")
    for q in quiz.quiz.questions:
        for control in controls(quiz, q.id):
            assert control.description.strip(), f"contrôle sans libellé dans {q.id}"
    assert all(b.description == "Vérifier" and b.tooltip for b in quiz.buttons.values())


def test_practice_feedback_right_wrong_partial_and_retry():
    quiz = pratique("t-pratique")
    qid = "t-pratique-single"
    assert quiz.check(qid) is None
    assert "Choisissez ou saisissez d'abord une réponse" in quiz.feedback[qid].value

    quiz.answer(qid, "a")
    assert quiz.check(qid) == 0.0
    feedback = quiz.feedback[qid].value
    assert "Ce n'est pas la bonne réponse" in feedback and "Parce que." in feedback
    assert "https://esante.gouv.fr/virage-numerique/doctrine-technique" in feedback and "édition 2025" in feedback

    quiz.answer(qid, "b")  # retry
    assert quiz.feedback[qid].value == "", "l'ancien verdict doit disparaître quand la réponse change"
    assert quiz.check(qid) == 1.0 and "Bonne réponse" in quiz.feedback[qid].value

    quiz.answer("t-pratique-multiple", ["a"])
    assert quiz.check("t-pratique-multiple") == 0.5
    assert "en partie juste (50 %)" in quiz.feedback["t-pratique-multiple"].value
    assert "1 question réussie sur 7, 2 vérifiées ; score 1,5 / 7" in quiz.summary.value


def test_practice_every_kind_scores_its_key_as_right():
    quiz = pratique("t-pratique")
    keys = {q.id: q.answer for q in quiz.quiz.questions}
    typed = {"t-pratique-text": "Agence du numérique en santé", "t-pratique-number": "26"}
    for qid, key in keys.items():
        quiz.answer(qid, typed.get(qid, key))
        assert quiz.check(qid) == 1.0, qid
    assert "7 questions réussies sur 7" in quiz.summary.value


def test_clicking_the_button_is_the_same_as_check():
    quiz = pratique("t-pratique")
    controls(quiz, "t-pratique-true_false")[0].value = False  # as a click on « Faux »
    quiz.buttons["t-pratique-true_false"].click()
    assert quiz.results["t-pratique-true_false"] == 1.0


def test_answer_api_rejects_impossible_answers_in_french():
    quiz = pratique("t-pratique")
    with pytest.raises(ValueError, match="Réponse impossible pour la question « t-pratique-single » : choix 'z'"):
        quiz.answer("t-pratique-single", "z")
    with pytest.raises(KeyError, match="n'a pas de question « nope »"):
        quiz.answer("nope", "a")


def test_mode_mismatch_is_explained():
    with pytest.raises(ValueError, match="ouvrez-le avec evaluation"):
        pratique("t-note")


def test_graded_answers_are_saved_at_once_and_restored(tmp_path):
    quiz = evaluation("t-note", folder=tmp_path)
    path = tmp_path / ANSWERS_FILENAME
    assert not path.exists(), "afficher le quiz ne doit rien écrire"
    quiz.answer("t-note-single", "c")
    quiz.answer("t-note-ordering", ["v2019", None, "v2023", None])
    quiz.answer("t-note-text", "ANS")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    saved = json.loads(path.read_text(encoding="utf-8"))["quizzes"]["t-note"]
    assert saved["t-note-single"]["answer"] == "c"
    assert quiz.saved() == {"t-note-single": "c", "t-note-ordering": ["v2019", None, "v2023", None],
                            "t-note-text": "ANS"}
    assert "3 / 7" in quiz.progress.value and "enregistrée" in quiz.status["t-note-text"].value

    again = evaluation("t-note", folder=tmp_path)  # kernel restart, notebook reopened, nbgrader run
    assert again.value("t-note-single") == "c"
    assert again.value("t-note-ordering") == ["v2019", None, "v2023", None]
    assert again.value("t-note-text") == "ANS"
    assert again.value("t-note-true_false") is None
    assert "3 / 7" in again.progress.value


def test_restoring_does_not_rewrite_the_file(tmp_path):
    quiz = evaluation("t-note", folder=tmp_path)
    quiz.answer("t-note-true_false", True)
    path = tmp_path / ANSWERS_FILENAME
    before = path.stat().st_mtime_ns, path.read_bytes()
    evaluation("t-note", folder=tmp_path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_clearing_an_answer_removes_it(tmp_path):
    quiz = evaluation("t-note", folder=tmp_path)
    quiz.answer("t-note-multiple", ["a", "b"])
    quiz.answer("t-note-multiple", [])
    assert "t-note-multiple" not in quiz.saved()
    assert "effacée" in quiz.status["t-note-multiple"].value


def test_other_quizzes_in_the_same_file_are_kept(tmp_path, write_bank):
    from conftest import sample_bank
    write_bank("t-autre", sample_bank("t-autre", "graded"))
    evaluation("t-note", folder=tmp_path).answer("t-note-single", "a")
    evaluation("t-autre", folder=tmp_path).answer("t-autre-single", "b")
    assert evaluation("t-note", folder=tmp_path).saved() == {"t-note-single": "a"}


@pytest.mark.parametrize("content", [b"{ pas du json", b"\xff\xfe\x00", b'{"quizzes": []}', b"[]"])
def test_damaged_file_is_set_aside_reported_and_quiz_still_works(tmp_path, content):
    path = tmp_path / ANSWERS_FILENAME
    path.write_bytes(content)
    quiz = evaluation("t-note", folder=tmp_path)
    aside = list(tmp_path.glob("reponses_quiz.illisible-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == content, "le fichier abîmé doit être gardé tel quel"
    assert "était illisible" in quiz.banner.value and aside[0].name in quiz.banner.value
    assert not path.exists()
    quiz.answer("t-note-single", "b")
    assert quiz.saved() == {"t-note-single": "b"}
    assert aside[0].read_bytes() == content


def test_invalid_saved_entry_is_skipped_not_fatal(tmp_path):
    path = tmp_path / ANSWERS_FILENAME
    path.write_text(json.dumps({"format": 1, "quizzes": {"t-note": {
        "t-note-single": {"answer": "z"}, "t-note-true_false": {"answer": True}}}}), encoding="utf-8")
    quiz = evaluation("t-note", folder=tmp_path)
    assert quiz.value("t-note-single") is None
    assert "n'a pas pu être relue" in quiz.status["t-note-single"].value
    assert quiz.value("t-note-true_false") is True


def test_write_failure_is_reported_and_answer_kept(tmp_path, monkeypatch):
    import course.quiz as quiz_module

    def disk_full(path, answers):
        raise OSError(28, "No space left on device")
    quiz = evaluation("t-note", folder=tmp_path)
    monkeypatch.setattr(quiz_module, "write_answers", disk_full)
    quiz.answer("t-note-single", "a")
    assert "Impossible d'enregistrer" in quiz.status["t-note-single"].value
    assert quiz.value("t-note-single") == "a"


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    folder = tmp_path / "devoir"
    folder.mkdir()
    quiz = evaluation("t-note", folder=folder)
    for choice in ("a", "b", "c"):
        quiz.answer("t-note-single", choice)
    assert sorted(p.name for p in folder.iterdir()) == [ANSWERS_FILENAME]


def test_graded_quiz_says_in_french_to_rerun_its_cell_after_a_restart(tmp_path, monkeypatch):
    import course.quiz
    shown = []
    monkeypatch.setattr(course.quiz, "display", lambda obj, raw=False: shown.append(obj))
    evaluation("t-note", folder=tmp_path)._ipython_display_()
    quiz_bundle, note = shown
    assert "application/vnd.jupyter.widget-view+json" in quiz_bundle
    # Without the widget model (kernel restarted, notebook reopened), these texts remain.
    for text in (quiz_bundle["text/plain"], note["text/plain"], note["text/html"]):
        assert "réexécutez cette cellule" in text and "vos réponses sont conservées" in text
    assert "cours-relance" in note["text/html"] and "cours-relance" in course.quiz._QUIZ_STYLE
