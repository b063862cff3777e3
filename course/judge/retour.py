"""The feedback that teaches: nbgrader's feedback notebooks completed before they become HTML.

Always: each graded cell gets a French title. With ``Correction.corrige`` (self-study, or
``formation retours MODULE --corrige`` once the trainer releases the answers): each quiz
question shows the right answer, why, and its source with the doctrine edition; the open
question shows its marking scheme. Hidden test code is removed by nbgrader's
ClearHiddenTests before this runs and never comes back.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from nbformat.notebooknode import from_dict
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from ..bank import load_quiz
from ..grading import describe_answer
from .plan import nbgrader_meta, read_plan


def right_answer(expected: Any) -> Any:
    """A key as the learner would have answered it (short answers: the first accepted form)."""
    if isinstance(expected, dict) and "accepted" in expected:
        return expected["accepted"][0]
    if isinstance(expected, dict) and "value" in expected:
        return f"{expected['value']:g}".replace(".", ",")
    return expected


class Correction(NbGraderPreprocessor):
    corrige = Bool(False, help="Montrer les bonnes réponses, explications, sources et barèmes.").tag(config=True)

    def preprocess(self, nb, resources):
        coursedir = CourseDirectory(config=self.config)
        info = resources["nbgrader"]
        source_path = (Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
                       / f"{info['notebook']}.ipynb")
        source = json.loads(source_path.read_text(encoding="utf-8"))
        plan = read_plan(source)
        schemes = {nbgrader_meta(c).get("grade_id"): c for c in source.get("cells", [])
                   if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution")}
        cells, number = [], 0
        for cell in nb.cells:
            cells.append(cell)
            grade_id = nbgrader_meta(cell).get("grade_id")
            if grade_id in plan.quiz or grade_id in plan.tests:
                # The bare number nbgrader read the points from: the heading already shows them.
                cell.outputs = [o for o in cell.outputs if o.get("output_type") != "execute_result"]
            if grade_id in plan.quiz:
                number += 1
                cell.metadata["cours_titre"] = f"Question {number} du quiz"
                if self.corrige:
                    cell.outputs.append(from_dict({"output_type": "stream", "name": "stdout",
                                                   "text": self._correction(plan.quiz[grade_id])}))
            elif grade_id in plan.tests:
                cell.metadata["cours_titre"] = "Vérification automatique"
            elif grade_id in schemes and self.corrige:
                scheme = "".join(schemes[grade_id].get("source", ""))
                cells.append(from_dict({"cell_type": "markdown", "metadata": {}, "id": f"corrige-{grade_id}",
                                        "source": "### Corrigé et barème\n\n" + scheme}))
        nb.cells = cells
        return nb, resources

    @staticmethod
    def _correction(key) -> str:
        question = load_quiz(key.quiz_id).question(key.question_id)
        lines = ["", f"Bonne réponse : {describe_answer(question, right_answer(key.expected))}"]
        if key.explanation:
            lines.append(f"Pourquoi : {key.explanation}")
        lines.append(f"Source : {question.source} (doctrine, édition {question.edition})")
        return "\n".join(lines) + "\n"


class _PageAsIs(str):
    """Stands for BeautifulSoup in nbconvert's last pass: nothing to select, the page unchanged."""

    def __new__(cls, markup: str, features: str | None = None):
        return super().__new__(cls, markup)

    def select(self, selector: str) -> list:
        return []


class FeedbackPage(HTMLExporter):
    """The feedback page, without nbconvert's last pass over it.

    After rendering, nbconvert parses the whole page again with BeautifulSoup to give
    images without a description an English one and lab-style cells a tabindex: a third of
    the time of each feedback page. Our template (course/templates/feedback) writes a
    French description on every figure itself and has no lab-style cells, so the pass
    would change nothing but the language."""

    def from_notebook_node(self, nb, resources=None, **kw):
        with _without_reparsing():
            return super().from_notebook_node(nb, resources, **kw)


@contextmanager
def _without_reparsing():
    from nbconvert.exporters import html

    soup = html.BeautifulSoup
    html.BeautifulSoup = _PageAsIs
    try:
        yield
    finally:
        html.BeautifulSoup = soup
