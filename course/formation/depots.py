"""Collect that trusts nothing: deposits copied from the exchange without following a link.

A deposit is a folder that ``nbgrader submit`` lays in the exchange's inbound folder,
owned by the learner who made it. Everything in it is hostile until proven otherwise,
and ``formation`` often runs as root: each entry is opened relative to its folder with
``O_NOFOLLOW`` and checked on the open descriptor (no race between check and copy).
A deposit holding a link, a hard link, a device, a pipe, a file too large or too many
files goes to quarantine with a French reason, and is never collected again.
"""
from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DEPOSIT_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 200
MAX_DEPTH = 3
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S.%f %Z", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S %Z")


class Refused(Exception):
    """Why a deposit cannot be collected (French)."""


@dataclass(frozen=True)
class Deposit:
    path: Path
    learner: str
    assignment: str
    stamp: str
    owner_uid: int

    @property
    def when(self) -> datetime | None:
        for fmt in TIMESTAMP_FORMATS:
            try:
                return datetime.strptime(self.stamp, fmt)
            except ValueError:
                continue
        return None


def deposits(inbound: Path, assignment: str) -> list[Deposit]:
    """Every entry of ``inbound`` named ``learner+assignment+timestamp[+…]``, examined with lstat."""
    found = []
    if not inbound.is_dir():
        return found
    for entry in sorted(os.scandir(inbound), key=lambda e: e.name):
        parts = entry.name.split("+")
        if len(parts) < 3 or parts[1] != assignment:
            continue
        found.append(Deposit(Path(entry.path), parts[0], parts[1], parts[2],
                             entry.stat(follow_symlinks=False).st_uid))
    return found


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "un lien symbolique"
    if stat.S_ISFIFO(mode):
        return "un tube nommé (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "un périphérique"
    if stat.S_ISSOCK(mode):
        return "une socket"
    return "un fichier spécial"


def _open_dir(name: str, dir_fd: int | None) -> int:
    try:
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError as exc:
        raise Refused(f"dossier « {name} » illisible ou remplacé par un lien ({exc.strerror})") from None


def _copy_tree(dir_fd: int, target: Path, owner_uid: int, budget: list[int], depth: int, where: str) -> None:
    if depth > MAX_DEPTH:
        raise Refused(f"dossiers imbriqués trop profondément ({where})")
    target.mkdir(mode=0o700)
    for name in sorted(os.listdir(dir_fd)):
        budget[1] += 1
        if budget[1] > MAX_ENTRIES:
            raise Refused(f"plus de {MAX_ENTRIES} fichiers dans le dépôt")
        shown = f"{where}{name}"
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if info.st_uid != owner_uid:
            raise Refused(f"« {shown} » appartient à un autre compte que l'auteur du dépôt")
        if stat.S_ISDIR(info.st_mode):
            if name == ".ipynb_checkpoints":
                continue  # Jupyter's own backups: not part of the work
            sub = _open_dir(name, dir_fd)
            try:
                _copy_tree(sub, target / name, owner_uid, budget, depth + 1, shown + "/")
            finally:
                os.close(sub)
            continue
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"« {shown} » est {_kind(info.st_mode)}")
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
        except OSError as exc:
            raise Refused(f"« {shown} » illisible ({exc.strerror})") from None
        with os.fdopen(fd, "rb") as source:
            opened = os.fstat(source.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise Refused(f"« {shown} » a changé de nature pendant la collecte")
            if opened.st_nlink > 1:
                raise Refused(f"« {shown} » est un lien physique vers un autre fichier")
            if opened.st_size > MAX_FILE_BYTES:
                raise Refused(f"« {shown} » pèse {opened.st_size // (1024 * 1024)} Mo "
                              f"(maximum {MAX_FILE_BYTES // (1024 * 1024)} Mo)")
            budget[0] += opened.st_size
            if budget[0] > MAX_DEPOSIT_BYTES:
                raise Refused(f"dépôt de plus de {MAX_DEPOSIT_BYTES // (1024 * 1024)} Mo")
            fd_out = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd_out, "wb") as copy:
                # Reads at most what fstat announced (+1 to notice a file still growing).
                data = source.read(opened.st_size + 1)
                if len(data) > opened.st_size:
                    raise Refused(f"« {shown} » grossissait pendant la collecte")
                copy.write(data)


def copy_deposit(deposit: Deposit, target: Path) -> None:
    """Copy ``deposit`` into ``target`` (which must not exist), or raise Refused."""
    info = os.lstat(deposit.path)
    if not stat.S_ISDIR(info.st_mode):
        raise Refused(f"le dépôt est {_kind(info.st_mode)}, pas un dossier")
    fd = _open_dir(str(deposit.path), None)
    try:
        if os.fstat(fd).st_uid != deposit.owner_uid:
            raise Refused("le dépôt a changé de propriétaire pendant la collecte")
        try:
            _copy_tree(fd, target, deposit.owner_uid, [0, 0], 0, "")
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
    finally:
        os.close(fd)
