"""The answers file of a graded assignment, kept next to its notebook.

It is what nbgrader collects with the notebook and what the grade cells read, so
writes are atomic (temporary file, flush, fsync, ``os.replace``) and a damaged file
is never overwritten: it is moved aside under a dated name and reported in French.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

ANSWERS_FILENAME = "reponses_quiz.json"
FORMAT_VERSION = 1
# A real answers file is a few kilobytes; anything far larger is an attack or an accident.
MAX_ANSWERS_BYTES = 1024 * 1024


class CorruptAnswersFile(ValueError):
    """The answers file exists but cannot be read as answers."""


def answers_path(folder: str | os.PathLike | None = None) -> Path:
    return Path(folder or os.getcwd()) / ANSWERS_FILENAME


def read_json_object(path: Path, key: str, max_bytes: int = MAX_ANSWERS_BYTES) -> dict[str, Any]:
    """The JSON object in ``path`` (``{}`` if absent), whose ``key`` must hold an object.

    Raises CorruptAnswersFile if the file is there but unreadable: a link, not a regular
    file, too large, not UTF-8 JSON, nested too deep, numbers too long, or of another
    shape. Never writes, never follows a link (the trainer's tools may read it as root).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CorruptAnswersFile(f"fichier refusé ({'lien symbolique' if os.path.islink(path) else exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise CorruptAnswersFile("ce n'est pas un fichier ordinaire")
        if info.st_size > max_bytes:
            raise CorruptAnswersFile(f"fichier trop gros ({info.st_size // 1024} Ko, maximum {max_bytes // 1024} Ko)")
        raw = handle.read(max_bytes + 1)
    try:
        content = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CorruptAnswersFile(f"contenu illisible ({exc.__class__.__name__})") from None
    if not isinstance(content, dict) or not isinstance(content.get(key), dict):
        raise CorruptAnswersFile(f"structure inattendue (clé « {key} » absente)")
    return content


def read_answers(path: Path) -> dict[str, dict[str, Any]]:
    """``{quiz id: {question id: answer}}`` from ``path``; empty if absent.

    Raises CorruptAnswersFile if the file is there but unreadable (see read_json_object).
    """
    content = read_json_object(path, "quizzes")
    if not content:
        return {}
    result = {}
    for quiz_id, entries in content["quizzes"].items():
        if not isinstance(entries, dict) or not all(isinstance(k, str) for k in entries):
            raise CorruptAnswersFile(f"structure inattendue pour le quiz « {quiz_id} »")
        result[quiz_id] = {
            qid: entry["answer"] for qid, entry in entries.items()
            if isinstance(entry, dict) and "answer" in entry
        }
    return result


def set_aside(path: Path) -> Path:
    """Move a damaged answers file to a dated name beside it and return that name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.illisible-{stamp}{path.suffix}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.illisible-{stamp}-{counter}{path.suffix}")
        counter += 1
    os.replace(path, target)
    return target


def write_answers(path: Path, answers: dict[str, dict[str, Any]]) -> None:
    """Write every quiz's answers atomically, readable by the trainer (mode 0644)."""
    now = datetime.now().isoformat(timespec="seconds")
    content = {
        "format": FORMAT_VERSION,
        "note": "Réponses enregistrées automatiquement par le quiz. Ne pas modifier ni supprimer.",
        "quizzes": {
            quiz_id: {qid: {"answer": answer, "saved_at": now} for qid, answer in entries.items()}
            for quiz_id, entries in answers.items()
        },
    }
    # The trainer's tools must be able to read it.
    write_json_atomically(path, content, mode=0o644)


def write_json_atomically(path: Path, content: dict[str, Any], mode: int = 0o600) -> None:
    """Write ``content`` as JSON: temporary file, flush, fsync, then ``os.replace``."""
    data = json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)  # mkstemp makes 0600 files
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
