"""Grading speed: plain nbgrader against « formation », same submissions, same grades (issue 15).

For each N given (default 30 then 100), builds N simulated learners (right, wrong and
partly right answers and code, in turn) who each submit every graded assignment
(module0 to module4), deposited in two exchanges as ``nbgrader submit`` lays them; then
times, in the same run:

(a) the plain nbgrader commands a trainer would type: ``nbgrader collect`` and
    ``release_feedback`` per assignment, ``autograde`` and ``generate_feedback`` once for
    all (``"*"``), with nbgrader's stock
    Execute and feedback (the course's answers-file protection and timeouts kept);
(b) « formation »'s equivalent steps, each once for all the assignments: ``formation
    collecter``, ``corriger``, ``retours`` (the judge: every copy in its own sandbox).
    Its other steps (import the roster, publish, export grades, report) are timed too.

Then checks that every grade of every cell is identical in both gradebooks, and prints
seconds per submission, growth from one N to the next, peak memory (sum of PSS over each
command's processes, sampled), and as its last line ``ratio: X.X``: (a)'s time over
(b)'s at the first N.

    sudo .venv/bin/python benchmarks/grading.py [N ...] [--modules=module0,module2]
                                                            (« make bench »: 30 then 100)
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from course import evaluation  # noqa: E402
from course.bank import load_quiz  # noqa: E402
from course.judge.plan import nbgrader_meta, strip_solution_markers  # noqa: E402
from course.nbgrader_settings import command_env, config_file_text  # noqa: E402
from course.release import SOURCES, assignments  # noqa: E402
from course.solution_keys import correct_answers, read_keys  # noqa: E402
from learners import wrong_answer  # noqa: E402

KINDS = ("juste", "faux", "partiel")
COURSE_ID = "bench-dns"
PLAIN_PREPROCESSORS = """
# Plain nbgrader: its own Execute (grade cells run in the learner's kernel) and feedback.
from nbgrader.converters import Autograde, GenerateFeedback
c.Autograde.autograde_preprocessors = Autograde.class_traits()["autograde_preprocessors"].default()
c.GenerateFeedback.preprocessors = GenerateFeedback.class_traits()["preprocessors"].default()
c.GenerateFeedback.exporter_class = "nbconvert.exporters.HTMLExporter"
del c.HTMLExporter["extra_template_basedirs"]  # nbgrader's own feedback page
"""


# --- simulated learners ------------------------------------------------------------------

def _answers(source: Path, kind: str) -> tuple[str, dict]:
    keys = read_keys(source)
    quiz_id = keys[0].quiz_id
    quiz = load_quiz(quiz_id)
    right = correct_answers(keys)[quiz_id]
    if kind == "juste":
        return quiz_id, right
    wrong = {k.question_id: wrong_answer(quiz.question(k.question_id), k.expected) for k in keys}
    if kind == "faux":
        return quiz_id, wrong
    return quiz_id, {q: (right[q] if n % 2 == 0 else wrong[q]) for n, q in enumerate(right)}


def learner_copy(released: Path, source_folder: Path, kind: str, target: Path) -> Path:
    """The released assignment as a learner of this kind leaves it: quiz answered, code typed."""
    shutil.copytree(released, target)
    for source in sorted(source_folder.glob("*.ipynb")):
        solutions = [strip_solution_markers(c.source) for c in nbformat.read(source, as_version=4).cells
                     if nbgrader_meta(c).get("solution") and c.cell_type == "code"]
        if read_keys(source):
            quiz_id, answers = _answers(source, kind)
            quiz = evaluation(quiz_id, folder=target)
            for question_id, answer in answers.items():
                quiz.answer(question_id, answer)
        path = target / source.name
        nb = nbformat.read(path, as_version=4)
        code_cells = [c for c in nb.cells if nbgrader_meta(c).get("solution") and c.cell_type == "code"]
        for number, (cell, solution) in enumerate(zip(code_cells, solutions)):
            if kind == "juste" or (kind == "partiel" and number % 2 == 0):
                cell.source = solution
        nbformat.write(nb, path)
    return target


def deposit(exchange: Path, copy: Path, learner: str, module: str, when: datetime) -> None:
    """A submission in the exchange's inbound folder, laid out as ``nbgrader submit`` does."""
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    target = exchange / COURSE_ID / "inbound" / f"{learner}+{module}+{stamp}+{secrets.token_hex(4)}"
    shutil.copytree(copy, target)
    (target / "timestamp.txt").write_text(stamp, encoding="utf-8")
    (target / "submission_secret.txt").write_text(secrets.token_hex(16), encoding="utf-8")


