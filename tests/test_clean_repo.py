"""The repository stays clean while a learner uses it: running and saving every lesson and
assignment leaves `git status` clean, and neither the tests nor `make exercices` trip over
(or remove) a learner's files."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course.answers_store import ANSWERS_FILENAME, answers_path, write_answers
from jupyter_server.services.contents.filemanager import FileContentsManager

from course.clean_repo import ATTRIBUTES, install_git_filter, normalized_notebook_text, write_server_config
from course.release import RELEASES, SOURCES, assignments
from course.solution_keys import correct_answers, read_keys

REPO = Path(__file__).resolve().parent.parent
MARKER = "### "
HOOK = "course.clean_repo.pre_save_hook"


def git(*args, cwd) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def tracked_notebooks() -> list[Path]:
    return [REPO / p for p in git("ls-files", "*.ipynb", cwd=REPO).split()]


@pytest.mark.parametrize("notebook", tracked_notebooks(), ids=lambda p: str(p.relative_to(REPO)))
def test_notebooks_are_committed_in_the_filters_form(notebook):
    text = notebook.read_text(encoding="utf-8")
    assert normalized_notebook_text(text) == text, (
        f"{notebook.relative_to(REPO)} n'est pas dans la forme que garde le filtre git : "
        "lancez « .venv/bin/python -m course.clean_repo » puis validez.")


def test_git_filters_notebooks_and_ignores_learners_files():
    assert ATTRIBUTES in (REPO / ".gitattributes").read_text(encoding="utf-8")
    for path in ("travail/module0/module0_evaluation.ipynb", f"exercises/module0/{ANSWERS_FILENAME}",
                 "notebooks/.ipynb_checkpoints/module0_doctrine-checkpoint.ipynb"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO).returncode == 0, path


# --- a scripted learner session on a copy of the repository ----------------------------

def copy_of_the_repository(target: Path) -> Path:
    """The repository's files (committed or about to be) in a fresh git repository with the
    filter installed as `make lab` does."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", cwd=REPO).split("\n")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    git("init", "-q", cwd=target)
    git("config", "user.email", "test@example.org", cwd=target)
    git("config", "user.name", "Test", cwd=target)
    assert install_git_filter(target, sys.executable)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "cours", cwd=target)
    return target


def run_and_save_as_jupyterlab(notebook: Path, history: Path, repo: Path) -> None:
    """Execute a notebook in a learner's kernel and save it as JupyterLab does: through the
    Jupyter server's contents manager, configured as `make lab` configures it, with outputs,
    counts, kernel details, widget state and cell view metadata, after a checkpoint."""
    manager = FileContentsManager(root_dir=str(repo), pre_save_hook=HOOK)
    api_path = notebook.relative_to(repo).as_posix()
    manager.create_checkpoint(api_path)
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                   extra_arguments=[f"--HistoryManager.hist_file={history}"],
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    nb.metadata.kernelspec = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0}}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.outputs:
            cell.metadata["scrolled"] = True
            cell.metadata["execution"] = {"iopub.status.idle": "2026-12-01T10:00:00.000Z"}
    assert any(c.get("outputs") for c in nb.cells)
    manager.save({"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(nb))}, api_path)


def test_make_lab_registers_the_pre_save_hook(tmp_path):
    config = json.loads(write_server_config(tmp_path).read_text(encoding="utf-8"))
    assert config["ContentsManager"]["pre_save_hook"] == HOOK
    write_server_config(tmp_path)  # idempotent, keeps other settings
    assert json.loads((tmp_path / "etc/jupyter/jupyter_server_config.json").read_text())["ContentsManager"] == {
        "pre_save_hook": HOOK}


def answer_and_code(folder: Path, assignment: str, with_code: bool) -> None:
    """A learner's answers file (right answers) and, in a personal copy, their code."""
    for source_path in sorted((SOURCES / assignment).glob("*.ipynb")):
        write_answers(answers_path(folder), correct_answers(read_keys(source_path)))
        if not with_code:
            continue
        reference = {c.metadata.get("nbgrader", {}).get("grade_id"): c
                     for c in nbformat.read(source_path, as_version=4).cells}
        learner = nbformat.read(folder / source_path.name, as_version=4)
        for cell in learner.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("solution"):
                cell.source = "\n".join(line for line in reference[meta["grade_id"]].source.splitlines()
                                        if not line.lstrip().startswith(MARKER))
        nbformat.write(learner, folder / source_path.name)


@pytest.mark.notebooks
def test_a_learner_session_leaves_the_repository_clean(tmp_path):
    repo = copy_of_the_repository(tmp_path / "cours")
    history = tmp_path / "historique.sqlite"
    for lesson in sorted((repo / "notebooks").glob("*.ipynb")):
        run_and_save_as_jupyterlab(lesson, history, repo)
    for assignment in assignments():
        in_place = repo / "exercises" / assignment  # opened where it was released
        answer_and_code(in_place, assignment, with_code=False)
        personal = repo / "travail" / assignment  # the learner's own working copy
        shutil.copytree(RELEASES / assignment, personal)
        answer_and_code(personal, assignment, with_code=True)
        for notebook in [*in_place.glob("*.ipynb"), *personal.glob("*.ipynb")]:
            run_and_save_as_jupyterlab(notebook, history, repo)
    assert git("status", "--porcelain", "--untracked-files=all", cwd=repo) == ""

    personal = next((repo / "travail").rglob("*.ipynb"))
    assert any(c.get("outputs") for c in nbformat.read(personal, as_version=4).cells), (
        "la copie personnelle garde ses sorties")

    # `make exercices` regenerates its own files and keeps the learner's answers files.
    answers = {p: p.read_bytes() for p in (repo / "exercises").rglob(ANSWERS_FILENAME)}
    assert answers
    env = dict(os.environ, PYTHONPATH=str(repo))
    release = subprocess.run([sys.executable, "-m", "course.release"], cwd=repo, env=env,
                             capture_output=True, text=True)
    assert release.returncode == 0, release.stderr
    assert {p: p.read_bytes() for p in (repo / "exercises").rglob(ANSWERS_FILENAME)} == answers
    assert git("status", "--porcelain", cwd=repo) == ""

    # The learner's files do not make the repository's checks fail.
    checks = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_release.py",
         "tests/test_notebooks.py", "-k", "up_to_date or committed_clean or solution_marker or no_key"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert checks.returncode == 0, checks.stdout[-3000:] + checks.stderr[-2000:]
    assert git("status", "--porcelain", cwd=repo) == ""
