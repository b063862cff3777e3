"""A graded assignment through nbgrader, in a temporary course, with simulated learners.

Generate, release, one learner through the real exchange (fetch, submit, collect),
the others dropped straight into ``submitted/``; autograde everyone; check each
learner's points against what their answers are worth, computed here by hand from the
key; then check that feedback shows neither hidden tests nor keys.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.answers_store import ANSWERS_FILENAME
from course.nbgrader_settings import config_file_text
from course.release import SOURCES
from learners import (
    ASSIGNMENT, KEYS, OPEN_ANSWER, OPEN_QUESTION, PANDAS_POINTS, PARTLY_RIGHT_CODE, QUIZ_ID, QUIZ_POINTS,
    RIGHT_CODE, SOURCE, WRONG_CODE, COURSE_ID, fill_notebook, nbgrader, partial_answers, right_answers, save_quiz,
    wrong_answers,
)

pytestmark = pytest.mark.nbgrader

def empty_two_grade_cells(cell) -> None:
    if cell.metadata.get("nbgrader", {}).get("grade_id") in (KEYS[0].grade_id, "test-editions"):
        cell.source = ""


LEARNERS = {
    # learner id: (quiz answers, code, answers file override, notebook edit)
    "tous_justes": (right_answers(), RIGHT_CODE, None, None),
    "tous_faux": (wrong_answers(), WRONG_CODE, None, None),
    "en_partie": (partial_answers()[0], PARTLY_RIGHT_CODE, None, None),
    "sans_fichier": (None, RIGHT_CODE, None, None),
    "fichier_abime": (None, RIGHT_CODE, b'{"quizzes": {"m0-eval', None),
    "erreur_syntaxe": (right_answers(), "editions = jalons[\n", None, None),
    "boucle_infinie": (right_answers(), "while True:\n    pass\n", None, None),
    "cellules_videes": (right_answers(), RIGHT_CODE, None, empty_two_grade_cells),
}


def expected_points(learner: str) -> dict[str, float]:
    all_quiz = dict(QUIZ_POINTS)
    no_quiz = {g: 0 for g in QUIZ_POINTS}
    all_code = dict(PANDAS_POINTS)
    no_code = {g: 0 for g in PANDAS_POINTS}
    return {
        "tous_justes": {**all_quiz, **all_code},
        "tous_faux": {**no_quiz, **no_code},
        "en_partie": {**partial_answers()[1], **all_code, "test-concertations": 0},
        "sans_fichier": {**no_quiz, **all_code},
        "fichier_abime": {**no_quiz, **all_code},
        "erreur_syntaxe": {**all_quiz, **no_code},
        "boucle_infinie": {**all_quiz, **no_code},
        "cellules_videes": {**all_quiz, **all_code},
    }[learner]


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("session")
    course, exchange, home = root / "cours", root / "echange", root / "apprenant"
    for folder in (course, home):
        folder.mkdir()
    exchange.mkdir(mode=0o1777)
    config = config_file_text(COURSE_ID, [ASSIGNMENT]) + (
        f"c.Exchange.root = {str(exchange)!r}\n"
        # Shorter than the course's timeout to keep the suite quick; the behaviour is the same.
        "c.Execute.timeout = 6\n")
    (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
    (home / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\nc.CourseDirectory.course_id = {COURSE_ID!r}\n",
        encoding="utf-8")
    shutil.copytree(SOURCES / ASSIGNMENT, course / "source" / ASSIGNMENT)
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=course)
    nbgrader("release_assignment", ASSIGNMENT, "--force", cwd=course)

    # One learner through the real exchange: fetch, answer, submit; the trainer collects.
    nbgrader("fetch_assignment", ASSIGNMENT, cwd=home)
    fetched = home / ASSIGNMENT
    answers, code, _, _ = LEARNERS["tous_justes"]
    save_quiz(fetched, answers)

    def answer_open_question(cell):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == OPEN_QUESTION:
            cell.source = OPEN_ANSWER
    fill_notebook(fetched, code, answer_open_question)
    nbgrader("submit", ASSIGNMENT, "--student=tous_justes", cwd=home)
    nbgrader("collect", ASSIGNMENT, cwd=course)

    released = course / "release" / ASSIGNMENT
    originals = {}
    for learner, (answers, code, raw_file, edit) in LEARNERS.items():
        if learner == "tous_justes":
            continue
        folder = course / "submitted" / learner / ASSIGNMENT
        shutil.copytree(released, folder)
        if answers is not None:
            save_quiz(folder, answers)
        if raw_file is not None:
            (folder / ANSWERS_FILENAME).write_bytes(raw_file)
        fill_notebook(folder, code, edit)
        originals[learner] = {p.name: p.read_bytes() for p in folder.iterdir()}

    # Trap: an answers file left in the source folder (the author tried the quiz) must
    # not overwrite the learners' own files at autograde.
    leaked = {"format": 1, "quizzes": {QUIZ_ID: {q: {"answer": a} for q, a in right_answers().items()}}}
    (course / "source" / ASSIGNMENT / ANSWERS_FILENAME).write_text(json.dumps(leaked), encoding="utf-8")

    nbgrader("autograde", ASSIGNMENT, cwd=course)
    nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    return course, originals


def grades_of(course: Path, learner: str) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        notebook = gb.find_submission(ASSIGNMENT, learner).notebooks[0]
        return {g.name: g.score for g in notebook.grades if g.name != OPEN_QUESTION}


def test_answers_file_travels_through_the_exchange(graded_course):
    course, _ = graded_course
    submitted = course / "submitted" / "tous_justes" / ASSIGNMENT / ANSWERS_FILENAME
    autograded = course / "autograded" / "tous_justes" / ASSIGNMENT / ANSWERS_FILENAME
    saved = json.loads(submitted.read_text(encoding="utf-8"))["quizzes"][QUIZ_ID]
    assert {qid: entry["answer"] for qid, entry in saved.items()} == right_answers()
    assert autograded.read_bytes() == submitted.read_bytes()
    feedback = course / "feedback" / "tous_justes" / ASSIGNMENT / ANSWERS_FILENAME
    assert feedback.exists(), "le fichier de réponses doit accompagner le retour"


@pytest.mark.parametrize("learner", list(LEARNERS))
def test_each_learner_gets_the_points_their_answers_are_worth(graded_course, learner):
    course, _ = graded_course
    got = grades_of(course, learner)
    expected = expected_points(learner)
    assert set(got) == set(expected), f"cellules notées : {sorted(got)}"
    for grade_id, points in expected.items():
        assert got[grade_id] == pytest.approx(points, abs=0.011), f"{learner}, {grade_id}"


def test_open_question_waits_for_the_trainer(graded_course):
    course, _ = graded_course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        answered = gb.find_grade(OPEN_QUESTION, SOURCE.stem, ASSIGNMENT, "tous_justes")
        assert answered.auto_score is None and answered.needs_manual_grade
        # nbgrader gives 0 to an answer cell left as released, with nothing to grade by hand.
        blank = gb.find_grade(OPEN_QUESTION, SOURCE.stem, ASSIGNMENT, "tous_faux")
        assert blank.auto_score == 0 and not blank.needs_manual_grade
    assert OPEN_ANSWER in feedback_html(course, "tous_justes")


def test_submissions_are_never_modified(graded_course):
    course, originals = graded_course
    for learner, files in originals.items():
        folder = course / "submitted" / learner / ASSIGNMENT
        now = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "timestamp.txt"}
        files = {n: b for n, b in files.items() if n != "timestamp.txt"}
        assert now == files, f"la soumission de {learner} a été modifiée"


def test_damaged_answers_file_is_kept_in_the_graded_copy(graded_course):
    course, _ = graded_course
    graded = course / "autograded" / "fichier_abime" / ASSIGNMENT
    kept = list(graded.glob("reponses_quiz*.json"))
    assert kept and any(p.read_bytes() == LEARNERS["fichier_abime"][2] for p in kept)


def feedback_html(course: Path, learner: str) -> str:
    return (course / "feedback" / learner / ASSIGNMENT / f"{SOURCE.stem}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("learner", list(LEARNERS))
def test_feedback_shows_no_hidden_test_and_no_key(graded_course, learner):
    course, _ = graded_course
    html = feedback_html(course, learner)
    for marker in ("HIDDEN TESTS", "grade_question", "expected=", "_reference", "Traceback (most recent call last)", "File \""):
        assert marker not in html, f"« {marker} » visible dans le retour de {learner}"
    for key in KEYS:
        if key.explanation:
            assert key.explanation[:60] not in html
        if isinstance(key.expected, (dict, list)):
            assert json.dumps(key.expected) not in html and repr(key.expected) not in html


def test_feedback_explains_failures_in_french(graded_course):
    course, _ = graded_course
    assert "editions ne doit contenir que des lignes de type" in feedback_html(course, "tous_faux")
    assert "nb_concertations doit compter les lignes" in feedback_html(course, "en_partie")
    assert "Aucun fichier de réponses" in feedback_html(course, "sans_fichier")


ENGLISH_FRAME = ("Score:", "(Top)", "Student's answer", "Test cell", "Grade cell", "Written response")


def test_feedback_frame_is_french_and_wraps(graded_course):
    course, _ = graded_course
    html = feedback_html(course, "tous_justes")
    for label in ENGLISH_FRAME:
        assert label not in html, f"« {label} » : libellé anglais de nbgrader dans le retour"
    assert "Retour sur votre devoir" in html and "Question 1 du quiz" in html and "Vérification automatique" in html
    assert 'name="viewport"' in html and "pre-wrap" in html
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?://""", html), \
        "le retour ne charge rien depuis internet"


