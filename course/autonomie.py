"""Self-study: fetch an assignment, work on it, hand it in, and get a grade and a correction.

For a learner working alone with ``make lab``, without a trainer. It runs nbgrader's own
pipeline on a personal course folder (``generate_assignment`` once, then ``autograde``
and ``generate_feedback`` of the learner's copy, graded by the judge like any session),
so the grade is the one a trainer's session would give. The correction is shown at once,
with right answers and explanations: nobody else is graded here.

Where things are:
- the learner's copies: ``travail/<module>/`` in the course folder (git ignores it);
- the personal course: ``~/.local/share/cours-dns/autonomie/`` (or ``$COURS_DNS_DONNEES``),
  with each attempt kept under ``tentatives/<module>/<date>/``.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .nbgrader_settings import config_file_text
from .release import RELEASES, REPO, SOURCES, assignments
from .user_data import user_data_dir

LEARNER = "moi"
CORRECTION = "correction.html"
COURSE_ID = "autonomie"


class AutonomieError(RuntimeError):
    """What the learner must do, in French."""


def personal_folder() -> Path:
    folder = user_data_dir() / "autonomie"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def work_folder(module: str) -> Path:
    """The learner's copy of ``module``: ``travail/<module>`` (``$COURS_DNS_TRAVAIL`` in tests)."""
    return Path(os.environ.get("COURS_DNS_TRAVAIL") or REPO / "travail") / module


def _check_module(module: str) -> str:
    if module not in assignments():
        raise AutonomieError(f"Devoir « {module} » inconnu. Devoirs disponibles : {', '.join(assignments())}.")
    return module


def fetch(module: str) -> tuple[Path, bool]:
    """Copy the learner version into ``travail/<module>``; never overwrites work already there.

    Returns the folder and whether it was created now.
    """
    target = work_folder(_check_module(module))
    if target.exists():
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(RELEASES / module, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target, True


@dataclass(frozen=True)
class Attempt:
    module: str
    when: str
    score: float
    max_score: float
    feedback: Path

    def as_dict(self) -> dict:
        return {"module": self.module, "quand": self.when, "points": self.score, "sur": self.max_score,
                "retour": str(self.feedback)}


def _course(folder: Path) -> Path:
    """The personal nbgrader course, created (or brought up to date) from the course's sources."""
    course = folder / "cours"
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(config_file_text(COURSE_ID, assignments())
                                              + "c.Correction.corrige = True\n", encoding="utf-8")
    return course


def _api(course: Path):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    from .nbgrader_settings import command_env

    os.environ["PATH"] = command_env()["PATH"]
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _ok(result: dict, what: str) -> None:
    if not result.get("success"):
        lines = [line for line in (result.get("error") or result.get("log") or "").splitlines() if line.strip()]
        raise AutonomieError(f"{what} a échoué ({lines[-1][-200:] if lines else 'erreur inconnue'}). "
                             "Réessayez ; si l'erreur persiste, signalez-la à l'équipe du cours.")


def _copy_work(source: Path, target: Path) -> None:
    """The learner's files as nbgrader collects them: regular files only, no checkpoints."""
    target.mkdir(parents=True)
    for entry in os.scandir(source):
        if entry.name == CORRECTION:
            continue
        if stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
            shutil.copyfile(entry.path, target / entry.name)


def submit(module: str, folder: Path | None = None) -> Attempt:
    """Hand in ``travail/<module>``: grade it, write its correction, keep the attempt."""
    with warnings.catch_warnings():
        # nbgrader's gradebook makes SQLAlchemy warn about its own sessions: English noise
        # under the learner's « Rendre » button.
        warnings.filterwarnings("ignore", module=r"nbgrader\.api")
        return _submit(module, folder)


def _submit(module: str, folder: Path | None) -> Attempt:
    module = _check_module(module)
    work = work_folder(module)
    if not work.exists():
        raise AutonomieError(f"Rien à rendre : commencez par récupérer le devoir « {module} ».")
    folder = folder or personal_folder()
    course = _course(folder)
    source = course / "source" / module
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(SOURCES / module, source)
    api = _api(course)
    _ok(api.generate_assignment(module, force=True, create=True), "La préparation du devoir")
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    submitted = course / "submitted" / LEARNER / module
    if submitted.exists():
        shutil.rmtree(submitted)
    _copy_work(work, submitted)
    (submitted / "timestamp.txt").write_text(stamp, encoding="utf-8")
    _ok(api.autograde(module, LEARNER, force=True, create=True), "La correction")
    _ok(api.generate_feedback(module, LEARNER, force=True), "La préparation du retour")
    with _gradebook(course) as gb:
        submission = gb.find_submission(module, LEARNER)
        score, max_score = submission.score, submission.max_score
    label = now.astimezone().strftime("%Y-%m-%d_%Hh%Mm%Ss")
    attempt_folder = folder / "tentatives" / module / label
    number = 1
    while attempt_folder.exists():  # two submissions within a second: both kept, in order
        number += 1
        attempt_folder = folder / "tentatives" / module / f"{label}-{number:02d}"
    shutil.copytree(submitted, attempt_folder / "copie")
    feedback = next((course / "feedback" / LEARNER / module).glob("*.html"))
    shutil.copyfile(feedback, attempt_folder / "retour.html")
    # The correction next to the work, where JupyterLab can open it.
    shown = work / CORRECTION
    shutil.copyfile(feedback, shown)
    attempt = Attempt(module, now.astimezone().isoformat(timespec="seconds"), round(score, 2), round(max_score, 2),
                      shown)
    (attempt_folder / "resultat.json").write_text(json.dumps(attempt.as_dict(), ensure_ascii=False, indent=2),
                                                  encoding="utf-8")
    return attempt


def _gradebook(course: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID)


def attempts(module: str, folder: Path | None = None) -> list[dict]:
    """Every attempt at ``module``, oldest first."""
    base = (folder or personal_folder()) / "tentatives" / module
    found = []
    for result in sorted(base.glob("*/resultat.json")):
        try:
            found.append(json.loads(result.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return found
