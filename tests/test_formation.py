"""The trainer's tool, `formation`: roster checks, French CLI, and a scripted session end to end.

The session has 14 simulated learners covering every bad case: wrong and partial
answers, syntax error, infinite loop, deleted and tampered grade cells, huge output,
damaged answers file, no notebook at all, a submission under another learner's name,
a submission from someone outside the roster, and a learner who never submitted.
Submissions are deposited in the exchange the way ``nbgrader submit`` lays them out,
owned by each learner's (fake) unix account; only the uid-to-name lookup is faked.
"""
from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from course.answers_store import ANSWERS_FILENAME
from course.formation import cli, integrity
from course.formation.roster import read_roster
from course.formation.session import load
from course.formation.errors import FormationError
from learners import (
    ASSIGNMENT, KEYS, PANDAS_POINTS, PARTLY_RIGHT_CODE, QUIZ_POINTS, RIGHT_CODE, WRONG_CODE,
    learner_copy, partial_answers, right_answers, wrong_answers,
)

QUIZ_MAX = sum(QUIZ_POINTS.values())
PANDAS_MAX = sum(PANDAS_POINTS.values())


# --- roster ----------------------------------------------------------------------------

def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding, separator", [("utf-8-sig", ";"), ("utf-8", ","), ("utf-8-sig", "\t")])
def test_roster_reads_french_spreadsheet_exports(tmp_path, encoding, separator):
    text = separator.join(["Identifiant", "Prénom", "Nom", "Courriel"]) + "\r\n"
    text += separator.join(["alice", "Alice", "Lefèvre", "alice@exemple.fr"]) + "\r\n"
    text += separator.join(["bruno", "Bruno", "Gaël", ""]) + "\r\n\r\n"
    learners, warnings = read_roster(write(tmp_path / "liste.csv", text, encoding))
    assert [(l.id, l.first_name, l.last_name, l.email) for l in learners] == [
        ("alice", "Alice", "Lefèvre", "alice@exemple.fr"), ("bruno", "Bruno", "Gaël", "")]
    assert warnings == []


def test_roster_windows_export_is_read_with_a_warning(tmp_path):
    learners, warnings = read_roster(write(tmp_path / "l.csv", "identifiant;nom\nalice;Lefèvre\n", "cp1252"))
    assert learners[0].last_name == "Lefèvre"
    assert "n'est pas en UTF-8" in warnings[0]


def test_roster_with_a_utf8_mark_but_windows_text_is_read_and_explained(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "identifiant;prenom;nom\nalice;Hélène;Lefèvre\n".encode("cp1252"))
    learners, warnings = read_roster(path)
    assert learners[0].id == "alice" and learners[0].last_name == "Lefèvre"
    assert "Encodage mélangé" in warnings[0] and "CSV UTF-8" in warnings[0]


def test_reimporting_a_roster_without_a_column_keeps_what_is_known(tmp_path, capsys):
    folder = tmp_path / "session"
    assert cli.main(["--session", str(folder), "session", "creer", "--cours", "essai-liste"]) == 0
    full = write(tmp_path / "complet.csv", "identifiant;prenom;nom;courriel\nalice;Alice;Lefèvre;a@exemple.fr\n")
    partial = write(tmp_path / "partiel.csv", "identifiant;nom\nalice;Lefèvre-Martin\n")
    assert cli.main(["--session", str(folder), "apprenants", "importer", str(full)]) == 0
    assert cli.main(["--session", str(folder), "apprenants", "importer", str(partial)]) == 0
    with load(folder).gradebook() as gb:
        alice = gb.find_student("alice")
        assert (alice.first_name, alice.last_name, alice.email) == ("Alice", "Lefèvre-Martin", "a@exemple.fr")