def test_feedback_with_the_correction_teaches_and_still_hides_tests(graded_course):
    """Runs last: it regenerates the feedback, as « formation retours --corrige » does after the deadline."""
    course, _ = graded_course
    nbgrader("generate_feedback", ASSIGNMENT, "--force", "--Correction.corrige=True", cwd=course)
    html = feedback_html(course, "tous_faux")
    assert html.count("Bonne réponse : ") == len(KEYS)
    for key in KEYS:
        if key.explanation:
            assert key.explanation[:60].replace("'", "&#39;").replace('"', "&quot;")[:40] in html \
                or key.explanation[:40] in html
    assert "Corrigé et barème" in html
    for marker in ("HIDDEN TESTS", "grade_question", "expected=", "Traceback (most recent call last)"):
        assert marker not in html
    for label in ENGLISH_FRAME:
        assert label not in html


def test_feedback_figures_are_described_in_french():
    """The feedback page skips nbconvert's re-parsing pass, which would describe figures in English."""
    import base64

    import nbgrader
    from traitlets.config import Config

    from course.judge.retour import FeedbackPage
    from course.nbgrader_settings import configure

    config = Config()
    configure(config, [ASSIGNMENT])
    # Where nbgrader's GenerateFeedback finds the page's stylesheet.
    config.HTMLExporter.extra_template_paths = [str(
        Path(nbgrader.__file__).parent / "server_extensions/formgrader/static/node_modules/bootstrap/dist/css")]
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
    cell = nbformat.v4.new_code_cell("graphique()", outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})])
    notebook = nbformat.v4.new_notebook(cells=[cell])
    html, _ = FeedbackPage(config=config).from_notebook_node(
        notebook, resources={"nbgrader": {"notebook": "essai", "score": 1, "max_score": 2, "late_penalty": 0}})
    assert 'alt="Figure produite par le code de la cellule (sans description)"' in html
    assert "No description has been provided" not in html and "Retour sur votre devoir : essai" in html
