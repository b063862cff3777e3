"""The sandboxes forked from the template process (course/judge/zygote.py) isolate as much as
fresh ones: an unprivileged pool account, PID 1 of their own namespaces, no network, hidden
folders, no state of one copy in another, every process ended; and a copy run ahead
(course/judge/avance.py) is used only for exactly the same job on the same files.

Needs root (the template runs only there), like tests/test_hostile.py.
"""
from __future__ import annotations

import os
import pwd
import socket
import threading
import time
from pathlib import Path

import pytest

from course.judge import sandbox
from course.judge.avance import Ahead, claim
from course.judge.sandbox import POOL_SIZE, SANDBOX_ACCOUNT, Limits, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="le processus modèle ne sert qu'en root")


def job(code: str, *expressions: str) -> dict:
    return {"cells": [{"index": 0, "kind": "code", "source": code},
                      {"index": 1, "kind": "checks", "grade_id": "g",
                       "steps": [{"check": n, "expression": e} for n, e in enumerate(expressions)]}]}


def values(report) -> list:
    checks = report.records[1]["checks"]
    return [checks[str(n)] for n in range(len(checks))]


def pool_uids() -> set[int]:
    uids = set()
    for number in range(POOL_SIZE):
        try:
            uids.add(pwd.getpwnam(f"{SANDBOX_ACCOUNT}{number}").pw_uid)
        except KeyError:
            pass
    return uids


def processes_of(uids: set[int], marker: bytes) -> list[int]:
    """Processes of the pool's accounts running with ``marker`` in their command line (other
    sessions on the machine may be grading with the pool at the same time)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids and marker in Path(entry.path, "cmdline").read_bytes():
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass
    return found


def kept_under_tmp() -> set[str]:
    """Names in /tmp the sandbox shows because a path it keeps lives there (Python, the
    environment, the course: a checkout cloned under /tmp, as a CI's may be). Only those
    paths are brought back; everything else in /tmp stays hidden."""
    return {p.relative_to("/tmp").parts[0] for p in sandbox._needed_paths() if Path("/tmp") in p.parents}


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "copie"
    copy.mkdir()
    (copy / "donnees.txt").write_text("à moi", encoding="utf-8")
    return copy


def test_the_child_is_unprivileged_alone_and_offline(folder, tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    secret = tmp_path / "session"
    secret.mkdir()
    (secret / "cles.txt").write_text("clé", encoding="utf-8")
    report = run(job("import os, socket", "os.getuid()", "os.getpid()",
                     "len([p for p in os.listdir('/proc') if p.isdigit()])",
                     f"socket.socket().connect_ex(('127.0.0.1', {listener.getsockname()[1]}))",
                     "open('/proc/self/status').read().count('NoNewPrivs:\\t1')",
                     "os.readlink('/proc/self/ns/net')",
                     f"os.path.exists({str(secret / 'cles.txt')!r})",
                     "open('donnees.txt', encoding='utf-8').read()",
                     "sorted(os.listdir('/tmp'))"),
                 folder, hidden=[secret])
    listener.close()
    assert sandbox._template_instance is not None, "le processus modèle aurait dû servir"
    assert report.complete and report.isolation == "compte dédié"
    uid, pid, processes, connect, no_new_privs, net, sees_secret, own_file, tmp = values(report)
    assert uid in pool_uids() and uid != 0
    assert pid == 1, "la copie est le premier processus de son propre espace de PID"
    assert processes <= 3, "la copie voit les processus de la machine"
    assert connect != 0, "la copie atteint le réseau"
    assert no_new_privs == 1
    assert net != os.readlink("/proc/self/ns/net")
    assert sees_secret is False
    assert own_file == "à moi"
    private = [name for name in tmp if name not in kept_under_tmp()]
    assert len(private) == 1, f"le dossier temporaire ne montre que le dossier privé de cette copie : {tmp}"


def test_no_state_of_one_copy_reaches_another(folder, tmp_path):
    marks = ("import builtins, pandas, sys, os\n"
             "builtins.TRACE = pandas.TRACE = 'copie A'\n"
             "sys.modules['course'].TRACE = 'copie A'\n"
             "os.environ['TRACE'] = 'copie A'\n"
             "import time; time.sleep(3)\n")
    first = {}
    other = tmp_path / "autre"
    other.mkdir()
    thread = threading.Thread(target=lambda: first.update(report=run(job(marks, "os.getcwd()"), other)))
    thread.start()
    time.sleep(1)  # the first copy is running, its marks set
    report = run(job("import builtins, pandas, sys, os, random",
                     "hasattr(builtins, 'TRACE') or hasattr(pandas, 'TRACE') or hasattr(sys.modules['course'], 'TRACE')",
                     "os.environ.get('TRACE')", "sorted(os.listdir('/tmp'))", "random.random()"), folder)
    thread.join()
    again = run(job("import random", "random.random()"), folder)
    assert first["report"].complete and report.complete
    leaked, environment, temporary, drawn = values(report)
    assert leaked is False and environment is None
    assert len([name for name in temporary if name not in kept_under_tmp()]) == 1, temporary
    assert values(again)[0] != drawn, "chaque copie tire ses propres nombres au hasard"


def test_every_process_ends_even_when_the_copy_runs_past_its_time(folder):
    uids = pool_uids()
    started = time.monotonic()
    report = run(job("import subprocess, signal\n"
                     "subprocess.Popen(['sleep', '300.4217'], start_new_session=True)\n"
                     "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                     "while True:\n    pass\n"), folder, limits=Limits(wall_seconds=4, cell_seconds=1))
    assert report.timed_out
    assert time.monotonic() - started < 15
    assert processes_of(uids, b"300.4217") == [], "un processus a survécu à la correction"


def test_a_copy_run_ahead_is_used_only_for_the_same_job_on_the_same_files(folder):
    work = job("x = 41 + 1", "x")
    with Ahead(2) as ahead:
        ahead.start(work, folder, [], Limits())
        assert claim(job("x = 0", "x"), folder, [], Limits()) is None, "autre travail : pas de reprise"
        (folder / "donnees.txt").write_text("modifié", encoding="utf-8")
        assert claim(work, folder, [], Limits()) is None, "fichiers changés : pas de reprise"
        (folder / "donnees.txt").write_text("à moi", encoding="utf-8")
        taken = claim(work, folder, [], Limits())
        assert taken is not None and values(taken) == [42]
        assert claim(work, folder, [], Limits()) is None, "une exécution ne sert qu'une fois"
