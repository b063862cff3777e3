"""Read the answer keys of graded quizzes from an nbgrader source notebook (trainer side).

The key of each graded question lives only in the hidden test of its grade cell, as
the literal arguments of a ``grade_question(...)`` call; this reads them back without
running anything, for tests and for the trainer's reports.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class QuestionKey:
    grade_id: str
    quiz_id: str
    question_id: str
    expected: Any
    points: float
    explanation: str | None


def _literal_call(source: str) -> dict[str, Any] | None:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "grade_question":
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
            names = ["quiz_id", "question_id", "expected", "points", "explanation"]
            kwargs.update(zip(names, args))
            return kwargs
    return None


def read_keys(notebook: str | Path) -> list[QuestionKey]:
    """Every graded-quiz key of a source notebook, in notebook order."""
    content = json.loads(Path(notebook).read_text(encoding="utf-8"))
    keys = []
    for cell in content["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code" or not meta.get("grade"):
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        call = _literal_call(source)
        if call is None:
            continue
        points = float(call.get("points", 1))
        if points != float(meta.get("points", 0)):
            raise ValueError(f"{notebook} : la cellule {meta.get('grade_id')} vaut {meta.get('points')} point(s) "
                             f"mais grade_question annonce points={points:g}.")
        keys.append(QuestionKey(meta["grade_id"], call["quiz_id"], call["question_id"], call["expected"],
                                points, call.get("explanation")))
    return keys


def correct_answers(keys: list[QuestionKey]) -> dict[str, dict[str, Any]]:
    """Answers a learner would save to earn every point: ``{quiz id: {question id: answer}}``.

    A short answer's key lists accepted texts or a number; its right answer is the
    first accepted text, or the number written as text.
    """
    answers: dict[str, dict[str, Any]] = {}
    for key in keys:
        expected = key.expected
        if isinstance(expected, dict) and "accepted" in expected:
            expected = expected["accepted"][0]
        elif isinstance(expected, dict) and "value" in expected:
            expected = str(expected["value"])
        answers.setdefault(key.quiz_id, {})[key.question_id] = expected
    return answers
