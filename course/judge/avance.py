"""Copies run ahead in their sandboxes while nbgrader records the previous ones.

nbgrader's autograde works one copy at a time, and most of its time is its own (files,
gradebook, notebooks), not the learner's code. ``formation corriger`` therefore starts,
on spare cores, the sandbox runs that nbgrader's judge step (``JudgeExecute``) will ask
for next; the judge step then takes a run made ahead only if it is exactly the run it
would make — same job (the learner's cells, the checks' expressions), same submitted
files, same hidden folders and limits — and otherwise runs the copy itself. Every run is
the usual one (``sandbox.run``): one fresh sandbox per copy.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from .sandbox import Limits, RunReport, run

_lock = threading.Lock()
_ahead: dict[str, Future] = {}


def _files_digest(submission: Path, max_bytes: int) -> list:
    """What ``copy_regular_files`` would copy, by name and content digest."""
    found = []
    for entry in sorted(os.scandir(submission), key=lambda e: e.name):
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes:
            with open(entry.path, "rb") as handle:
                found.append([entry.name, hashlib.file_digest(handle, "sha256").hexdigest()])
        else:
            found.append([entry.name, None])
    return found


def key(job: dict, submission: Path, hidden: list, limits: Limits) -> str:
    described = [job, _files_digest(submission, limits.file_bytes), sorted(str(h) for h in hidden), asdict(limits)]
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def claim(job: dict, submission: Path, hidden: list, limits: Limits) -> RunReport | None:
    """The run made ahead for exactly this, if any (waiting for it to finish), else None."""
    with _lock:
        if not _ahead:
            return None
    wanted = key(job, submission, hidden, limits)
    with _lock:
        future = _ahead.pop(wanted, None)
    if future is None:
        return None
    try:
        return future.result()
    except Exception:  # the judge step runs it again itself
        return None


class Ahead:
    """A pool that runs copies ahead; ``with Ahead(workers) as ahead: ahead.start(...)``."""

    def __init__(self, workers: int):
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="juge-avance")
        self.mine: list[str] = []

    def start(self, job: dict, submission: Path, hidden: list, limits: Limits) -> None:
        wanted = key(job, submission, hidden, limits)
        with _lock:
            if wanted in _ahead:
                return
            _ahead[wanted] = self.pool.submit(run, job, submission, hidden=list(hidden), limits=limits)
        self.mine.append(wanted)

    def __enter__(self) -> "Ahead":
        return self

    def __exit__(self, *exc) -> None:
        with _lock:  # runs nobody took: drop them (their sandboxes end normally)
            for wanted in self.mine:
                future = _ahead.pop(wanted, None)
                if future is not None:
                    future.cancel()
        self.pool.shutdown(wait=True)