# --- measuring ---------------------------------------------------------------------------

def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


class Run:
    """Time and peak memory of a series of commands."""

    def __init__(self, name: str):
        self.name, self.seconds, self.peak_kib, self.steps = name, 0.0, 0, {}

    def command(self, step: str, args: list[str], cwd: Path) -> None:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env=command_env(), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        done = threading.Event()

        def sample():
            while not done.wait(0.25):
                self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in _tree(process.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        output, _ = process.communicate()
        done.set()
        sampler.join()
        elapsed = time.perf_counter() - started
        self.seconds += elapsed
        self.steps[step] = self.steps.get(step, 0.0) + elapsed
        if process.returncode != 0:
            raise SystemExit(f"{self.name} : « {' '.join(args[-3:])} » a échoué ({process.returncode}) :\n"
                             f"{output[-3000:]}")


# --- the two sessions ----------------------------------------------------------------

def nbgrader(*args: str) -> list[str]:
    return [sys.executable, "-m", "nbgrader", *args]


def formation(session: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "course.formation.cli", "--session", str(session), *args]


def setup(root: Path, n: int, modules: list[str], steps: Run) -> tuple[Path, Path, list[str]]:
    """Both sessions, published, with every learner's submissions deposited in each exchange.
    « formation »'s own set-up steps (import the roster, publish) are timed in ``steps``."""
    learners = [f"apprenant{i:03d}" for i in range(1, n + 1)]
    session, plain = root / "session", root / "nbgrader"
    quiet = dict(cwd=root, env=command_env(), check=True, capture_output=True)
    subprocess.run(formation(session, "session", "creer", "--cours", COURSE_ID), **quiet)
    roster = root / "apprenants.csv"
    roster.write_text("identifiant;prenom;nom\n" + "".join(f"{l};{l.title()};Fictif\n" for l in learners),
                      encoding="utf-8")
    steps.command("importer", formation(session, "apprenants", "importer", str(roster)), root)
    steps.command("publier", formation(session, "publier", *modules), root)

    plain_exchange = root / "nbgrader-echange"
    (plain_exchange / COURSE_ID).mkdir(parents=True)
    plain_exchange.chmod(0o1777)
    plain.mkdir()
    (plain / "nbgrader_config.py").write_text(
        config_file_text(COURSE_ID, modules) + f"c.Exchange.root = {str(plain_exchange)!r}\n" + PLAIN_PREPROCESSORS,
        encoding="utf-8")
    exchange = Path(json.loads((session / "formation.json").read_text(encoding="utf-8"))["echange"])
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    for module in modules:
        shutil.copytree(SOURCES / module, plain / "source" / module)
        subprocess.run(nbgrader("generate_assignment", module, "--force"), **{**quiet, "cwd": plain})
        subprocess.run(nbgrader("release_assignment", module, "--force"), **{**quiet, "cwd": plain})
        released = session / "release" / module
        copies = {kind: learner_copy(released, SOURCES / module, kind, root / "copies" / module / kind)
                  for kind in KINDS}
        for number, learner in enumerate(learners):
            when = t0 + timedelta(seconds=number)
            for target in (exchange, plain_exchange):
                deposit(target, copies[KINDS[number % len(KINDS)]], learner, module, when)
    return session, plain, learners


def grades(folder: Path, modules: list[str], learners: list[str]) -> dict:
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", COURSE_ID) as gb:
        for module in modules:
            for learner in learners:
                submission = gb.find_submission(module, learner)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        found[(module, learner, notebook.name, grade.name)] = (
                            grade.score, grade.needs_manual_grade)
    return found


def measure(n: int, modules: list[str]) -> dict:
    root = Path(tempfile.mkdtemp(prefix=f"banc-correction-{n}-"))
    try:
        print(f"— {n} apprenants × {len(modules)} devoirs : préparation…", flush=True)
        other = Run("formation")  # its steps that the comparison leaves out
        session, plain, learners = setup(root, n, modules, other)
        a, b = Run("nbgrader"), Run("formation")
        # (a) What a trainer types with nbgrader alone. Exchange commands take one assignment
        # each; autograde and generate_feedback take them all at once ("*"), which spares
        # nbgrader's start-up between assignments: the baseline at its quickest.
        for module in modules:
            a.command("collect", nbgrader("collect", module), plain)
        a.command("autograde", nbgrader("autograde", "*"), plain)
        a.command("generate_feedback", nbgrader("generate_feedback", "*"), plain)
        for module in modules:
            a.command("release_feedback", nbgrader("release_feedback", module), plain)
        # (b) « formation »: each step once for every assignment.
        for step in ("collecter", "corriger", "retours"):
            b.command(step, formation(session, step, *modules), root)
        for step in ("notes", "rapport"):
            other.command(step, formation(session, step), root)
        ga, gb = grades(plain, modules, learners), grades(session, modules, learners)
        differences = sorted(k for k in set(ga) | set(gb) if ga.get(k) != gb.get(k))
        copies = n * len(modules)
        result = {"n": n, "copies": copies, "a": a, "b": b, "grades": len(ga), "differences": differences}
        print(f"  (a) nbgrader : {a.seconds:.1f} s, {a.seconds / copies:.2f} s par copie "
              f"({', '.join(f'{k} {v:.1f} s' for k, v in a.steps.items())}) ; mémoire de pointe {a.peak_kib / 1024:.0f} Mo")
        print(f"  (b) formation : {b.seconds:.1f} s, {b.seconds / copies:.2f} s par copie "
              f"({', '.join(f'{k} {v:.1f} s' for k, v in b.steps.items())}) ; mémoire de pointe {b.peak_kib / 1024:.0f} Mo")
        print(f"  chaque étape de formation pour {n} apprenants et {len(modules)} devoir(s) : "
              + ", ".join(f"{k} {v:.1f} s" for k, v in {**other.steps, **b.steps}.items()), flush=True)
        if differences:
            print(f"  NOTES DIFFÉRENTES ({len(differences)} sur {len(ga)}) :")
            for key in differences[:20]:
                print(f"    {key} : nbgrader {ga.get(key)}, formation {gb.get(key)}")
        else:
            print(f"  notes identiques : {len(ga)} notes de cellule sur {copies} copies")
        print(f"  rapport (a)/(b) : {a.seconds / b.seconds:.1f}", flush=True)
        return result
    finally:
        if os.environ.get("BANC_GARDER"):
            print(f"  dossiers gardés : {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv if a.isdigit()] or [30, 100]
    chosen = [a.split("=", 1)[1] for a in argv if a.startswith("--modules=")]
    modules = chosen[0].split(",") if chosen else assignments()
    from course.judge.sandbox import isolation_mode
    print(f"Banc de correction : {', '.join(modules)} ; isolement « {isolation_mode()} » ; "
          f"{os.cpu_count()} cœur(s)", flush=True)
    results = [measure(n, modules) for n in sizes]
    for before, after in zip(results, results[1:]):
        for side, label in (("a", "nbgrader"), ("b", "formation")):
            per_before = before[side].seconds / before["copies"]
            per_after = after[side].seconds / after["copies"]
            print(f"croissance {before['n']} → {after['n']} apprenants, {label} : temps ×"
                  f"{after[side].seconds / before[side].seconds:.2f} pour ×{after['n'] / before['n']:.2f} copies "
                  f"({per_before:.2f} → {per_after:.2f} s par copie)")
    failed = any(r["differences"] for r in results)
    first = results[0]
    print(f"ratio: {first['a'].seconds / first['b'].seconds:.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
