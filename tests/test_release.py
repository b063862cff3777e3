"""Learner versions: generated from solutions/, up to date, and free of any answer key."""
import base64
import filecmp
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import compute_checksum

from course.answers_store import ANSWERS_FILENAME
from course.release import RELEASES, SOURCES, ReleaseError, assignments, generate
from course.solution_keys import read_keys

REPO = Path(__file__).resolve().parent.parent
SOURCE_NOTEBOOKS = sorted(SOURCES.glob("*/*.ipynb"))
LEARNER_FILES = sorted(p for root in (RELEASES, REPO / "data", REPO / "course")
                       for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def learner_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in LEARNER_FILES)


@pytest.mark.nbgrader
def test_exercises_are_up_to_date(tmp_path):
    for assignment in assignments():
        fresh = generate(assignment, tmp_path)
        committed = RELEASES / assignment
        comparison = filecmp.dircmp(fresh, committed)
        assert not (comparison.left_only or comparison.right_only), (
            f"exercises/{assignment} n'a pas les mêmes fichiers que sa source : lancez « make exercices ».")
        for name in comparison.common_files:
            assert (fresh / name).read_bytes() == (committed / name).read_bytes(), (
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
