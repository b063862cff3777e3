"""Where the course finds its data files, installed or from a source checkout."""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The course data folder.

    A wheel ships the repository's ``data/`` inside the package as ``_data``; an
    editable install (``make lab``) reads the repository's ``data/`` directly.
    ``COURSE_DATA_DIR`` overrides both (tests use it to load broken banks).
    """
    override = os.environ.get("COURSE_DATA_DIR")
    if override:
        return Path(override)
    shipped = _PACKAGE_DIR / "_data"
    if shipped.is_dir():
        return shipped
    return _PACKAGE_DIR.parent / "data"


def data_file(name: str) -> Path:
    """Path of a data file, with a French error if it does not exist."""
    path = data_dir() / name
    if not path.exists():
        raise FileNotFoundError(
            f"Fichier de données introuvable : {path}. "
            "Vérifiez que le cours est installé (commande « make lab »)."
        )
    return path
