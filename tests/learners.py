"""Simulated learners of module 0: answers derived from the key, code typed in the notebook.

Shared by the nbgrader round trip and the trainer's tool tests.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from course import evaluation
from course.bank import load_quiz
from course.nbgrader_settings import command_env
from course.release import SOURCES
from course.solution_keys import correct_answers, read_keys

ASSIGNMENT = "module0"
COURSE_ID = "test-doctrine"
SOURCE = SOURCES / ASSIGNMENT / "module0_evaluation.ipynb"
KEYS = read_keys(SOURCE)
QUIZ_ID = KEYS[0].quiz_id
QUIZ = load_quiz(QUIZ_ID)
OPEN_QUESTION = "question-ouverte"
OPEN_ANSWER = "La doctrine n'est pas la feuille de route : c'est le cadre technique et d'urbanisation…"
PANDAS_POINTS = {"test-editions": 1, "test-concertations": 1, "test-jalons-par-annee": 2}
QUIZ_POINTS = {k.grade_id: k.points for k in KEYS}

def _solution_code() -> str:
    """The reference code of the pandas exercise, without nbgrader's markers."""
    for cell in nbformat.read(SOURCE, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "jalons-reponse":
            return "\n".join(line for line in cell.source.splitlines() if "### " not in line)
    raise LookupError("cellule jalons-reponse introuvable dans la source du devoir")


RIGHT_CODE = _solution_code()
WRONG_CODE = "editions = jalons\nnb_concertations = 0\njalons_par_annee = pd.Series(dtype=int)\n"
PARTLY_RIGHT_CODE = RIGHT_CODE.replace('int((jalons["type"] == "concertation").sum())', "0")
assert PARTLY_RIGHT_CODE != RIGHT_CODE


def nbgrader(*args: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=command_env(),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} a échoué :\n{result.stdout}{result.stderr}"
    return result.stdout + result.stderr


# --- answers a learner may give, derived from the key --------------------------------

def right_answers() -> dict:
    return correct_answers(KEYS)[QUIZ_ID]


def wrong_answer(question, key):
    if question.kind == "single":
        return next(c.id for c in question.choices if c.id != key)
    if question.kind == "true_false":
        return not key
    if question.kind == "multiple":
        return [c.id for c in question.choices if c.id not in key]
    if question.kind == "matching":
        prompts, targets = list(key), list(key.values())
        return dict(zip(prompts, targets[1:] + targets[:1]))  # every prompt gets another's target
    if question.kind == "ordering":
        return list(reversed(key))
    return "réponse fausse" if "accepted" in key else "-1"


def wrong_answers() -> dict:
    return {k.question_id: wrong_answer(QUIZ.question(k.question_id), k.expected) for k in KEYS}


def partial_answers() -> tuple[dict, dict]:
    """Partly right answers and, for each grade cell, the points they are worth."""
    answers, worth = {}, {}
    for k in KEYS:
        q = QUIZ.question(k.question_id)
        if q.kind == "matching":  # all but two prompts right, the last two swapped
            prompts = list(k.expected)
            answer = dict(k.expected)
            answer[prompts[-1]], answer[prompts[-2]] = k.expected[prompts[-2]], k.expected[prompts[-1]]
            answers[q.id], worth[k.grade_id] = answer, k.points * (len(prompts) - 2) / len(prompts)
        elif q.kind == "multiple":  # one right tick out of len(key)
            answers[q.id], worth[k.grade_id] = [k.expected[0]], k.points / len(k.expected)
        elif q.kind == "ordering":  # first two swapped: one pair out of n(n-1)/2 wrong
            n = len(k.expected)
            answers[q.id] = [k.expected[1], k.expected[0], *k.expected[2:]]
            worth[k.grade_id] = k.points * (n * (n - 1) / 2 - 1) / (n * (n - 1) / 2)
        elif q.kind == "single" and "single" not in {QUIZ.question(a).kind for a in answers}:
            answers[q.id], worth[k.grade_id] = k.expected, k.points  # the first single: right
        else:
            worth[k.grade_id] = 0  # left unanswered
    return answers, {g: round(p, 2) for g, p in worth.items()}


def fill_notebook(folder: Path, code: str | None = None, edit=None) -> None:
    """Write the learner's code into the solution cell, as typing in JupyterLab would."""
    path = folder / SOURCE.name
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if code is not None and cell.metadata.get("nbgrader", {}).get("grade_id") == "jalons-reponse":
            cell.source = code
        if edit:
            edit(cell)
    nbformat.write(nb, path)


def save_quiz(folder: Path, answers: dict) -> None:
    quiz = evaluation(QUIZ_ID, folder=folder)  # the same code path as clicks in the notebook
    for question_id, answer in answers.items():
        quiz.answer(question_id, answer)


def learner_copy(released: Path, folder: Path, answers: dict | None, code: str | None, edit=None) -> Path:
    """A learner's working copy of the released assignment, answered."""
    shutil.copytree(released, folder)
    if answers is not None:
        save_quiz(folder, answers)
    fill_notebook(folder, code, edit)
    return folder


def answer_kinds() -> dict[str, tuple[dict, str, dict]]:
    """Three kinds of learners: all right, all wrong, partly right, each as (quiz answers, code of the
    pandas exercise, the grade each grade cell must get)."""
    partial, worth = partial_answers()
    return {
        "juste": (right_answers(), RIGHT_CODE, {**QUIZ_POINTS, **PANDAS_POINTS}),
        "faux": (wrong_answers(), WRONG_CODE, {**{g: 0 for g in QUIZ_POINTS}, **{g: 0 for g in PANDAS_POINTS}}),
        "partie": (partial, PARTLY_RIGHT_CODE, {**worth, **PANDAS_POINTS, "test-concertations": 0}),
    }
