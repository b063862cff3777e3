"""A learner's side of grading speed (issue 15): submitting, and checking an assignment.

Builds a session (« formation session creer », « publier »), then a learner's folder with
the reference solution of every graded assignment typed in, and in the same run times:

- **submit**: the lab's way (nbgrader's server extension, the Assignments tab: a POST to a
  running Jupyter server) against the command line (``nbgrader submit``), R times each;
- **checking every assignment notebook**: nbgrader's Validate through the server extension
  (the lab's old « Validate » button: the whole notebook re-run in a fresh kernel) and from
  the command line (``nbgrader validate``), against the course's « Vérifier mon devoir »
  (``course.devoir.check_assignment``), timed inside the learner's kernel where it runs.

Prints medians per assignment and, as its last line, ``ratio: X.X`` (CLI submit over lab
submit). Loopback only; nothing is kept.

    .venv/bin/python benchmarks/learner_side.py [--modules=module0,module2] [--repetitions=3]
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from grading import learner_copy  # noqa: E402
from course.nbgrader_settings import command_env  # noqa: E402
from course.release import SOURCES, assignments  # noqa: E402

COURSE_ID = "banc-apprenant"
# Appended to a copy of the notebook once the learner's cells have run: the check as the
# button makes it, on the saved notebook and the kernel's variables, timed where it runs.
TIMED_CHECK = """
import json as _json, time as _time
from course.devoir import check_assignment as _check
_started = _time.perf_counter()
_report = _check({path!r}, get_ipython().user_ns)
print("CHRONO " + _json.dumps({{"secondes": _time.perf_counter() - _started, "complet": _report.complete,
                               "manque": _report.text()}}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LearnerServer:
    """A learner's Jupyter server with nbgrader's Assignments and Validate extensions, on loopback."""

    def __init__(self, folder: Path):
        self.port, self.token = free_port(), secrets.token_hex(16)
        command = [sys.executable, "-m", "jupyter", "server", "--no-browser", "--ip=127.0.0.1",
                   f"--port={self.port}", f"--ServerApp.root_dir={folder}",
                   "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.assignment_list': True,"
                   " 'nbgrader.server_extensions.validate_assignment': True}"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.process = subprocess.Popen(command, cwd=folder, env={**command_env(), "JUPYTER_TOKEN": self.token},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                self.request("GET", "api/status")
                return
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit("le serveur Jupyter de l'apprenant n'a pas démarré")
                time.sleep(0.3)
        raise SystemExit("le serveur Jupyter de l'apprenant ne répond pas")

    def request(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read() or b"null")

    def close(self) -> None:
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=30)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def cli(args: list[str], cwd: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=command_env(),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} a échoué :\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def check_in_kernel(notebook: Path, work: Path) -> dict:
    """Run the learner's cells in a kernel, then time « Vérifier mon devoir » there."""
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(TIMED_CHECK.format(path=str(notebook))))
    # The kernel's own notices (its TCP transport warning) are noise in a benchmark's output.
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(work)}},
                   allow_errors=True).execute(stderr=subprocess.DEVNULL)
    for output in nb.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith("CHRONO "):
                return json.loads(line[len("CHRONO "):])
    raise SystemExit(f"« Vérifier mon devoir » n'a rien mesuré dans {notebook.name}")


