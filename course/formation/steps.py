"""The session's steps: import learners, publish, collect, grade, send feedback, export grades.

Each step is safe to run again: it redoes nothing that is already done and up to date,
and an interrupted step picks up where it stopped.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..judge import JUDGE_FOLDER
from ..answers_store import ANSWERS_FILENAME, CorruptAnswersFile, read_answers
from ..release import stray_answers_files
from . import progress, speedups
from .errors import FormationError
from .integrity import Refusal, screen_and_collect
from .roster import Learner
from .session import Session

LARGE_NOTEBOOK_BYTES = 20 * 1024 * 1024
# nbgrader itself adds timestamp.txt and, since 0.9, submission_secret.txt.
EXPECTED_FILES = {ANSWERS_FILENAME, "timestamp.txt", "submission_secret.txt"}


def _checked(result: dict, what: str) -> dict:
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "").strip().splitlines()[-12:]
        raise FormationError(f"{what} a échoué :\n" + "\n".join(detail))
    return result


# --- learners ------------------------------------------------------------------------

def import_learners(session: Session, learners: list[Learner]) -> tuple[int, int]:
    """Add or update every learner; returns (added, updated)."""
    added = updated = 0
    with session.gradebook() as gb:
        known = {s.id for s in gb.students}
        for learner in learners:
            # Only the columns the file has: re-importing a list without « prenom » keeps the first names.
            fields = {"first_name": learner.first_name, "last_name": learner.last_name, "email": learner.email}
            gb.update_or_create_student(learner.id, **{k: v for k, v in fields.items() if v is not None})
            if learner.id in known:
                updated += 1
            else:
                added += 1
    return added, updated


def learner_ids(session: Session) -> set[str]:
    with session.gradebook() as gb:
        return {s.id for s in gb.students}


# --- publish, collect ----------------------------------------------------------------

def publish(session: Session, module: str) -> None:
    strays = stray_answers_files(session.folder / "source" / module)
    if strays:
        raise FormationError(
            f"Publication refusée : fichier(s) de réponses dans la source ({', '.join(p.name for p in strays)}). "
            "Il serait distribué à tous les apprenants ; supprimez-le puis relancez.")
    api = session.api()
    print(f"Génération de la version apprenant de « {module} »…", flush=True)
    _checked(api.generate_assignment(module, force=True, create=True), "La génération")
    print("Publication dans l'espace d'échange…", flush=True)
    from nbgrader.utils import capture_log, temp_attrs
    with temp_attrs(api.coursedir, assignment_id=module):
        app = api.exchange.ReleaseAssignment(coursedir=api.coursedir, authenticator=api.authenticator, parent=api)
        app.force = True  # publishing again replaces the same files: harmless, and picks up corrections
        _checked(capture_log(app), "La publication")
    print(f"« {module} » est publié : les apprenants peuvent le récupérer (onglet Assignments).")


def collect(session: Session, module: str) -> tuple[list[str], list[Refusal]]:
    roster = learner_ids(session)
    if not roster:
        raise FormationError("Aucun apprenant dans la session : importez la liste avec « formation apprenants importer ».")
    collected, refusals = screen_and_collect(session, module, roster)
    for refusal in refusals:
        print(f"  QUARANTAINE {refusal.submission} : {refusal.reason}", flush=True)
    progress.summary(f"Collecte de « {module} »",
                     {"soumission(s) nouvelle(s)": len(collected), "mise(s) en quarantaine": len(refusals),
                      "copie(s) en tout": len(submitted_learners(session, module))})
    return collected, refusals


def submitted_learners(session: Session, module: str) -> list[str]:
    base = session.folder / "submitted"
    return sorted(p.parent.name for p in base.glob(f"*/{module}") if p.is_dir()) if base.exists() else []


# --- grading --------------------------------------------------------------------------

@dataclass
class GradingOutcome:
    learner: str
    status: str  # « corrigé », « déjà à jour », « échec », « non corrigé »
    flags: list[str] = field(default_factory=list)


def _timestamp(folder: Path) -> str | None:
    stamp = folder / "timestamp.txt"
    try:
        return stamp.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def read_notebook(path: Path) -> dict | None:
    """A notebook nbgrader can work on, or None: any bytes may be in a submitted file."""
    import nbformat

    try:
        if path.is_symlink() or not path.is_file():
            return None
        notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(notebook)
        return notebook
    except Exception:  # JSON, encoding, depth, numbers, schema: all mean « unreadable »
        return None


def _grade_cells(content: dict, answer_cells: bool = True) -> dict[str, str]:
    """{grade id: source} of a notebook's grade cells.

    ``answer_cells=False`` leaves out manually graded answer cells, which are grade
    cells too but meant to be written in by the learner.
    """
    cells = {}
    for cell in content.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and (answer_cells or not meta.get("solution")):
            source = cell["source"]
            cells[meta["grade_id"]] = "".join(source) if isinstance(source, list) else source
    return cells


def inspect_submission(session: Session, module: str, folder: Path) -> tuple[list[str], bool]:
    """Problems worth telling the trainer, and whether the submission can be graded at all.

    An unreadable notebook is set aside and replaced by the blank released one, so the
    rest of the work (the quiz's answers file, the other notebooks) is still graded.
    """
    flags, source = [], session.folder / "source" / module
    notebooks = sorted(p.name for p in source.glob("*.ipynb"))
    present = {p.name for p in folder.iterdir()}
    missing = [n for n in notebooks if n not in present]
    if missing:
        flags.append(f"notebook(s) absent(s) : {', '.join(missing)}")
    extra = sorted(present - set(notebooks) - EXPECTED_FILES)
    if extra:
        flags.append(f"fichier(s) en plus, ignoré(s) : {', '.join(extra)}")
    if ANSWERS_FILENAME not in present:
        flags.append(f"pas de fichier {ANSWERS_FILENAME} : quiz noté 0")
    else:
        try:
            read_answers(folder / ANSWERS_FILENAME)
        except CorruptAnswersFile as exc:
            flags.append(f"{ANSWERS_FILENAME} illisible ({exc}) : quiz noté 0")
    for name in notebooks:
        path = folder / name
        if not path.exists():
            continue
        released_notebook = session.folder / "release" / module / name
        released = read_notebook(released_notebook)
        submitted = read_notebook(path)
        if submitted is None:
            aside = session.quarantine / module / "illisibles" / folder.parent.name
            aside.mkdir(parents=True, exist_ok=True)
            os.replace(path, aside / name)
            shutil.copyfile(released_notebook, path)
            flags.append(f"{name} n'est pas un notebook lisible : mis de côté ({aside / name}) et remplacé "
                         "par la version vierge (seuls le quiz et les autres fichiers rapportent des points)")
            continue
        if path.stat().st_size > LARGE_NOTEBOOK_BYTES:
            flags.append(f"{name} pèse {path.stat().st_size // (1024 * 1024)} Mo (sorties énormes ?)")
        cells = _grade_cells(submitted)
        removed = sorted(set(_grade_cells(released)) - set(cells))
        tests = _grade_cells(released, answer_cells=False)
        changed = sorted(g for g in tests if g in cells and cells[g].strip() != tests[g].strip())
        if removed:
            flags.append(f"cellule(s) de notation supprimée(s) dans {name}, rétablie(s) en fin de notebook : "
                         f"{', '.join(removed)}")
        if changed:
            flags.append(f"cellule(s) de notation modifiée(s) dans {name}, rétablie(s) à la correction : "
                         f"{', '.join(changed)}")
    return flags, len(missing) < len(notebooks)


def _judge_flags(session: Session, module: str, learner: str) -> list[str]:
    """What the judge noticed while running this learner's copy (see course/judge/preprocessor.py)."""
    flags = []
    folder = session.folder / JUDGE_FOLDER / "copies" / module / learner
    for path in sorted(folder.glob("*.json")):
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if info.get("temps_depasse"):
            flags.append(f"{info['notebook']} : temps maximal de correction dépassé, exécution arrêtée")
        if info.get("sortie_trop_grosse"):
            flags.append(f"{info['notebook']} : sorties démesurées, exécution arrêtée")
        if info.get("tronque"):
            flags.append(f"{info['notebook']} : sorties tronquées dans la copie corrigée")
    return flags


def _run_ahead(ahead, config, session: Session, module: str, learner: str) -> None:
    """Start this learner's sandbox runs on a spare core (see course/judge/avance.py)."""
    from ..judge.preprocessor import setting

    for source in sorted((session.folder / "source" / module).glob("*.ipynb")):
        try:
            import nbformat

            here = setting(config, module, learner, source.stem)
            path = here.submitted / source.name
            if path.is_file() and not path.is_symlink():
                # No schema check here (nbgrader makes it): a notebook read differently gives
                # another job, which the judge step then simply runs itself.
                notebook = nbformat.from_dict(json.loads(path.read_text(encoding="utf-8")))
                ahead.start(here.job(notebook), here.submitted, here.hidden, here.limits)
        except Exception:  # only a head start: the judge step runs the copy itself anyway
            pass


def _references(config, session: Session, module: str, learner: str) -> None:
    """The reference solution's values, computed (or found in the cache) before the first copy needs them."""
    from ..judge.preprocessor import setting

    for source in sorted((session.folder / "source" / module).glob("*.ipynb")):
        try:
            setting(config, module, learner, source.stem).reference(module, source.stem)
        except Exception:  # the judge step meets the same problem and reports it
            pass


def grade(session: Session, module: str, regrade_all: bool = False) -> list[GradingOutcome]:
    from ..judge.avance import Ahead
    from ..judge.sandbox import warm_up

    warm_up()  # the sandboxes' template process starts while nbgrader loads
    speedups.apply()

    learners = submitted_learners(session, module)
    if not learners:
        raise FormationError(f"Aucune soumission collectée pour « {module} » : lancez d'abord « formation collecter {module} ».")
    api = session.api()
    # First what can be decided without grading (and the repair of unreadable notebooks,
    # which must come before any run), then the copies to grade, run ahead on spare cores
    # while nbgrader records them one by one.
    decided: dict[str, GradingOutcome] = {}
    flagged: dict[str, list[str]] = {}
    for learner in learners:
        submitted = session.folder / "submitted" / learner / module
        graded = session.folder / "autograded" / learner / module
        try:
            flags, gradable = inspect_submission(session, module, submitted)
            flagged[learner] = flags
            stamp = _timestamp(submitted)
            # No timestamp on either side never means « up to date ».
            if not regrade_all and stamp is not None and graded.exists() and _timestamp(graded) == stamp:
                decided[learner] = GradingOutcome(learner, "déjà à jour", flags)
            elif not gradable:
                decided[learner] = GradingOutcome(learner, "non corrigé", flags)
        except Exception as exc:  # one learner's files never stop the others
            decided[learner] = GradingOutcome(learner, "échec", [f"erreur inattendue ({type(exc).__name__})"])
    to_grade = [learner for learner in learners if learner not in decided]
    workers = max(2, os.cpu_count() or 1)
    outcomes = []
    with Ahead(workers) as ahead:
        started = 0
        if to_grade:
            for learner in to_grade[:2 * workers]:
                _run_ahead(ahead, api.config, session, module, learner)
            started = min(len(to_grade), 2 * workers)
            _references(api.config, session, module, to_grade[0])  # meanwhile, on this core
        for learner, line in progress.each(learners, f"Correction automatique de « {module} »"):
            outcome = decided.get(learner)
            if outcome is None:
                # Keep a few copies running ahead of nbgrader, not all of them (memory).
                while started < len(to_grade) and started < to_grade.index(learner) + 2 * workers:
                    _run_ahead(ahead, api.config, session, module, to_grade[started])
                    started += 1
                flags = flagged[learner]
                try:
                    result = api.autograde(module, learner, force=True, create=True)
                    if result.get("success"):
                        outcome = GradingOutcome(learner, "corrigé", flags + _judge_flags(session, module, learner))
                    else:
                        log = _keep_log(session, module, learner, result)
                        outcome = GradingOutcome(learner, "échec", flags + [f"{_last_line(result)} ; détails : {log}"])
                except Exception as exc:  # one learner's files never stop the others
                    outcome = GradingOutcome(learner, "échec", [f"erreur inattendue ({type(exc).__name__})"])
            outcomes.append(outcome)
            line.done(outcome.status + (f" ({' ; '.join(outcome.flags)})" if outcome.flags else ""))
    counts = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    counts["signalé(s)"] = sum(1 for o in outcomes if o.flags)
    progress.summary(f"Correction de « {module} »", counts)
    return outcomes


def _keep_log(session: Session, module: str, learner: str, result: dict) -> Path:
    """nbgrader's whole log of a failed step, kept for the trainer (the terminal gets one line)."""
    path = session.folder / JUDGE_FOLDER / "journaux" / module / f"{learner}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((result.get("log") or "") + "\n" + (result.get("error") or ""), encoding="utf-8")
    return path


def _last_line(result: dict) -> str:
    """The last line of nbgrader's log, for a failed step: the trainer gets its gist, not a traceback."""
    lines = [l for l in (result.get("error") or result.get("log") or "").strip().splitlines() if l.strip()]
    return lines[-1][-300:] if lines else "erreur inconnue"


def _feedback_digest(session: Session, module: str, learner: str, corrige: bool, grades: dict) -> str:
    """What a learner's feedback is made of: graded copy, grades and comments (manual ones
    too), the sources (titles, keys shown once corrected) and the mode."""
    import hashlib

    digest = hashlib.sha256(json.dumps([corrige, grades.get(learner)], sort_keys=True, default=str).encode())
    for folder in (session.folder / "autograded" / learner / module, session.folder / "source" / module):
        for path in sorted(folder.glob("*.ipynb")) + [folder / "timestamp.txt"]:
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _gradebook_marks(session: Session, module: str) -> dict[str, list]:
    """Every learner's grades and comments for ``module``, as plain data."""
    marks: dict[str, list] = {}
    with session.gradebook() as gb:
        try:
            assignment = gb.find_assignment(module)
        except Exception:
            return marks
        for submission in assignment.submissions:
            marks[submission.student.id] = sorted(
                [[nb.name, g.name, g.auto_score, g.manual_score, g.extra_credit] for nb in submission.notebooks
                 for g in nb.grades]
                + [[nb.name, c.name, c.auto_comment, c.manual_comment, None] for nb in submission.notebooks
                   for c in nb.comments], key=str)
    return marks


def _sent_record(session: Session, module: str, learner: str) -> Path:
    return session.folder / JUDGE_FOLDER / "retours" / module / f"{learner}.json"


def _already_sent(session: Session, module: str, learner: str, digest: str) -> bool:
    """This very feedback was already generated and released, and is still in the exchange."""
    try:
        record = json.loads(_sent_record(session, module, learner).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    folder = session.exchange / session.course_id / "feedback"
    return (record.get("digest") == digest and bool(record.get("files"))
            and all((folder / name).is_file() for name in record["files"]))


def _record_sent(session: Session, module: str, learner: str, digest: str, files: list[str]) -> None:
    path = _sent_record(session, module, learner)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps({"digest": digest, "files": sorted(files)}), encoding="utf-8")


def feedback(session: Session, module: str, corrige: bool = False) -> tuple[int, int]:
    """Generate then release every graded learner's feedback.

    Feedback that would come out identical to what was already sent (same graded copy,
    grades, comments, sources and mode) is not made again. The rest is generated in one
    nbgrader run (its page templates compiled once, not once per learner), then released
    learner by learner; if that run fails, each learner's feedback is made on its own, so
    that one copy never stops the others.

    ``corrige``: the feedback shows right answers, explanations and marking schemes (to use
    once the deadline has passed). Returns (feedback sent, graded copies)."""
    from nbgrader.utils import temp_attrs

    graded = sorted(p.parent.name for p in (session.folder / "autograded").glob(f"*/{module}"))
    if not graded:
        raise FormationError(f"Aucune copie corrigée pour « {module} » : lancez d'abord « formation corriger {module} ».")
    speedups.apply()
    api = session.api(corrige=corrige)
    marks = _gradebook_marks(session, module)
    results: dict[str, dict] = {}
    digests: dict[str, str] = {}
    for learner in graded:
        submitted = session.folder / "submitted" / learner / module
        missing = [n for n in ("timestamp.txt", "submission_secret.txt") if not (submitted / n).is_file()]
        if missing:
            results[learner] = {"success": False, "error": f"dépôt incomplet ({', '.join(missing)} absent) : "
                                                          "retour impossible à publier pour cette copie"}
            continue
        try:
            digests[learner] = _feedback_digest(session, module, learner, corrige, marks)
            if _already_sent(session, module, learner, digests[learner]):
                results[learner] = {"success": True, "unchanged": True}
        except Exception as exc:
            results[learner] = {"success": False, "error": f"erreur inattendue ({type(exc).__name__})"}
    todo = [learner for learner in graded if learner not in results]
    generated: set[str] = set()
    print(f"Génération des retours de « {module} » : {len(todo)} à faire, "
          f"{len(graded) - len(todo)} déjà faits ou impossibles…", flush=True)
    if len(todo) > 1:
        others = [learner for learner in graded if learner not in todo]
        try:
            with temp_attrs(api.coursedir, student_id_exclude=",".join(others)):
                if api.generate_feedback(module, force=True).get("success"):
                    generated = set(todo)
        except Exception:  # made learner by learner below
            generated = set()
    for learner in todo:
        try:
            result = {"success": True} if learner in generated else api.generate_feedback(module, learner, force=True)
            if result.get("success"):
                before = _feedback_files(session)
                result = api.release_feedback(module, learner)
                released = _restrict_feedback(session, learner, before)
                if result.get("success") and released:
                    _record_sent(session, module, learner, digests[learner], released)
        except Exception as exc:  # one learner's copy never stops the others
            result = {"success": False, "error": f"erreur inattendue ({type(exc).__name__})"}
        results[learner] = result
    failures = 0
    for learner, line in progress.each(graded, f"Retours de « {module} »"):
        result = results[learner]
        if result.get("unchanged"):
            line.done("déjà envoyé, inchangé")
        elif result.get("success"):
            line.done("envoyé")
        else:
            failures += 1
            line.done(f"échec ({_last_line(result)})")
    progress.summary(f"Retours de « {module} »", {"envoyé(s)": len(graded) - failures, "échec(s)": failures})
    print("Les apprenants récupèrent leur retour dans l'onglet Assignments."
          + ("" if corrige else " Il montre leurs réponses et leurs points, pas encore les bonnes réponses : "
             f"après la date limite, relancez « formation retours {module} --corrige »."))
    return len(graded) - failures, len(graded)


def _feedback_files(session: Session) -> dict[str, float]:
    folder = session.exchange / session.course_id / "feedback"
    return {p.name: p.stat().st_mtime for p in folder.glob("*.html")} if folder.is_dir() else {}


def _restrict_feedback(session: Session, learner: str, before: dict[str, float]) -> list[str]:
    """A learner's released feedback is readable by that learner alone when they have an account.

    nbgrader hides feedback behind unguessable names; with a unix account of the
    learner's name, the files are also made theirs and private. Without one (a shared
    account), they stay readable, as nbgrader leaves them.
    """
    import pwd

    try:
        uid = pwd.getpwnam(learner).pw_uid if os.geteuid() == 0 else None
    except KeyError:
        uid = None
    folder = session.exchange / session.course_id / "feedback"
    released = []
    for name, mtime in _feedback_files(session).items():
        if before.get(name) == mtime:
            continue
        released.append(name)
        path = folder / name
        if uid is not None:
            os.chown(path, uid, -1)
            path.chmod(0o600)
        else:
            path.chmod(0o644)
    return released


# --- grades export -------------------------------------------------------------------

def grade_table(session: Session) -> tuple[list[str], list[list]]:
    from nbgrader.api import MissingEntry

    with session.gradebook() as gb:
        modules = sorted(a.name for a in gb.assignments)
        header = ["identifiant", "prenom", "nom"]
        for module in modules:
            header += [f"{module} note", f"{module} sur"]
        header += ["total", "statut"]
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row, total = [student.id, student.first_name or "", student.last_name or ""], 0.0
            pending = 0.0  # points still waiting for the trainer's manual grading
            for module in modules:
                try:
                    submission = gb.find_submission(module, student.id)
                    row += [round(submission.score, 2), round(submission.max_score, 2)]
                    total += submission.score
                    pending += sum(g.max_score for nb in submission.notebooks for g in nb.grades
                                   if g.needs_manual_grade)
                except MissingEntry:  # nothing submitted
                    row += ["", gb.find_assignment(module).max_score]
            row.append(round(total, 2))
            row.append(f"provisoire : {_fr_number(pending)} point{'s' if pending > 1 else ''} en attente "
                       "de correction manuelle" if pending else "définitive")
            rows.append(row)
    return header, rows


def _fr_number(value: float) -> str:
    """12 rather than 12,0 ; 6,33 rather than 6.33 (what a French spreadsheet reads as a number)."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def export_grades(session: Session) -> tuple[Path, Path]:
    from openpyxl import Workbook

    header, rows = grade_table(session)
    session.reports.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = session.reports / "notes.csv", session.reports / "notes.xlsx"
    # « ; » and a BOM: what French spreadsheet software opens without an import dialog.
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows([[_fr_number(v) if isinstance(v, float) else v for v in row] for row in rows])
    book = Workbook()
    sheet = book.active
    sheet.title = "Notes"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(xlsx_path)
    print(f"Notes exportées : {csv_path} et {xlsx_path} ({len(rows)} apprenant(s)).")
    return csv_path, xlsx_path
