"""What of a notebook's grade cells the sandbox may see, read from the trusted source.

A code test cell holds visible checks (plain ``assert`` statements the learner also has)
and, between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, hidden checks of the
form ``assert <expression> == <expected>, "message"`` (and assignments or imports that
prepare their inputs). Only ``<expression>`` goes into the sandbox; the expected value is whatever the same expression gives on the reference
solution, computed in a separate run. A quiz grade cell (a ``grade_question(...)`` call)
never goes into the sandbox at all: its key is used by the trusted side only.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ..solution_keys import QuestionKey, _literal_call

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"


# Statements a hidden part may hold besides its asserts: they prepare inputs and run in the
# sandbox, so they must never compute an expected value.
HIDDEN_SETUP = (ast.Assign, ast.AnnAssign, ast.Import, ast.ImportFrom)


class PlanError(ValueError):
    """A source notebook the judge cannot use as it is (an author's error, in French)."""


@dataclass(frozen=True)
class Check:
    expression: str      # evaluated in the sandbox, on the learner's variables
    message: str         # shown when the check fails
    hidden: bool
    authoring: str | None = None  # the full hidden assert, run on the reference only


@dataclass
class TestCell:
    grade_id: str
    points: float
    # In order: ("run", code) or ("check", index into checks).
    steps: list[tuple[str, Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


def cell_source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {})
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return meta if isinstance(meta, dict) else {}


def _segments(source: str, grade_id: str) -> list[tuple[bool, str]]:
    """(hidden?, text) pieces of a test cell, in order."""
    pieces, hidden, lines = [], False, []
    for line in source.splitlines():
        marker = line.strip()
        if marker in (BEGIN_HIDDEN, END_HIDDEN):
            if (marker == BEGIN_HIDDEN) == hidden:
                raise PlanError(f"cellule {grade_id} : marqueurs de tests cachés mal appariés.")
            pieces.append((hidden, "\n".join(lines)))
            hidden, lines = not hidden, []
        else:
            lines.append(line)
    pieces.append((hidden, "\n".join(lines)))
    return [(h, text) for h, text in pieces if text.strip()]


def _message(node: ast.Assert, grade_id: str) -> str:
    if node.msg is None:
        return "Une vérification n'est pas satisfaite."
    try:
        return str(ast.literal_eval(node.msg))
    except ValueError:
        raise PlanError(f"cellule {grade_id} : le message d'un assert doit être une chaîne littérale.") from None


def test_cell(grade_id: str, points: float, source: str) -> TestCell:
    """The steps of a code test cell; hidden checks keep only their left-hand side."""
    cell = TestCell(grade_id, points)
    for hidden, text in _segments(source, grade_id):
        try:
            tree = ast.parse(text)
        except SyntaxError as exc:
            raise PlanError(f"cellule {grade_id} : erreur de syntaxe ({exc.msg}, ligne {exc.lineno}).") from None
        for node in tree.body:
            if isinstance(node, ast.Assert):
                test = node.test
                if hidden:
                    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
                        raise PlanError(
                            f"cellule {grade_id} : un test caché doit être de la forme "
                            f"« assert expression == attendu, \"message\" » (trouvé : {ast.unparse(test)[:80]}).")
                    check = Check(ast.unparse(test.left), _message(node, grade_id), True,
                                  authoring=f"bool({ast.unparse(test)})")
                else:
                    check = Check(f"bool({ast.unparse(test)})", _message(node, grade_id), False)
                cell.steps.append(("check", len(cell.checks)))
                cell.checks.append(check)
            elif hidden and not isinstance(node, HIDDEN_SETUP):
                # Functions, loops and the like are how a reference implementation would slip in.
                raise PlanError(f"cellule {grade_id} : les tests cachés ne contiennent que des assert et des "
                                f"affectations ou imports préparant leurs entrées (trouvé : {ast.unparse(node)[:80]}).")
            else:
                cell.steps.append(("run", ast.unparse(node)))
    return cell


@dataclass
class NotebookPlan:
    """The trusted grading plan of one source notebook."""
    quiz: dict[str, QuestionKey] = field(default_factory=dict)
    tests: dict[str, TestCell] = field(default_factory=dict)
    manual: dict[str, float] = field(default_factory=dict)

    @property
    def grade_ids(self) -> set[str]:
        return set(self.quiz) | set(self.tests) | set(self.manual)


def read_plan(source_notebook: dict) -> NotebookPlan:
    """Read every grade cell of a trusted source notebook (a parsed .ipynb)."""
    plan = NotebookPlan()
    for cell in source_notebook.get("cells", []):
        meta = nbgrader_meta(cell)
        if not meta.get("grade"):
            continue
        grade_id, points, source = meta["grade_id"], float(meta.get("points", 0)), cell_source(cell)
        if meta.get("solution") or cell.get("cell_type") != "code":
            plan.manual[grade_id] = points
            continue
        call = _literal_call(source) if "grade_question" in source else None
        if call is not None:
            if float(call.get("points", 1)) != points:
                raise PlanError(f"cellule {grade_id} : {points:g} point(s) dans nbgrader, "
                                f"{float(call.get('points', 1)):g} dans grade_question.")
            plan.quiz[grade_id] = QuestionKey(grade_id, call["quiz_id"], call["question_id"], call["expected"],
                                              points, call.get("explanation"))
        else:
            plan.tests[grade_id] = test_cell(grade_id, points, source)
    return plan


def strip_solution_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def job_cells(notebook: dict, plan: NotebookPlan, reference: bool = False) -> list[dict]:
    """What the sandbox runs for a notebook: its code cells, with grade cells taken from the plan.

    ``notebook`` is the learner's copy (or, for the reference run, the source itself).
    A grade id is honoured once, at its first cell; a learner's cell that claims a
    grade id it does not have is run as ordinary code.
    """
    cells, seen = [], set()
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        grade_id = nbgrader_meta(cell).get("grade_id")
        owned = grade_id in plan.grade_ids and grade_id not in seen
        if owned:
            seen.add(grade_id)
        if owned and grade_id in plan.quiz:
            continue  # keys stay outside
        if owned and grade_id in plan.tests:
            test = plan.tests[grade_id]
            steps = []
            for kind, value in test.steps:
                if kind == "run":
                    steps.append({"run": value})
                else:
                    check = test.checks[value]
                    steps.append({"check": value, "expression": check.expression})
                    if reference and check.authoring:
                        steps.append({"check": f"auteur-{value}", "expression": check.authoring})
            cells.append({"index": index, "kind": "checks", "grade_id": grade_id, "steps": steps})
            continue
        source = cell_source(cell)
        cells.append({"index": index, "kind": "code",
                      "source": strip_solution_markers(source) if reference else source})
    return cells