def test_roster_lists_every_bad_line_and_imports_nothing(tmp_path):
    text = ("identifiant;nom\nalice;A\n;B\nJean Dupont;C\nalice;D\nroot;E\nélodie;F\nx;y;z\n"
            + "a" * 33 + ";G\n")
    with pytest.raises(FormationError) as info:
        read_roster(write(tmp_path / "l.csv", text))
    message = str(info.value)
    assert "7 ligne(s) à corriger, rien n'a été importé" in message
    for expected in ("ligne 3 : identifiant vide", "ligne 4 : identifiant « Jean Dupont » refusé",
                     "ligne 5 : identifiant « alice » déjà utilisé ligne 2", "ligne 6 : identifiant « root »",
                     "ligne 7 : identifiant « élodie »", "ligne 8 : 3 valeur(s) pour 2 colonne(s)", "ligne 9 :"):
        assert expected in message


@pytest.mark.parametrize("text, expected", [
    ("", "est vide"),
    ("nom;prenom\nMartin;Alice\n", "colonne « identifiant » introuvable"),
    ("identifiant\n", "ne contient aucun apprenant"),
])
def test_roster_structural_errors(tmp_path, text, expected):
    with pytest.raises(FormationError, match=expected):
        read_roster(write(tmp_path / "l.csv", text))


# --- command line -----------------------------------------------------------------------

def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_help_and_errors_are_french(capsys, tmp_path):
    with pytest.raises(SystemExit):
        cli.main(["--aide"])
    out = capsys.readouterr().out
    assert out.startswith("Utilisation : formation") and "commandes" in out and "Déroulé type" in out
    with pytest.raises(SystemExit) as info:
        cli.main(["corriger"])
    assert info.value.code == 2
    assert "arguments obligatoires manquants : MODULE" in capsys.readouterr().err
    code, _, err = run_cli(capsys, "--session", tmp_path / "rien", "notes")
    assert code == 1 and "Aucune session dans" in err and "formation session creer" in err


# --- the scripted session -----------------------------------------------------------------

ROSTER = ["alice", "bruno", "chloe", "david", "emma", "farid", "gaelle", "hugo", "ines", "jules",
          "karim", "lea", "manon"]
UIDS = {name: 6000 + i for i, name in enumerate(ROSTER + ["zoe"])}


def huge_output(cell):
    if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") == "jalons-chargement":
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (21 * 1024 * 1024))]


def delete_grade_cells(nb_cell):
    # Marks the cells; fill() removes them (an edit callback cannot delete).
    if nb_cell.metadata.get("nbgrader", {}).get("grade_id") in (KEYS[0].grade_id, "test-editions"):
        nb_cell.metadata["supprimer"] = True


def tamper_grade_cell(cell):
    if cell.metadata.get("nbgrader", {}).get("grade_id") == KEYS[1].grade_id:
        cell.source = f"{KEYS[1].points}"  # « give me full marks »


def answer_open_question(cell):
    if cell.metadata.get("nbgrader", {}).get("grade_id") == "question-ouverte":
        cell.source = "La doctrine est le cadre technique et d'urbanisation ; la feuille de route, la stratégie…"


# learner: (quiz answers, code, notebook edit, raw answers file)
WORK = {
    "alice": (right_answers(), RIGHT_CODE, answer_open_question, None),
    "bruno": (wrong_answers(), WRONG_CODE, None, None),
    "chloe": (partial_answers()[0], PARTLY_RIGHT_CODE, None, None),
    "david": (right_answers(), "editions = jalons[\n", None, None),
    "emma": (right_answers(), "while True:\n    pass\n", None, None),
    "farid": (right_answers(), RIGHT_CODE, delete_grade_cells, None),
    "gaelle": (wrong_answers(), RIGHT_CODE, tamper_grade_cell, None),
    "hugo": (right_answers(), RIGHT_CODE, huge_output, None),
    "ines": (None, RIGHT_CODE, None, b"\x00\x01 pas du json"),
    "karim": (right_answers(), RIGHT_CODE, None, None),
    "lea": (wrong_answers(), WRONG_CODE, None, None),
}


