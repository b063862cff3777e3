"""« Vérifier mon devoir »: what is still missing in a learner's assignment, in French.

The last cell of every assignment shows the button (``verifier_devoir()``). A click lists
the quiz questions without a saved answer, the code exercises not written yet or failing
their visible checks, and an empty open answer. It reads the notebook as last saved and
re-runs only the visible checks of its test cells in the learner's kernel: the hidden
tests are not in the learner's copy, and are never run here even in a source notebook.
It never announces a success: at best, nothing is missing and the rest is up to grading.
"""
from __future__ import annotations

import contextlib
import html
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w
import nbformat
from IPython.display import display

from .answer_format import AnswerFormatError, check_answer, is_answered
from .answers_store import CorruptAnswersFile, answers_path, read_answers
from .bank import BankError, load_quiz
from .verifications import NOT_DEFINED

BUTTON_LABEL = "Vérifier mon devoir"
_QUIZ_CALL = re.compile(r"""evaluation\(\s*["']([^"']+)["']""")
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*$", re.M | re.S)
_STUB_MARKERS = ("VOTRE CODE ICI", "Exercice à compléter", "raise NotImplementedError")
_TEXT_STUB = "VOTRE RÉPONSE ICI"


@dataclass
class Report:
    """What is missing, by part; empty lists when nothing is."""
    quiz: list[str] = field(default_factory=list)
    exercises: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    open_answers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.quiz or self.exercises or self.checks or self.open_answers)

    def text(self) -> str:
        if self.complete:
            lines = ["Rien ne manque : toutes les questions du quiz ont une réponse, les exercices de code "
                     "sont écrits et passent leurs vérifications visibles, la question ouverte est remplie. "
                     "Les vérifications cachées et la question ouverte seront notées à la correction. "
                     "Enregistrez (Ctrl+S), puis soumettez le devoir."]
        else:
            lines = ["Votre devoir n'est pas terminé :"]
            for title, items in (("Quiz, questions sans réponse", self.quiz),
                                 ("Exercices de code à compléter", self.exercises),
                                 ("Vérifications visibles non réussies", self.checks),
                                 ("Question ouverte", self.open_answers)):
                if items:
                    lines.append(f"{title} :")
                    lines += [f"  - {item}" for item in items]
        return "\n".join(lines + self.notes)

    def html(self) -> str:
        if self.complete:
            body = f"<p><strong>✓</strong> {html.escape(self.text())}</p>"
        else:
            parts = ["<p><strong>Votre devoir n'est pas terminé.</strong> Voici ce qui manque :</p>"]
            for title, items in (("Quiz : questions sans réponse", self.quiz),
                                 ("Exercices de code à compléter", self.exercises),
                                 ("Vérifications visibles non réussies", self.checks),
                                 ("Question ouverte", self.open_answers)):
                if items:
                    lis = "".join(f"<li>{html.escape(i)}</li>" for i in items)
                    parts.append(f"<p><strong>{title}</strong></p><ul>{lis}</ul>")
            body = "".join(parts)
        notes = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in self.notes)
        return f"<div role='status'>{body}{notes}</div>"


def _heading(markdown: str) -> str | None:
    for line in markdown.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return None


def _label(cell, default: str) -> str:
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return first.lstrip("#").strip() if first.startswith("#") else default


def find_notebook(folder: Path | None = None) -> Path:
    """The notebook of the running kernel, or the only assignment notebook of the folder."""
    session = os.environ.get("JPY_SESSION_NAME")
    if session and session.endswith(".ipynb") and Path(session).is_file():
        return Path(session)
    folder = folder or Path.cwd()
    candidates = [p for p in sorted(folder.glob("*.ipynb"))
                  if '"nbgrader"' in p.read_text(encoding="utf-8", errors="replace")]
    if len(candidates) != 1:
        raise FileNotFoundError(
            f"Impossible de savoir quel devoir vérifier dans {folder} : indiquez-le, par exemple "
            "verifier_devoir(\"module0_evaluation.ipynb\").")
    return candidates[0]


