"""Learner versions: generated from solutions/, up to date, and free of any answer key."""
import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import compute_checksum

from course.answers_store import ANSWERS_FILENAME
from course.clean_repo import clean_notebook_text
from course.release import RELEASES, SOURCES, ReleaseError, assignments, generate
from course.solution_keys import read_keys

REPO = Path(__file__).resolve().parent.parent
SOURCE_NOTEBOOKS = sorted(SOURCES.glob("*/*.ipynb"))
# What the course gives learners; a learner's own files there (answers, checkpoints) are not.
LEARNER_FILES = sorted(p for root in (RELEASES, REPO / "data", REPO / "course")
                       for p in root.rglob("*") if p.is_file()
                       and not {"__pycache__", ".ipynb_checkpoints"} & set(p.parts)
                       and not p.name.startswith(Path(ANSWERS_FILENAME).stem))


def learner_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in LEARNER_FILES)


def release_files(folder: Path) -> set[Path]:
    """The files of a release folder, without a learner's own (answers, checkpoints)."""
    stem = Path(ANSWERS_FILENAME).stem
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()
            and not {".ipynb_checkpoints", "__pycache__"} & set(p.relative_to(folder).parts)
            and not p.name.startswith(stem)}


def as_git_sees_it(path: Path) -> str:
    """A released file through the nbstripout filter: a learner's run and save change nothing."""
    text = path.read_text(encoding="utf-8")
    return clean_notebook_text(text) if path.suffix == ".ipynb" else text


def committed(path: Path) -> str | None:
    shown = subprocess.run(["git", "show", f"HEAD:{path.relative_to(REPO).as_posix()}"], cwd=REPO,
                           capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else None


@pytest.mark.nbgrader
def test_exercises_are_up_to_date(tmp_path):
    for assignment in assignments():
        fresh = generate(assignment, tmp_path)
        released = RELEASES / assignment
        assert release_files(fresh) == release_files(released), (
            f"exercises/{assignment} n'a pas les mêmes fichiers que sa source : lancez « make exercices ».")
        for name in release_files(fresh):
            want, path = (fresh / name).read_text(encoding="utf-8"), released / name
            # If a learner wrote in the released copy, the committed version is what counts.
            assert want in (as_git_sees_it(path), committed(path)), (
                f"exercises/{assignment}/{name} n'est plus à jour : lancez « make exercices ».")


def test_stray_answers_file_in_a_source_is_refused(tmp_path):
    sources = tmp_path / "solutions"
    shutil.copytree(SOURCES, sources)
    assignment = assignments()[0]
    (sources / assignment / ANSWERS_FILENAME).write_text("{}", encoding="utf-8")
    with pytest.raises(ReleaseError, match="Génération refusée .* fichier\\(s\\) de réponses dans la source"):
        generate(assignment, tmp_path / "sortie", sources=sources)
    assert not (tmp_path / "sortie").exists()


def test_no_answers_file_in_solutions_on_disk_or_in_git():
    on_disk = sorted(str(p.relative_to(REPO)) for p in SOURCES.rglob("reponses_quiz*"))
    assert not on_disk, f"fichier(s) de réponses dans solutions/ : {on_disk} (ils seraient distribués à tous)"
    tracked = subprocess.run(["git", "ls-files", "solutions", "exercises"], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    assert not [t for t in tracked if Path(t).name.startswith("reponses_quiz")]


def test_every_graded_question_has_a_key_in_its_source():
    from course.bank import load_all
    keyed = {(k.quiz_id, k.question_id) for nb in SOURCE_NOTEBOOKS for k in read_keys(nb)}
    graded = {(quiz.id, q.id) for quiz in load_all() if quiz.mode == "graded" for q in quiz.questions}
    assert graded == keyed, "chaque question notée doit avoir exactement un corrigé dans solutions/"


def test_learner_material_holds_no_solution_marker():
    text = learner_text()
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "grade_question(", "expected="):
        found = [str(p.relative_to(REPO)) for p in LEARNER_FILES if p.suffix == ".ipynb"
                 and marker in p.read_text(encoding="utf-8")]
        assert not found, f"« {marker} » dans le matériel apprenant : {found}"
    assert "### BEGIN" not in "".join(p.read_text(encoding="utf-8") for p in RELEASES.rglob("*.ipynb"))
    assert text  # the scan did read something


def encodings(value) -> set[str]:
    """Ways a key could be smuggled into a file: as written, as JSON, base64, hex, usual hashes."""
    forms = {json.dumps(value, ensure_ascii=False), json.dumps(value), repr(value), str(value)}
    out = set()
    for form in forms:
        raw = form.encode("utf-8")
        out |= {form, base64.b64encode(raw).decode(), raw.hex()}
        out |= {hashlib.new(name, raw).hexdigest() for name in ("md5", "sha1", "sha256")}
    return out


@pytest.mark.parametrize("source", SOURCE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_no_key_in_any_form_in_learner_material(source):
    text = learner_text()
    for key in read_keys(source):
        for form in encodings(key.expected):
            # Bare choice ids (« b ») or booleans are too short to search as text; their
            # encodings and hashes are not, and the checksum test below covers them too.
            if len(form) >= 6:
                assert form not in text, f"corrigé de {key.question_id} présent sous la forme {form!r}"
        if key.explanation:
            assert key.explanation[:60] not in text, f"explication de {key.question_id} présente"


@pytest.mark.parametrize("source", SOURCE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_release_checksums_do_not_hash_the_hidden_tests(source):
    # nbgrader stores an md5 of each grade cell; if it were computed on the source with
    # its hidden test, trying the few possible answers would reveal the key.
    solution = nbformat.read(source, as_version=4)
    released = (RELEASES / source.parent.name / source.name).read_text(encoding="utf-8")
    graded = [c for c in solution.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded
    for cell in graded:
        assert compute_checksum(cell) not in released, (
            f"la somme de contrôle de la cellule {cell.metadata.nbgrader.grade_id} trahit son test caché")


def released_copy(tmp_path: Path) -> tuple[Path, str]:
    target = tmp_path / "exercises"
    assignment = assignments()[0]
    shutil.copytree(RELEASES / assignment, target / assignment)
    return target, assignment


def test_generation_keeps_a_learners_files(tmp_path):
    target, assignment = released_copy(tmp_path)
    folder = target / assignment
    answers = folder / ANSWERS_FILENAME
    answers.write_text('{"format": 1, "quizzes": {}}', encoding="utf-8")
    checkpoint = folder / ".ipynb_checkpoints" / "x-checkpoint.ipynb"
    checkpoint.parent.mkdir()
    checkpoint.write_text("{}", encoding="utf-8")
    notebook = next(folder.glob("*.ipynb"))
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("Partie 1", "Partie un"), encoding="utf-8")
    generate(assignment, target)
    assert answers.read_text(encoding="utf-8") == '{"format": 1, "quizzes": {}}' and checkpoint.exists()
    assert "Partie un" not in notebook.read_text(encoding="utf-8"), "le notebook de la version doit être régénéré"


@pytest.mark.parametrize("work", ["run", "written"])
def test_generation_refuses_to_overwrite_a_learners_notebook(tmp_path, work):
    target, assignment = released_copy(tmp_path)
    notebook = next((target / assignment).glob("*.ipynb"))
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if work == "run":
            cell.execution_count = 1
        elif cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "editions = None  # mon travail"
    nbformat.write(nb, notebook)
    before = notebook.read_bytes()
    with pytest.raises(ReleaseError, match="contient le travail d'un apprenant.*Rien n'a été modifié.*travail/"):
        generate(assignment, target)
    assert notebook.read_bytes() == before
