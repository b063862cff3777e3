"""Every graded assignment through nbgrader: a learner who does everything right earns every
automatic point; a learner who hands in the blank release earns none."""
import re
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.answers_store import answers_path, write_answers
from course.nbgrader_settings import config_file_text
from course.release import SOURCES, assignments
from course.solution_keys import correct_answers, read_keys
from learners import nbgrader

pytestmark = pytest.mark.nbgrader
MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def reference_code(source_cell) -> str:
    return "\n".join(line for line in source_cell.source.splitlines() if not MARKER.match(line))


def automatic_points(notebook) -> dict[str, float]:
    return {c.metadata.nbgrader.grade_id: float(c.metadata.nbgrader.points) for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata.nbgrader.get("solution")}


@pytest.mark.parametrize("assignment", assignments())
def test_right_and_blank_learners(assignment, tmp_path):
    course = tmp_path / "cours"
    shutil.copytree(SOURCES / assignment, course / "source" / assignment)
    (course / "nbgrader_config.py").write_text(config_file_text("essai", [assignment]), encoding="utf-8")
    nbgrader("generate_assignment", assignment, "--force", cwd=course)
    released = course / "release" / assignment
    expected = {}
    for learner in ("juste", "vide"):
        shutil.copytree(released, course / "submitted" / learner / assignment)
    right = course / "submitted" / "juste" / assignment
    for source_path in sorted((SOURCES / assignment).glob("*.ipynb")):
        source = nbformat.read(source_path, as_version=4)
        expected[source_path.stem] = automatic_points(source)
        by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in source.cells}
        learner_nb = nbformat.read(right / source_path.name, as_version=4)
        for cell in learner_nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("solution"):
                cell.source = reference_code(by_id[meta["grade_id"]])
        nbformat.write(learner_nb, right / source_path.name)
        write_answers(answers_path(right), correct_answers(read_keys(source_path)))
    nbgrader("autograde", assignment, cwd=course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "essai") as gb:
        for learner in ("juste", "vide"):
            for notebook in gb.find_submission(assignment, learner).notebooks:
                got = {g.name: g.score for g in notebook.grades if g.name in expected[notebook.name]}
                want = expected[notebook.name] if learner == "juste" else dict.fromkeys(expected[notebook.name], 0)
                assert got == pytest.approx(want), f"{assignment}/{notebook.name}, {learner}"
    # The points come from the judge (course/judge), not from the learner's kernel: each
    # autograded test cell carries the judge's verdict and nothing the learner printed.
    for learner, verdict in (("juste", "✓ Toutes les vérifications"), ("vide", "✗ Vérification")):
        for path in (course / "autograded" / learner / assignment).glob("*.ipynb"):
            for cell in nbformat.read(path, as_version=4).cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type == "code" and meta.get("grade") and "grade_question" not in cell.source:
                    text = "".join(o.get("text", "") for o in cell.outputs)
                    assert text.startswith(verdict), f"{learner}, {meta['grade_id']} : {text[:200]}"


HIDDEN = re.compile(r"^### BEGIN HIDDEN TESTS\s*$(.*?)^### END HIDDEN TESTS\s*$", re.M | re.S)


@pytest.mark.parametrize("source", sorted(SOURCES.glob("*/*.ipynb")), ids=lambda p: p.parent.name)
def test_hidden_code_tests_only_compare_an_expression_with_its_expected_value(source):
    """The judge evaluates each `assert <expression> == <expected>, "message"` of a hidden part on the
    learner's side and compares it with the reference on the trainer's side: nothing else may be there."""
    import ast

    for cell in nbformat.read(source, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or "grade_question(" in cell.source:
            continue
        for block in HIDDEN.findall(cell.source):
            for statement in ast.parse(block).body:
                where = f"{meta['grade_id']}, ligne « {ast.unparse(statement)[:80]} »"
                assert isinstance(statement, ast.Assert), f"{where} : seule une assertion est permise"
                test = statement.test
                assert isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq), \
                    f"{where} : la forme attendue est assert <expression> == <attendu>"
                assert isinstance(statement.msg, ast.Constant) and isinstance(statement.msg.value, str) \
                    and statement.msg.value, f"{where} : un message en français est obligatoire"
                ast.literal_eval(test.comparators[0])  # the expected value is plain data


@pytest.mark.parametrize("source", sorted(SOURCES.glob("*/*.ipynb")), ids=lambda p: p.parent.name)
def test_each_code_test_cell_has_a_hidden_check_that_cannot_be_guessed(source):
    """Visible checks run in the learner's process, so a learner can make them pass by hand; the points
    need every hidden value, and one of them at least must be more than true/false (docs/devoirs.md)."""
    import ast

    for cell in nbformat.read(source, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution") \
                or "grade_question(" in cell.source:
            continue
        expected = [ast.literal_eval(s.test.comparators[0]) for block in HIDDEN.findall(cell.source)
                    for s in ast.parse(block).body if isinstance(s, ast.Assert) and isinstance(s.test, ast.Compare)]
        assert any(not isinstance(value, bool) for value in expected), \
            f"{source.name}, {meta['grade_id']} : aucune vérification cachée hors vrai/faux"