def main(argv: list[str]) -> int:
    chosen = [a.split("=", 1)[1] for a in argv if a.startswith("--modules=")]
    modules = chosen[0].split(",") if chosen else assignments()
    repetitions = int(next((a.split("=", 1)[1] for a in argv if a.startswith("--repetitions=")), "3"))
    root = Path(tempfile.mkdtemp(prefix="banc-apprenant-"))
    server = None
    try:
        session, learner = root / "session", root / "apprenant"
        quiet = dict(cwd=root, env=command_env(), check=True, capture_output=True)
        formation = [sys.executable, "-m", "course.formation.cli", "--session", str(session)]
        subprocess.run([*formation, "session", "creer", "--cours", COURSE_ID], **quiet)
        subprocess.run([*formation, "publier", *modules], **quiet)
        learner.mkdir()
        shutil.copy(session / "config_apprenant.py", learner / "nbgrader_config.py")
        for module in modules:  # as fetched, then finished: solution typed in, quiz and open question answered
            learner_copy(session / "release" / module, SOURCES / module, "juste", learner / module)
            for notebook in (learner / module).glob("*.ipynb"):
                nb = nbformat.read(notebook, as_version=4)
                for cell in nb.cells:
                    if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
                        cell.source = "Réponse rédigée par l'apprenant fictif du banc d'essai."
                nbformat.write(nb, notebook)
        print(f"Côté apprenant : {', '.join(modules)} ; {repetitions} essai(s) par mesure ; "
              f"{os.cpu_count()} cœur(s)", flush=True)
        server = LearnerServer(learner)
        body = lambda m: {"assignment_id": m, "course_id": COURSE_ID}  # noqa: E731
        lab, line = [], []
        print("Soumission (médiane par devoir) :")
        for module in modules:
            by_lab = [timed(lambda: server.request("POST", "assignments/submit", body(module)))
                      for _ in range(repetitions)]
            by_cli = [timed(lambda: cli(["submit", module, f"--course={COURSE_ID}"], learner))
                      for _ in range(repetitions)]
            lab += by_lab
            line += by_cli
            print(f"  {module} : onglet Assignments {statistics.median(by_lab):.2f} s, "
                  f"ligne de commande {statistics.median(by_cli):.2f} s", flush=True)
        deposits = list((root / "session-echange" / COURSE_ID / "inbound").iterdir())
        if len(deposits) != 2 * repetitions * len(modules):
            raise SystemExit(f"{len(deposits)} dépôts trouvés, {2 * repetitions * len(modules)} attendus")
        print("Vérification d'un devoir terminé (médiane par notebook) :")
        totals = {"lab": 0.0, "cli": 0.0, "bouton": 0.0}
        for module in modules:
            for notebook in sorted((learner / module).glob("*.ipynb")):
                relative = str(notebook.relative_to(learner))
                found = {}
                by_lab = statistics.median(
                    timed(lambda: found.update(server.request("POST", "assignments/validate", {"path": relative})))
                    for _ in range(repetitions))
                problems = {k: v for k, v in (found.get("value") or {}).items() if k != "passed"}
                if not found.get("success") or problems:  # a finished notebook must validate cleanly
                    raise SystemExit(f"Validate de nbgrader refuse la solution de {relative} : {found}"[:3000])
                by_cli = statistics.median(timed(lambda: cli(["validate", str(notebook)], learner))
                                           for _ in range(repetitions))
                checks = [check_in_kernel(notebook, learner / module) for _ in range(repetitions)]
                if not all(c["complet"] for c in checks):
                    raise SystemExit(f"« Vérifier mon devoir » trouve la solution de {notebook.name} incomplète :\n"
                                     + next(c["manque"] for c in checks if not c["complet"]))
                by_button = statistics.median(c["secondes"] for c in checks)
                totals["lab"] += by_lab
                totals["cli"] += by_cli
                totals["bouton"] += by_button
                print(f"  {relative} : Validate de nbgrader {by_lab:.2f} s (extension du serveur), "
                      f"{by_cli:.2f} s (ligne de commande) ; « Vérifier mon devoir » {by_button * 1000:.0f} ms",
                      flush=True)
        print(f"Tous les devoirs : Validate {totals['lab']:.1f} s (extension) / {totals['cli']:.1f} s (ligne "
              f"de commande), « Vérifier mon devoir » {totals['bouton'] * 1000:.0f} ms")
        print(f"Soumission, médiane : onglet Assignments {statistics.median(lab):.2f} s, ligne de commande "
              f"{statistics.median(line):.2f} s")
        print(f"ratio: {statistics.median(line) / statistics.median(lab):.1f}")
        return 0
    finally:
        if server is not None:
            server.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
