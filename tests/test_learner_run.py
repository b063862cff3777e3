"""Assignments as a learner runs them: top to bottom without a traceback, French lines for
unfinished exercises and visible checks, and « Vérifier mon devoir »."""
import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course.devoir import AssignmentCheck, check_assignment
from course.release import RELEASES, SOURCES, assignments
from learners import (OPEN_ANSWER, QUIZ, RIGHT_CODE, SOURCE, WRONG_CODE, fill_notebook, right_answers,
                      save_quiz)

ENGLISH = ("Traceback", "NotImplementedError", "Success", "Error")


def run(notebook, history=None):
    """Run a notebook as JupyterLab's kernel would (a history file) or as a grader (in memory)."""
    nb = nbformat.read(notebook, as_version=4)
    extra = [f"--HistoryManager.hist_file={history}"] if history else []
    NotebookClient(nb, timeout=120, kernel_name="python3", extra_arguments=extra,
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    return nb


def outputs(cell, kind):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == kind)


def by_id(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.notebooks
@pytest.mark.parametrize("assignment", assignments())
def test_released_assignment_runs_top_to_bottom_with_french_lines(assignment, tmp_path):
    copy = tmp_path / assignment
    shutil.copytree(RELEASES / assignment, copy)
    for notebook in sorted(copy.glob("*.ipynb")):
        nb = run(notebook, tmp_path / "historique.sqlite")  # raises if any cell ends in error
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert not [o for c in code for o in c.outputs if o.output_type == "error"]
        answer_cells = [c for c in code if c.metadata.get("nbgrader", {}).get("solution")]
        assert answer_cells and all("Exercice à compléter" in outputs(c, "stdout") for c in answer_cells)
        checks = [c for c in code if c.metadata.get("nbgrader", {}).get("grade") and "assert" in c.source]
        assert checks and all(outputs(c, "stderr").startswith("Exercice à compléter : « ") for c in checks)
        every_text = "".join(outputs(c, k) for c in code for k in ("stdout", "stderr"))
        assert not [word for word in ENGLISH if word in every_text]
        quiz_cell = next(c for c in code if "evaluation(" in c.source)
        assert any("réexécutez cette cellule" in o.get("data", {}).get("text/html", "") for o in quiz_cell.outputs)
        last = code[-1].outputs
        assert last and "Vérifier mon devoir" in last[0]["data"]["text/plain"], (
            "la dernière cellule de code doit afficher « Vérifier mon devoir »")


@pytest.mark.notebooks
def test_visible_checks_say_what_passes_and_what_fails_and_the_run_goes_on(tmp_path):
    right, wrong = tmp_path / "juste", tmp_path / "faux"
    for folder, code in ((right, RIGHT_CODE), (wrong, WRONG_CODE)):
        shutil.copytree(RELEASES / "module0", folder)
        fill_notebook(folder, code)
    nb = run(right / SOURCE.name, tmp_path / "h1.sqlite")
    for grade_id in ("test-editions", "test-concertations", "test-jalons-par-annee"):
        assert outputs(by_id(nb, grade_id), "stdout").startswith("✓ "), grade_id
        assert not outputs(by_id(nb, grade_id), "stderr")
    nb = run(wrong / SOURCE.name, tmp_path / "h2.sqlite")
    failed = outputs(by_id(nb, "test-editions"), "stderr")
    assert failed.startswith("✗ Vérification non réussie : ") and "Traceback" not in failed
    assert not outputs(by_id(nb, "test-editions"), "stdout")
    assert by_id(nb, "verifier-devoir").outputs, "l'exécution doit aller jusqu'à la dernière cellule"


@pytest.mark.notebooks
def test_a_grading_kernel_keeps_errors_as_errors(tmp_path):
    # nbclient (nbgrader, nbval) runs kernels with an in-memory history: no French handler there.
    copy = tmp_path / "module0"
    shutil.copytree(RELEASES / "module0", copy)
    with pytest.raises(CellExecutionError, match="NameError"):
        run(copy / SOURCE.name)


# --- « Vérifier mon devoir » ---------------------------------------------------------

def learner_namespace(code: str | None) -> dict:
    namespace = {}
    exec("import pandas as pd\nfrom course.paths import data_file\n"
         "jalons = pd.read_csv(data_file('jalons_doctrine.csv'), parse_dates=['date'])\n", namespace)
    if code:
        exec(code, namespace)
    return namespace


def write_open_answer(cell):
    if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
        cell.source = OPEN_ANSWER


def test_check_lists_everything_missing_in_a_blank_assignment(tmp_path):
    folder = tmp_path / "module0"
    shutil.copytree(RELEASES / "module0", folder)
    report = check_assignment(folder / SOURCE.name, learner_namespace(None))
    assert len(report.quiz) == len(QUIZ.questions) and report.quiz[0].startswith("question 1/")
    assert len(report.exercises) == 1 and "Partie 2" in report.exercises[0]
    assert len(report.checks) == 3 and all("Exercice à compléter" in c for c in report.checks)
    assert len(report.open_answers) == 1
    assert not report.complete
    assert "Votre devoir n'est pas terminé" in report.text()
    assert "Success" not in report.text() + report.html() and "✓" not in report.html()


def test_check_of_a_partly_done_assignment(tmp_path):
    folder = tmp_path / "module0"
    shutil.copytree(RELEASES / "module0", folder)
    answers = right_answers()
    save_quiz(folder, dict(list(answers.items())[:3]))
    fill_notebook(folder, WRONG_CODE)
    report = check_assignment(folder / SOURCE.name, learner_namespace(WRONG_CODE))
    assert len(report.quiz) == len(QUIZ.questions) - 3
    assert not report.exercises
    assert any("editions ne doit contenir que des lignes de type" in c for c in report.checks), report.checks
    assert report.open_answers and not report.complete


def test_check_of_a_finished_assignment_never_says_success(tmp_path):
    folder = tmp_path / "module0"
    shutil.copytree(RELEASES / "module0", folder)
    save_quiz(folder, right_answers())
    fill_notebook(folder, RIGHT_CODE, edit=write_open_answer)
    check = AssignmentCheck(folder / SOURCE.name, learner_namespace(RIGHT_CODE))
    check.button.click()
    assert check.report.complete, check.report.text()
    assert "Rien ne manque" in check.result.value and "notées à la correction" in check.result.value
    assert "Success" not in check.result.value


def test_check_never_runs_hidden_tests(tmp_path):
    # In a source notebook the hidden tests are there: only the visible part may run.
    folder = tmp_path / "module0"
    shutil.copytree(SOURCES / "module0", folder)
    namespace = learner_namespace(RIGHT_CODE.replace('int((jalons["type"] == "concertation").sum())', "1"))
    report = check_assignment(folder / SOURCE.name, namespace)
    assert not report.checks, report.checks  # the hidden count check would fail
    assert "_reference" not in namespace


def visible_test_cells():
    for notebook in sorted(SOURCES.glob("*/*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution") and "assert" in visible:
                yield pytest.param(visible, id=f"{notebook.parent.name}/{meta['grade_id']}")


@pytest.mark.parametrize("visible", list(visible_test_cells()))
def test_every_visible_check_ends_with_a_french_success_line(visible):
    last = [line for line in visible.splitlines() if line.strip()][-1]
    assert last.startswith('print("✓ '), (
        "la partie visible d'une cellule de vérification se termine par print(\"✓ …\") : "
        "le message affiché quand ses vérifications passent")
