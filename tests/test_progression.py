"""Progress of practice quizzes (kept outside the repository) and the « attestation de suivi »."""
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from course import pratique, progress
from course.bank import load_all

REPO = Path(__file__).resolve().parent.parent


def right(q):
    """The answer a learner types or clicks to earn the point (short answers: the first accepted text)."""
    key = q.answer
    if isinstance(key, dict) and "accepted" in key:
        return key["accepted"][0]
    if isinstance(key, dict) and "value" in key:
        return str(key["value"])
    return key


def right_answer_everywhere(module=None):
    for quiz in load_all():
        if quiz.mode != "practice" or (module is not None and quiz.module != module):
            continue
        view = pratique(quiz.id)
        for q in quiz.questions:
            view.answer(q.id, right(q))
            view.check(q.id)


def test_checking_a_practice_question_keeps_its_latest_result(user_data_dir):
    quiz = pratique("m0-cadre")
    q = quiz.quiz.questions[0]
    wrong = next(c.id for c in q.choices if c.id != q.answer) if q.kind == "single" else None
    assert wrong is not None, "le test suppose une première question à choix unique"
    quiz.answer(q.id, wrong)
    quiz.check(q.id)
    path = user_data_dir / "progression.json"
    entry = json.loads(path.read_text(encoding="utf-8"))["questions"][q.id]
    assert (entry["quiz"], entry["module"], entry["resultat"]) == ("m0-cadre", 0, 0.0)
    quiz.answer(q.id, right(q))
    quiz.check(q.id)
    assert json.loads(path.read_text(encoding="utf-8"))["questions"][q.id]["resultat"] == 1.0
    assert not list(user_data_dir.glob(".progression-*.tmp"))


def test_the_lesson_text_still_says_nothing_is_graded():
    title = pratique("m1-mssante").box.children[1].value
    assert "Non noté" in title and "envoyé nulle part" in title


def test_progress_is_written_outside_the_repository_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("COURS_DNS_DONNEES")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    before = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=REPO,
                            capture_output=True, text=True).stdout
    quiz = pratique("m2-ins")
    q = quiz.quiz.questions[0]
    quiz.answer(q.id, right(q))
    quiz.check(q.id)
    path = tmp_path / ".local" / "share" / "cours-dns" / "progression.json"
    assert path.exists() and REPO not in path.resolve().parents
    assert progress.progress_path() == path
    after = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=REPO,
                           capture_output=True, text=True).stdout
    assert after == before


def test_a_corrupt_progress_file_is_set_aside_and_the_quiz_goes_on(user_data_dir):
    path = user_data_dir / "progression.json"
    path.write_bytes(b"\xff\xfe pas du JSON")
    quiz = pratique("m0-cadre")
    q = quiz.quiz.questions[0]
    quiz.answer(q.id, right(q))
    assert quiz.check(q.id) == 1.0
    assert "illisible" in quiz.progress_note.value and "mis de côté" in quiz.progress_note.value
    aside = list(user_data_dir.glob("progression.illisible-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"\xff\xfe pas du JSON"
    assert q.id in json.loads(path.read_text(encoding="utf-8"))["questions"]


def test_an_unwritable_progress_folder_does_not_break_the_quiz(user_data_dir, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission non accordée")
    monkeypatch.setattr(progress, "write_json", refuse)
    quiz = pratique("m0-cadre")
    q = quiz.quiz.questions[0]
    quiz.answer(q.id, right(q))
    assert quiz.check(q.id) == 1.0
    assert "non enregistrée" in quiz.progress_note.value


def test_summary_tells_lessons_done_scores_and_what_remains():
    right_answer_everywhere(module=1)
    modules = progress.summary()
    by_module = {m.module: m for m in modules}
    assert by_module[1].done and by_module[1].score == 1.0 and by_module[1].reached
    assert not by_module[0].done and by_module[0].checked == 0
    assert not progress.attestation_ready(modules)
    page = progress.progress_html(modules)
    assert "terminée" in page and "à faire" in page and "Ce qui reste" in page and "m0-cadre" in page
    with pytest.raises(ValueError, match="modules 0, 2, 3, 4"):
        progress.attestation_html("Camille Martin", modules)


def test_attestation_once_every_module_reaches_the_threshold(tmp_path):
    right_answer_everywhere()
    modules = progress.summary()
    assert progress.attestation_ready(modules)
    with pytest.raises(ValueError, match="nom"):
        progress.attestation_html("  ", modules)
    path = progress.write_attestation("Camille Martin", tmp_path, modules, issued=datetime(2026, 12, 1))
    page = path.read_text(encoding="utf-8")
    assert "Attestation de suivi" in page and "Camille Martin" in page and "Établie le 01/12/2026" in page
    for m in modules:
        assert f"Module {m.module} — {m.title}" in page
    assert page.count("100 %") == len(modules)
    assert datetime.now().strftime("%d/%m/%Y") in page  # dates of the latest activity
    assert "ni un diplôme" in page


def test_the_progress_widget_offers_the_attestation_only_when_ready(user_data_dir):
    view = progress.ma_progression()
    assert view.button.disabled and "sous le seuil" in view.box.children[2].value
    right_answer_everywhere()
    view = progress.ma_progression()
    assert not view.button.disabled
    view.name.value = "Camille Martin"
    view.button.click()
    assert "Attestation écrite" in view.result.value
    assert list((user_data_dir / "travail" / "bilans").glob("attestation_de_suivi_*.html"))


@pytest.mark.notebooks
def test_the_progress_notebook_runs_with_a_complete_record(user_data_dir):
    right_answer_everywhere()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         str(REPO / "notebooks" / "ma_progression.ipynb")],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