def deposit(session, folder: Path, claimed: str, owner: str, when: datetime) -> Path:
    """Lay a submission in the exchange's inbound folder as `nbgrader submit` does, owned by `owner`."""
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    target = session.exchange / session.course_id / "inbound" / f"{claimed}+{ASSIGNMENT}+{stamp}+{secrets.token_hex(4)}"
    shutil.copytree(folder, target)
    (target / "timestamp.txt").write_text(stamp, encoding="utf-8")
    (target / "submission_secret.txt").write_text(secrets.token_hex(16), encoding="utf-8")
    for path in [target, *target.rglob("*")]:
        os.chown(path, UIDS[owner], UIDS[owner])
    return target


def prepare_copy(released: Path, folder: Path, learner: str) -> Path:
    answers, code, edit, raw = WORK[learner]
    learner_copy(released, folder, answers, code, edit)
    if raw is not None:
        (folder / ANSWERS_FILENAME).write_bytes(raw)
    notebook = next(folder.glob("*.ipynb"))
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if not c.metadata.pop("supprimer", False)]
    nbformat.write(nb, notebook)
    return folder


@pytest.fixture(scope="module")
def fake_accounts():
    names = {uid: name for name, uid in UIDS.items()}
    patch = pytest.MonkeyPatch()
    patch.setattr(integrity, "account_name", names.get)
    patch.setattr(integrity, "account_exists", lambda name: name in UIDS)
    yield
    patch.undo()


@pytest.fixture(scope="module")
def session_run(tmp_path_factory, fake_accounts):
    root = tmp_path_factory.mktemp("formation")
    folder = root / "session"
    log = {}

    def step(*args):
        code = cli.main(["--session", str(folder), *map(str, args)])
        log.setdefault(args[0], []).append(code)
        return code

    assert step("session", "creer", "--cours", "dns-test") == 0
    # A shorter cell timeout keeps the suite quick; the behaviour is the same.
    config = folder / "nbgrader_config.py"
    config.write_text(config.read_text(encoding="utf-8") + "c.Execute.timeout = 6\n", encoding="utf-8")
    roster = root / "apprenants.csv"
    roster.write_text("identifiant;prenom;nom\n" + "".join(f"{n};{n.title()};Fictif\n" for n in ROSTER),
                      encoding="utf-8-sig")
    assert step("apprenants", "importer", roster) == 0
    assert step("apprenants", "importer", roster) == 0  # idempotent
    assert step("publier", "0") == 0
    assert step("publier", "module0") == 0  # publishing twice does no harm
    session = load(folder)
    released = session.exchange / session.course_id / "outbound" / ASSIGNMENT

    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    copies = root / "copies"
    for i, learner in enumerate(WORK):
        deposit(session, prepare_copy(released, copies / learner, learner), learner, learner, t0 + timedelta(minutes=i))
    notes_only = copies / "jules"
    notes_only.mkdir()
    (notes_only / "mes_notes.txt").write_text("Je n'ai pas trouvé le notebook.", encoding="utf-8")
    deposit(session, notes_only, "jules", "jules", t0)
    # lea submits later under karim's name; zoe is not in the roster.
    deposit(session, prepare_copy(released, copies / "lea-as-karim", "lea"), "karim", "lea", t0 + timedelta(hours=1))
    deposit(session, prepare_copy(released, copies / "zoe", "bruno"), "zoe", "zoe", t0)

    assert step("collecter", "module0") == 0
    assert step("collecter", "module0") == 0  # nothing new: no harm
    submitted = {p.parent.name: {f.name: f.read_bytes() for f in p.iterdir()}
                 for p in (folder / "submitted").glob(f"*/{ASSIGNMENT}")}
    first_grading = step("corriger", "module0")
    return folder, submitted, first_grading, step


def grades(folder: Path, learner: str) -> dict[str, float]:
    with load(folder).gradebook() as gb:
        notebook = gb.find_submission(ASSIGNMENT, learner).notebooks[0]
        return {g.name: g.score for g in notebook.grades}


