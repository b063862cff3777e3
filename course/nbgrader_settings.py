"""nbgrader settings that every course directory of this course must use.

Each one answers a trap measured on these machines (see ../shared/notes/VERIFIED.md):

- the learner's answers file must never be overwritten at autograde by a copy from
  the source folder (everyone would get the author's answers);
- feedback must not show hidden tests, nor IPython tracebacks quoting them (keys);
- a looping submission must not cost minutes per cell;
- keep the kernel transport on TCP (ipc made autograde fail here): nothing to set.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .answers_store import ANSWERS_FILENAME

CELL_TIMEOUT_SECONDS = 20
CODE_STUB = ('# VOTRE CODE ICI (remplacez ces deux lignes)\n'
             'print("Exercice à compléter : écrivez votre code dans cette cellule, puis exécutez-la.")')
TEXT_STUB = "VOTRE RÉPONSE ICI"

# nbgrader's Execute, which ran the grade cells in the learner's own kernel and trusted
# what they printed, is replaced by the judge (course/judge): grades decided outside.
AUTOGRADE_PREPROCESSORS = [
    "course.judge.preprocessor.JudgeExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
FEEDBACK_PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    # Titles, and once answers are released, right answers, explanations and marking schemes.
    "course.judge.retour.Correction",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
KERNEL_ARGUMENTS = [
    "--HistoryManager.hist_file=:memory:",
    # Minimal tracebacks: the error message only, never the source lines around it.
    "--InteractiveShell.xmode=Minimal",
    # ipykernel 7 warns on every start that TCP is unencrypted (on loopback, for a
    # throw-away grading kernel): noise in the trainer's terminal, hiding real problems.
    "--IPKernelApp.log_level=ERROR",
]


def configure(c, assignments) -> None:
    """Apply the course's settings to an nbgrader config object ``c``."""
    c.Autograde.exclude_overwriting = {name: [ANSWERS_FILENAME] for name in assignments}
    c.Autograde.autograde_preprocessors = list(AUTOGRADE_PREPROCESSORS)
    c.GenerateFeedback.preprocessors = list(FEEDBACK_PREPROCESSORS)
    # A French feedback page that wraps long lines and reads on a phone (course/templates).
    # Same name as nbgrader's: its API forces the name « feedback », our folder comes first.
    c.HTMLExporter.template_name = "feedback"
    c.GenerateFeedback.exporter_class = "course.judge.retour.FeedbackPage"
    c.HTMLExporter.extra_template_basedirs = [str(Path(__file__).resolve().parent / "templates")]
    c.Execute.extra_arguments = list(KERNEL_ARGUMENTS)
    c.Execute.timeout = CELL_TIMEOUT_SECONDS
    c.Execute.interrupt_on_timeout = True
    # Learners see French placeholders where solutions were removed.
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.text_stub = TEXT_STUB


def config_file_text(course_id: str, assignments) -> str:
    """The text of an ``nbgrader_config.py`` applying these settings."""
    return (
        "# Généré par le cours : réglages nbgrader sûrs (voir course/nbgrader_settings.py).\n"
        "from course.nbgrader_settings import configure\n\n"
        "c = get_config()  # noqa: F821 (fourni par nbgrader)\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"configure(c, {sorted(assignments)!r})\n"
    )


def command_env() -> dict[str, str]:
    """The current environment with this Python's ``bin`` folder first on PATH.

    nbgrader calls the ``alembic`` program by name when it opens a gradebook, and
    ``jupyter`` subcommands are found on PATH, so the virtual environment's ``bin``
    must be there even when the caller did not activate it (``make`` does not).
    """
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    return env
