"""The learner's own files outside the course repository: progress and self-assessment answers.

They live in the user's data folder (``$XDG_DATA_HOME/cours-dns``, by default
``~/.local/share/cours-dns``), never in the repository and never sent anywhere.
``COURS_DNS_DONNEES`` replaces that folder (tests use a temporary one), as for the personal
self-study course (course/autonomie.py), which keeps its files in the same folder.

Same discipline as the graded answers file (course/answers_store.py): atomic writes
(temporary file, flush, fsync, ``os.replace``), a damaged file is never overwritten but
moved aside under a dated name and reported in French.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .answers_store import CorruptAnswersFile, read_json_object, set_aside, write_json_atomically

FOLDER_NAME = "cours-dns"
EXPORTS_FOLDER = "bilans"
FORMAT_VERSION = 1
# These files hold a few kilobytes; anything far larger is an accident.
MAX_BYTES = 1024 * 1024


class CorruptUserFile(ValueError):
    """A file of the learner's data folder exists but cannot be read."""


def user_data_dir() -> Path:
    override = os.environ.get("COURS_DNS_DONNEES")
    if override:
        return Path(override)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / FOLDER_NAME


def read_json(path: Path, key: str) -> dict[str, Any]:
    """The JSON object stored in ``path`` (``{}`` if absent); its ``key`` must be an object.

    Raises CorruptUserFile if the file is a link, not a regular file, too large, not UTF-8
    JSON or not of the expected shape (the graded answers file's checks). Never writes.
    """
    try:
        return read_json_object(path, key, MAX_BYTES)
    except CorruptAnswersFile as exc:
        raise CorruptUserFile(str(exc)) from None


def read_or_set_aside(path: Path, key: str) -> tuple[dict[str, Any], str]:
    """``(content, notice)``: a damaged file is moved aside, and ``notice`` says so in French."""
    try:
        return read_json(path, key), ""
    except CorruptUserFile as exc:
        aside = set_aside(path)
        return {}, (f"Le fichier {path.name} était illisible ({exc}). Il a été mis de côté sous le nom "
                    f"{aside.name}, dans le même dossier, sans être effacé ; un nouveau fichier repart de zéro.")


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Write ``content`` atomically; the folder is created private to the user."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_json_atomically(path, content)


def export_dir() -> Path:
    """Where exports (self-assessment, attestation) are written for the learner to take away:
    ``travail/bilans/`` in a course checkout (``travail/`` is the learner's own folder, ignored by
    git, visible in JupyterLab; ``$COURS_DNS_TRAVAIL`` replaces it, as in course/autonomie.py),
    otherwise ``bilans/`` in the user's data folder."""
    override = os.environ.get("COURS_DNS_TRAVAIL")
    if override:
        return Path(override) / EXPORTS_FOLDER
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "notebooks").is_dir() and (checkout / "course").is_dir():
        return checkout / "travail" / EXPORTS_FOLDER
    return user_data_dir() / EXPORTS_FOLDER