def test_impersonation_is_quarantined_and_the_genuine_submission_graded(session_run):
    folder, submitted, _, _ = session_run
    journal = json.loads((folder / "quarantaine" / "journal.json").read_text(encoding="utf-8"))
    reasons = {entry["claimed"]: entry["reason"] for entry in journal}
    assert reasons == {"karim": "déposée au nom de « karim » par l'apprenant « lea »",
                       "zoe": "« zoe » n'est pas un apprenant de la session"}
    assert all(Path(entry["moved_to"]).is_dir() for entry in journal), "rien n'est perdu"
    assert sum(grades(folder, "karim")[k.grade_id] for k in KEYS) == QUIZ_MAX, "la vraie copie de karim"
    assert sum(grades(folder, "lea")[k.grade_id] for k in KEYS) == 0
    assert "zoe" not in submitted


def autograded_total(folder: Path, learner: str) -> float:
    return round(sum(v for k, v in grades(folder, learner).items() if k != "question-ouverte"), 2)


def test_every_submission_is_graded_or_flagged_and_none_blocks_the_others(session_run, capsys):
    folder, _, first_grading, _ = session_run
    assert first_grading == 0
    partial_quiz = sum(partial_answers()[1].values())
    expected = {
        "alice": QUIZ_MAX + PANDAS_MAX, "bruno": 0, "chloe": partial_quiz + PANDAS_MAX - 1,
        "david": QUIZ_MAX, "emma": QUIZ_MAX, "gaelle": PANDAS_MAX, "hugo": QUIZ_MAX + PANDAS_MAX,
        "ines": PANDAS_MAX, "karim": QUIZ_MAX + PANDAS_MAX, "lea": 0,
        # Grade cells deleted by the learner are put back and graded: the judge reads the
        # answers file and the learner's variables, not the cells the learner kept.
        "farid": QUIZ_MAX + PANDAS_MAX,
    }
    for learner, total in expected.items():
        assert autograded_total(folder, learner) == pytest.approx(total, abs=0.02), learner


def test_flags_name_what_is_wrong(session_run, capsys):
    folder, _, _, step = session_run
    assert step("corriger", "module0") == 0
    out = capsys.readouterr().out
    lines = {line.split("] ", 1)[1].split(" :", 1)[0]: line for line in out.splitlines() if "] " in line}
    assert "cellule(s) de notation supprimée(s)" in lines["farid"] and "test-editions" in lines["farid"]
    assert "cellule(s) de notation modifiée(s)" in lines["gaelle"] and KEYS[1].grade_id in lines["gaelle"]
    assert "pèse 21 Mo" in lines["hugo"]
    assert "reponses_quiz.json illisible" in lines["ines"]
    assert "non corrigé" in lines["jules"] and "mes_notes.txt" in lines["jules"]
    assert "déjà à jour" in lines["alice"] and "(" not in lines["alice"]


def test_tampered_grade_cell_is_restored(session_run):
    folder, _, _, _ = session_run
    assert grades(folder, "gaelle")[KEYS[1].grade_id] == 0, "la cellule modifiée ne doit pas rapporter de points"


def test_originals_are_never_modified(session_run):
    folder, submitted, _, step = session_run
    step("corriger", "module0", "--tout")
    for learner, files in submitted.items():
        now = {f.name: f.read_bytes() for f in (folder / "submitted" / learner / ASSIGNMENT).iterdir()}
        assert now == files, f"soumission de {learner} modifiée"


def test_interrupted_grading_resumes_where_it_stopped(session_run, capsys):
    folder, _, _, step = session_run
    shutil.rmtree(folder / "autograded" / "bruno" / ASSIGNMENT)  # as if stopped before bruno
    capsys.readouterr()
    assert step("corriger", "module0") == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if ": corrigé" in line] == [
        line for line in out.splitlines() if "] bruno : corrigé" in line]
    assert "1 corrigé" in out


