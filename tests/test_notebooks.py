"""Notebooks: committed clean, lessons and solutions run top to bottom in a fresh kernel."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course.answers_store import answers_path, write_answers
from course.release import SOURCES, assignments
from course.solution_keys import correct_answers, read_keys

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for folder in ("notebooks", "solutions", "exercises")
                   for p in (REPO / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))


def committed_text(notebook: Path) -> str:
    """The notebook as git stores it (the index; the nbstripout filter strips a learner's
    outputs on the way in), or the file itself if git does not track it yet."""
    staged = subprocess.run(["git", "show", f":{notebook.relative_to(REPO).as_posix()}"], cwd=REPO,
                            capture_output=True, text=True)
    return staged.stdout if staged.returncode == 0 else notebook.read_text(encoding="utf-8")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_is_committed_clean(notebook):
    content = json.loads(committed_text(notebook))
    assert "widgets" not in content.get("metadata", {}), "état des widgets enregistré dans le notebook"
    for index, cell in enumerate(content["cells"]):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"cellule {index} : sorties enregistrées"
            assert cell.get("execution_count") is None, f"cellule {index} : numéro d'exécution enregistré"


def nbval(*paths, cwd=REPO):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", *map(str, paths)],
        cwd=cwd, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout


def test_there_are_lessons():
    assert LESSONS, "aucune leçon dans notebooks/"


# One run per notebook, so that « -k » can select a lesson (e.g. -k module2).
@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: f"run-{p.stem}")
def test_lessons_run_top_to_bottom(lesson):
    output = nbval(lesson)
    assert " passed" in output


@pytest.mark.notebooks
@pytest.mark.parametrize("assignment", assignments())
def test_solutions_run_with_a_correct_answers_file(assignment, tmp_path):
    copy = tmp_path / assignment
    shutil.copytree(SOURCES / assignment, copy)
    for notebook in copy.glob("*.ipynb"):
        write_answers(answers_path(copy), correct_answers(read_keys(notebook)))
    nbval(*sorted(copy.glob("*.ipynb")), cwd=tmp_path)
