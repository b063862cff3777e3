"""Self-study: fetch, hand in, get a grade and a correction that teaches, through nbgrader and the judge."""
from __future__ import annotations

import pytest

from course import autonomie
from course.answers_store import answers_path
from course.mes_devoirs import AssignmentRow
from learners import KEYS, PANDAS_POINTS, QUIZ_POINTS, RIGHT_CODE, SOURCE, fill_notebook, right_answers, save_quiz

pytestmark = pytest.mark.nbgrader
MODULE = "module0"


@pytest.fixture
def alone(tmp_path, monkeypatch):
    monkeypatch.setenv("COURS_DNS_TRAVAIL", str(tmp_path / "travail"))
    monkeypatch.setenv("COURS_DNS_DONNEES", str(tmp_path / "donnees"))
    return tmp_path


def test_fetch_copies_once_and_never_overwrites_work(alone):
    folder, created = autonomie.fetch(MODULE)
    assert created and (folder / SOURCE.name).exists()
    (folder / SOURCE.name).write_text("mon travail", encoding="utf-8")
    again, created = autonomie.fetch(MODULE)
    assert again == folder and not created
    assert (folder / SOURCE.name).read_text(encoding="utf-8") == "mon travail"
    with pytest.raises(autonomie.AutonomieError, match="inconnu"):
        autonomie.fetch("module9")


def test_submitting_grades_teaches_and_keeps_every_attempt(alone):
    with pytest.raises(autonomie.AutonomieError, match="Rien à rendre"):
        autonomie.submit(MODULE)
    folder, _ = autonomie.fetch(MODULE)
    blank = autonomie.submit(MODULE)
    assert blank.score == 0
    save_quiz(folder, right_answers())
    fill_notebook(folder, RIGHT_CODE)
    graded = autonomie.submit(MODULE)
    assert graded.score == pytest.approx(sum(QUIZ_POINTS.values()) + sum(PANDAS_POINTS.values()))
    assert [a["points"] for a in autonomie.attempts(MODULE)] == [0, graded.score]
    html = graded.feedback.read_text(encoding="utf-8")
    assert html.count("Bonne réponse : ") == len(KEYS) and "Corrigé et barème" in html
    assert all(k.explanation[:30] in html for k in KEYS if k.explanation and "'" not in k.explanation[:30])
    for marker in ("HIDDEN TESTS", "grade_question", "Score:", "(Top)", "Traceback (most recent call last)"):
        assert marker not in html
    # Two submissions within the same second (grading can take less) are both kept.
    instant = autonomie.datetime.now(autonomie.timezone.utc)

    class SameSecond(autonomie.datetime):
        @classmethod
        def now(cls, tz=None):
            return instant

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(autonomie, "datetime", SameSecond)
        again = [autonomie.submit(MODULE) for _ in range(2)]
    assert [a["points"] for a in autonomie.attempts(MODULE)] == [0, graded.score] + [a.score for a in again]
    # The learner's files are untouched; the correction sits beside them.
    assert answers_path(folder).exists() and graded.feedback.parent == folder


def test_the_french_page_drives_the_same_steps(alone):
    row = AssignmentRow(MODULE)
    assert row.submit_button.disabled and "Pas encore commencé" in row.status.value
    row.fetch_button.click()
    assert not row.submit_button.disabled and SOURCE.name in row.status.value
    row.submit_button.click()
    assert "Note : 0 / " in row.result.value and "correction détaillée" in row.result.value
    assert "Tentatives précédentes" in row.status.value
