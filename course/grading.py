"""What the hidden tests of a graded quiz call, in nbgrader grade cells.

A grade cell's hidden test is one call, holding the key::

    from course.grading import grade_question
    grade_question("m0-evaluation", "m0-eval-01", expected="b", points=1)

It reads the answers file saved by the learner's quiz and returns the points earned;
as the cell's last value, nbgrader takes it as partial credit. It only ever prints to
stdout: nbgrader gives 0 to a grade cell that writes to stderr. It never writes files.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .answer_format import AnswerFormatError, check_answer
from .answers_store import ANSWERS_FILENAME, CorruptAnswersFile, answers_path, read_answers
from .bank import Question, load_quiz
from .scoring import score


def grade_question(quiz_id: str, question_id: str, expected: Any, points: float = 1,
                   explanation: str | None = None, folder: str | Path | None = None) -> float:
    """Points earned for one question; ``explanation`` is for the trainer's report only.

    Kept for running source notebooks top to bottom; grades themselves are decided by
    the judge (``course.judge``), outside the learner's kernel, with ``mark_question``.
    """
    path = answers_path(folder)
    problem = None
    try:
        answers = read_answers(path)
    except CorruptAnswersFile as exc:
        answers, problem = {}, f"Fichier de réponses {ANSWERS_FILENAME} illisible ({exc})"
    if problem is None and not path.exists():
        aside = sorted(path.parent.glob(f"{path.stem}.illisible-*{path.suffix}"))
        why = ("il était illisible et a été mis de côté" if aside
               else "le quiz n'a pas été rempli ou le fichier a été supprimé")
        problem = f"Aucun fichier de réponses {ANSWERS_FILENAME} ({why})"
    earned, lines = mark_question(quiz_id, question_id, expected, points, answers, problem)
    print("\n".join(lines))
    return earned


def mark_question(quiz_id: str, question_id: str, expected: Any, points: float,
                  answers: dict[str, dict[str, Any]], problem: str | None = None) -> tuple[float, list[str]]:
    """Points for one question from a learner's saved answers, with French lines saying why.

    Pure: reads nothing, writes nothing. ``problem`` says why there are no answers at all.
    """
    question = load_quiz(quiz_id).question(question_id)
    # A malformed key is the author's error: let it fail loudly.
    key = check_answer(question, expected, complete=True)
    if problem:
        return 0.0, [f"{problem} : 0 point pour cette question."]
    raw = answers.get(quiz_id, {}).get(question_id)
    if raw is None:
        return 0.0, ["Pas de réponse enregistrée pour cette question : 0 point."]
    try:
        answer = check_answer(question, raw, complete=False)
    except (AnswerFormatError, TypeError, ValueError, RecursionError):
        return 0.0, ["La réponse enregistrée ne correspond pas à la question : 0 point."]
    earned = round(score(question, answer, key) * points, 2)
    # Shown in the learner's feedback: their own answer, never the key.
    return earned, [f"Votre réponse : {describe_answer(question, answer)}", f"Points : {earned:g} sur {points:g}."]


def describe_answer(question: Question, answer: Any) -> str:
    """A learner's answer in words, as the quiz showed it."""
    def text(group: str, option_id: str | None) -> str:
        if option_id is None:
            return "(rien)"
        return next((o.text for o in getattr(question, group) if o.id == option_id), option_id)

    kind = question.kind
    if kind == "single":
        return f"« {text('choices', answer)} »"
    if kind == "multiple":
        return " ; ".join(f"« {text('choices', a)} »" for a in answer) or "(aucune case cochée)"
    if kind == "true_false":
        return "Vrai" if answer else "Faux"
    if kind == "matching":
        return " ; ".join(f"{text('prompts', p)} → {text('targets', t)}" for p, t in answer.items())
    if kind == "ordering":
        return " ; ".join(f"{n}. {text('items', item)}" for n, item in enumerate(answer, start=1))
    return f"« {answer} »"
