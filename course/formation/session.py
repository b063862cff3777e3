"""A training session: an nbgrader course directory plus the tool's own records.

Layout of a session folder::

    formation.json        the session's settings (course id, exchange folder)
    nbgrader_config.py    nbgrader settings, with the course's safe defaults
    source/<module>/      the graded assignments, copied from the course's solutions/
    quarantaine/          submissions refused (another learner's name, ...)
    rapports/             grades and reports
"""
from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..nbgrader_settings import command_env, config_file_text
from ..release import SOURCES, assignments
from .errors import FormationError

SETTINGS_FILE = "formation.json"


@dataclass(frozen=True)
class Session:
    folder: Path
    course_id: str
    exchange: Path

    @property
    def quarantine(self) -> Path:
        return self.folder / "quarantaine"

    @property
    def reports(self) -> Path:
        return self.folder / "rapports"

    @property
    def modules(self) -> list[str]:
        return sorted(p.name for p in (self.folder / "source").iterdir() if p.is_dir())

    def module(self, name: str) -> str:
        """Accept « 0 », « module0 » or « Module0 » for the assignment module0."""
        candidate = name.strip().lower()
        if candidate.isdigit():
            candidate = f"module{candidate}"
        if candidate not in self.modules:
            raise FormationError(
                f"Module « {name} » inconnu dans cette session. Modules disponibles : {', '.join(self.modules)}.")
        return candidate

    def modules_named(self, names: list[str], step: str) -> list[str]:
        """The modules a step runs on: those named, or with « tous » (or « tout »), every module this step
        has something to work on (published, collected or graded), in order."""
        if [n.strip().lower() for n in names] not in (["tout"], ["tous"]):
            return list(dict.fromkeys(self.module(name) for name in names))
        ready = {"publier": lambda m: True,
                 "collecter": lambda m: (self.folder / "release" / m).is_dir(),
                 "corriger": lambda m: any((self.folder / "submitted").glob(f"*/{m}")),
                 "retours": lambda m: any((self.folder / "autograded").glob(f"*/{m}"))}[step]
        found = [m for m in self.modules if ready(m)]
        if not found:
            first = {"collecter": "Aucun devoir publié : lancez d'abord « formation publier tous » "
                                  "(ou un seul, par ex. « formation publier 0 »).",
                     "corriger": "Aucune soumission collectée : lancez d'abord « formation collecter tous ».",
                     "retours": "Aucune copie corrigée : lancez d'abord « formation corriger tous »."}
            raise FormationError(first[step])
        return found

    def api(self, corrige: bool = False):
        """nbgrader's Python API for this session (imported lazily: it is slow to import).

        ``corrige``: feedback generated now shows right answers and marking schemes."""
        _put_environment_on_path()
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.folder)).load_config()
        config.CourseDirectory.root = str(self.folder)
        config.Correction.corrige = corrige
        # nbconvert checks the whole notebook against its schema after each of nbgrader's
        # preprocessors (6 to 8 per copy); once, after the last, rejects the same notebooks.
        config.Exporter.optimistic_validation = True
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    @contextmanager
    def gradebook(self):
        _put_environment_on_path()
        from nbgrader.api import Gradebook
        with Gradebook(f"sqlite:///{self.folder / 'gradebook.db'}", self.course_id) as gb:
            yield gb


def _put_environment_on_path() -> None:
    # nbgrader's in-process API also runs « alembic » by name.
    os.environ["PATH"] = command_env()["PATH"]


def default_exchange(folder: Path) -> Path:
    """Beside the session, never inside: learners must reach the exchange, not the session."""
    return folder.resolve().with_name(f"{folder.resolve().name}-echange")


def create(folder: Path, course_id: str, exchange: Path | None = None) -> Session:
    """Create (or complete) a session folder; running it again changes nothing already there."""
    folder = folder.resolve()
    exchange = (exchange or default_exchange(folder)).resolve()
    if exchange == folder or folder in exchange.parents:
        raise FormationError(
            f"L'espace d'échange ({exchange}) ne peut pas être dans le dossier de la session : les apprenants "
            "doivent l'atteindre, et la session doit leur rester fermée. Choisissez un dossier à côté.")
    settings_path = folder / SETTINGS_FILE
    if settings_path.exists():
        existing = load(folder)
        if existing.course_id != course_id or existing.exchange != exchange:
            raise FormationError(
                f"{folder} contient déjà la session « {existing.course_id} » (échange : {existing.exchange}). "
                "Choisissez un autre dossier ou reprenez les mêmes paramètres.")
    if not course_id.replace("-", "").replace("_", "").isalnum():
        raise FormationError("L'identifiant du cours ne doit contenir que des lettres, chiffres, - et _.")
    folder.mkdir(parents=True, exist_ok=True)
    make_private(folder)
    for name in assignments():
        target = folder / "source" / name
        if not target.exists():
            shutil.copytree(SOURCES / name, target)
    prepare_exchange(exchange, course_id)
    (folder / "nbgrader_config.py").write_text(
        config_file_text(course_id, assignments()) + f"c.Exchange.root = {str(exchange)!r}\n", encoding="utf-8")
    if not settings_path.exists():
        settings = {"cours": course_id, "echange": str(exchange),
                    "creee_le": datetime.now().isoformat(timespec="seconds")}
        settings_path.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    learner_config = folder / "config_apprenant.py"
    learner_config.write_text(
        "# À copier dans ~/.jupyter/nbgrader_config.py de chaque apprenant (ou /etc/jupyter/).\n"
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n", encoding="utf-8")
    return load(folder)


def make_private(folder: Path) -> None:
    """The session (sources with their keys, gradebook, copies, reports) is the trainer's alone."""
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


# nbgrader's own modes for the course's folders in the exchange (see its release step):
# learners read outbound, drop into inbound without listing it, fetch feedback by name.
EXCHANGE_MODES = {"": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}


def prepare_exchange(exchange: Path, course_id: str) -> None:
    """Create the exchange and the course's folders in it before any learner can.

    The root is sticky and world-writable, like /tmp (owned by root when formation runs
    as root), so that nobody can move another's folder away; the course folder is made
    now because in a world-writable root a learner could otherwise create it first, own
    it, and collect the others' submissions.
    """
    if not exchange.exists():
        exchange.mkdir(parents=True)
    exchange.chmod(0o1777)
    course = exchange / course_id
    for name, mode in EXCHANGE_MODES.items():
        path = course / name if name else course
        if not path.exists():
            path.mkdir()
        if path.stat().st_uid != os.geteuid():
            raise FormationError(f"{path} appartient à un autre compte (uid {path.stat().st_uid}) : quelqu'un l'a "
                                 "créé avant la session. Supprimez-le, puis relancez « formation session creer ».")
        path.chmod(mode)


def load(folder: Path) -> Session:
    settings_path = folder / SETTINGS_FILE
    if not settings_path.exists():
        raise FormationError(
            f"Aucune session dans {folder.resolve()} : créez-la avec « formation session creer --cours ID » "
            "ou indiquez son dossier avec --session DOSSIER.")
    try:
        settings = json.loads(settings_path.read_text(encoding="utf-8"))
        make_private(folder.resolve())
        return Session(folder.resolve(), settings["cours"], Path(settings["echange"]))
    except (json.JSONDecodeError, KeyError) as exc:
        raise FormationError(f"{settings_path} est illisible ({exc}) : recréez la session.") from None