def test_feedback_and_grades_export(session_run, capsys):
    folder, _, _, step = session_run
    assert step("retours", "module0") == 0
    assert (folder / "feedback" / "alice" / ASSIGNMENT).is_dir()
    assert step("notes") == 0
    with (folder / "rapports" / "notes.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["identifiant"]: row for row in csv.DictReader(handle, delimiter=";")}
    assert set(rows) == set(ROSTER)
    assert rows["manon"]["module0 note"] == "", "pas de soumission : case vide"
    for learner in ("alice", "bruno", "karim"):
        assert float(rows[learner]["module0 note"].replace(",", ".")) == pytest.approx(
            sum(grades(folder, learner).values()), abs=0.01)
    sheet = load_workbook(folder / "rapports" / "notes.xlsx").active
    values = list(sheet.values)
    assert values[0][:4] == ("identifiant", "prenom", "nom", "module0 note")
    assert {row[0]: row[3] for row in values[1:]}["alice"] == pytest.approx(QUIZ_MAX + PANDAS_MAX)


def test_several_modules_in_one_command(session_run, capsys):
    folder, _, _, step = session_run
    session = load(folder)
    assert session.modules_named(["0", "Module2", "module0"], "corriger") == ["module0", "module2"]
    # « tous »: what each step has to work on; only module0 was published and collected here.
    assert session.modules_named(["tous"], "collecter") == ["module0"]
    assert session.modules_named(["tout"], "corriger") == ["module0"]
    assert session.modules_named(["tous"], "publier") == session.modules
    with pytest.raises(FormationError, match="Module « 9 » inconnu"):
        session.modules_named(["0", "9"], "corriger")
    capsys.readouterr()
    # module2 has nothing collected: it is reported, module0 is still handled, the exit code says it.
    assert step("corriger", "2", "0") == 1
    out, err = capsys.readouterr()
    assert "Aucune soumission collectée pour « module2 »" in err
    assert "— module0 —" in out and "déjà à jour" in out
    assert "1 devoir sur 2 sans problème ; à revoir : module2." in out
    assert step("corriger", "tous") == 0
    assert "Correction de « module0 »" in capsys.readouterr().out


def test_all_modules_of_an_empty_session_is_explained(tmp_path, capsys):
    folder = tmp_path / "session"
    assert cli.main(["--session", str(folder), "session", "creer", "--cours", "essai-vide"]) == 0
    capsys.readouterr()
    code, _, err = run_cli(capsys, "--session", folder, "corriger", "tous")
    assert code == 1 and "Aucune soumission collectée : lancez d'abord « formation collecter tous »." in err


# --- the report ---------------------------------------------------------------------------

def independent_concept_rates(folder: Path) -> dict[str, float]:
    """Concept success rates straight from the gradebook, the banks and data/taches.yaml."""
    import yaml
    from nbgrader.api import Gradebook

    repo = Path(__file__).resolve().parent.parent
    tags = {}
    for bank in (repo / "data" / "questions").glob("*.yaml"):
        for question in yaml.safe_load(bank.read_text(encoding="utf-8"))["questions"]:
            tags[question["id"]] = question["concepts"]
    by_cell = {k.grade_id: tags[k.question_id] for k in KEYS}
    tasks = yaml.safe_load((repo / "data" / "taches.yaml").read_text(encoding="utf-8"))
    by_cell.update({cell: task["concepts"] for cell, task in tasks[ASSIGNMENT].items()})
    earned, possible = {}, {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", "dns-test") as gb:
        for submission in gb.find_assignment(ASSIGNMENT).submissions:
            for grade in submission.notebooks[0].grades:
                if grade.needs_manual_grade:
                    continue
                for tag in by_cell[grade.name]:
                    earned[tag] = earned.get(tag, 0) + (grade.score or 0)
                    possible[tag] = possible.get(tag, 0) + grade.max_score
    return {tag: earned[tag] / possible[tag] for tag in possible}


def report_table(folder: Path, name: str) -> list[dict]:
    with (folder / "rapports" / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_report_figures_match_an_independent_computation(session_run):
    folder, _, _, step = session_run
    assert step("rapport") == 0
    rows = {r["notion"]: float(r["taux"].replace(",", ".")) for r in report_table(folder, "par_notions.csv")}
    expected = independent_concept_rates(folder)
    assert set(rows) == set(expected)
    for tag, rate in expected.items():
        assert rows[tag] == pytest.approx(rate, abs=1e-4), tag
    page = (folder / "rapports" / "rapport.html").read_text(encoding="utf-8")
    assert "À revoir en priorité" in page and "Les questions les plus manquées" in page
    assert (folder / "rapports" / "par_notion.png").stat().st_size > 1000
    # the weakest question's explanation and source are shown to the trainer
    weakest = min(report_table(folder, "par_questions.csv"), key=lambda r: float(r["taux"].replace(",", ".")))
    if weakest["explication"]:
        assert html_escape(weakest["explication"][:50]) in page


def html_escape(text: str) -> str:
    import html
    return html.escape(text)


def test_open_answers_wait_in_the_report_until_graded_by_hand(session_run):
    folder, _, _, step = session_run
    step("rapport")
    pending = report_table(folder, "a_corriger.csv")
    # Grade cells a learner deleted (farid) are put back and graded by the judge: nothing
    # automatic is left to the trainer, only written answers.
    assert sorted((r["apprenant"], r["cellule"]) for r in pending) == [("alice", "question-ouverte")]
    with load(folder).gradebook() as gb:  # what the trainer does in formgrader
        grade = gb.find_grade("question-ouverte", "module0_evaluation", ASSIGNMENT, "alice")
        grade.manual_score = 3
        grade.needs_manual_grade = False
        gb.db.commit()
    step("rapport")
    assert report_table(folder, "a_corriger.csv") == []
    alice = next(r for r in report_table(folder, "par_apprenants.csv") if r["apprenant"] == "alice")
    assert float(alice["points"].replace(",", ".")) == QUIZ_MAX + PANDAS_MAX + 3


def test_manual_grading_tool_opens_on_the_session(session_run):
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from test_lab import free_port

    folder, _, _, _ = session_run
    port, token = free_port(), secrets.token_hex(8)
    formation = Path(sys.executable).parent / "formation"
    process = subprocess.Popen(
        [str(formation), "--session", str(folder), "correction-manuelle", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1"], env=dict(os.environ, JUPYTER_TOKEN=token),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/formgrader/api/assignments",
                                         headers={"Authorization": f"token {token}"})
        deadline, body = time.monotonic() + 60, None
        while body is None and time.monotonic() < deadline and process.poll() is None:
            try:
                body = json.loads(urllib.request.urlopen(request, timeout=5).read())
            except OSError:
                time.sleep(0.5)
        assert body is not None, "l'outil de correction n'a pas démarré"
        submissions = {a["name"]: a["num_submissions"] for a in body}
        assert submissions[ASSIGNMENT] == len(WORK) + 1  # every learner's work, and jules' notes
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)



def test_session_is_private_and_its_exchange_beside_it(tmp_path, capsys):
    folder = tmp_path / "session"
    assert cli.main(["--session", str(folder), "session", "creer", "--cours", "essai-prive"]) == 0
    session = load(folder)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert session.exchange == tmp_path / "session-echange"
    assert session.exchange.stat().st_mode & 0o7777 == 0o1777
    inbound = session.exchange / "essai-prive" / "inbound"
    assert inbound.is_dir() and inbound.stat().st_mode & 0o777 == 0o733  # learners drop, never list
    code = cli.main(["--session", str(tmp_path / "autre"), "session", "creer", "--cours", "x",
                     "--echange", str(tmp_path / "autre" / "echange")])
    assert code == 1 and "ne peut pas être dans le dossier de la session" in capsys.readouterr().err