def check_assignment(notebook: str | Path, namespace: dict | None = None) -> Report:
    """What is missing in ``notebook`` (as saved) and, if ``namespace`` is given, which
    visible checks fail on the learner's variables."""
    path = Path(notebook)
    nb = nbformat.read(path, as_version=4)
    report = Report()
    heading = None
    for index, cell in enumerate(nb.cells, start=1):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            if meta.get("solution"):
                text = cell.source.strip()
                if not text or text == _TEXT_STUB or _TEXT_STUB in text:
                    report.open_answers.append(
                        f"{heading or 'Question ouverte'} : la réponse est vide. Double-cliquez sur la "
                        "cellule « VOTRE RÉPONSE ICI », écrivez votre réponse, puis enregistrez.")
            heading = _heading(cell.source) or heading
            continue
        if cell.cell_type != "code":
            continue
        for quiz_id in _QUIZ_CALL.findall(cell.source):
            report.quiz += _unanswered(quiz_id, path.parent, report)
        if meta.get("solution"):
            if not cell.source.strip() or any(m in cell.source for m in _STUB_MARKERS):
                report.exercises.append(f"{heading or f'cellule {index}'} : la cellule de réponse n'est pas "
                                        "encore écrite.")
        elif meta.get("grade") and namespace is not None:
            failure = _run_visible_checks(cell.source, namespace)
            if failure:
                report.checks.append(f"{_label(cell, f'cellule {index}')} : {failure}")
    if namespace is None:
        report.notes.append("Les vérifications visibles n'ont pas été relancées (pas de noyau Python).")
    report.notes.append("Vérification faite sur la dernière version enregistrée du notebook : "
                        "enregistrez (Ctrl+S) avant de vérifier.")
    return report


def _unanswered(quiz_id: str, folder: Path, report: Report) -> list[str]:
    try:
        quiz = load_quiz(quiz_id)
    except BankError as exc:
        report.notes.append(f"Quiz « {quiz_id} » introuvable : {exc}")
        return []
    try:
        saved = read_answers(answers_path(folder)).get(quiz_id, {})
    except CorruptAnswersFile:
        saved = {}
        report.notes.append("Le fichier de réponses est illisible : réexécutez la cellule du quiz.")
    missing = []
    total = len(quiz.questions)
    for number, q in enumerate(quiz.questions, start=1):
        try:
            answered = q.id in saved and is_answered(q, check_answer(q, saved[q.id], complete=False))
        except AnswerFormatError:
            answered = False
        if not answered:
            text = q.text if len(q.text) <= 90 else q.text[:89] + "…"
            missing.append(f"question {number}/{total} : {text}")
    return missing


def _run_visible_checks(source: str, namespace: dict) -> str | None:
    """Run a test cell without its hidden tests; None if it passes, else why not, in French."""
    visible = _HIDDEN.sub("", source)
    if "assert" not in visible:
        return None  # a grade cell of the quiz: nothing visible to check
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(compile(visible, "<vérifications visibles>", "exec"), namespace)
    except NameError as exc:
        return NOT_DEFINED.format(name=getattr(exc, "name", None) or exc)
    except AssertionError as exc:
        return str(exc).strip() or "une condition attendue n'est pas remplie."
    except Exception as exc:  # the learner's code raised: say which error, briefly
        return f"votre code lève une erreur {type(exc).__name__} ({exc})."
    return None


class AssignmentCheck:
    """The « Vérifier mon devoir » button and its French report."""

    def __init__(self, notebook: str | Path | None = None, namespace: dict | None = None):
        self.notebook = notebook
        self.namespace = namespace
        self.report: Report | None = None
        self.button = w.Button(description=BUTTON_LABEL, button_style="primary", icon="tasks",
                               tooltip="Lister ce qui manque encore dans ce devoir avant de le soumettre",
                               layout=w.Layout(width="auto"))
        self.result = w.HTML()
        self.button.on_click(lambda _b: self.check())
        self.box = w.VBox([self.button, self.result])

    def check(self) -> Report:
        try:
            path = Path(self.notebook) if self.notebook else find_notebook()
            namespace = self.namespace if self.namespace is not None else _kernel_namespace()
            self.report = check_assignment(path, namespace)
            self.result.value = self.report.html()
        except (OSError, ValueError) as exc:
            self.report = None
            self.result.value = f"<p role='alert'>Vérification impossible : {html.escape(str(exc))}</p>"
        return self.report

    def _ipython_display_(self) -> None:
        # Where widgets are not rendered (feedback page, saved view), a French line instead of
        # ipywidgets' « VBox(children=…) ».
        bundle = self.box._repr_mimebundle_()
        bundle["text/plain"] = (f"Bouton « {BUTTON_LABEL} » : exécutez cette cellule dans JupyterLab "
                                "pour lister ce qui manque avant de soumettre.")
        display(bundle, raw=True)


def _kernel_namespace() -> dict | None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()
    return shell.user_ns if shell is not None else None


def verifier_devoir(notebook: str | Path | None = None) -> AssignmentCheck:
    """The « Vérifier mon devoir » button of an assignment (its last cell)."""
    return AssignmentCheck(notebook)
