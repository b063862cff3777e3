"""The session's steps: import learners, publish, collect, grade, send feedback, export grades.

Each step is safe to run again: it redoes nothing that is already done and up to date,
and an interrupted step picks up where it stopped.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..answers_store import ANSWERS_FILENAME, CorruptAnswersFile, read_answers
from ..release import stray_answers_files
from . import progress
from .errors import FormationError
from .integrity import Refusal, screen_inbound
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
            gb.update_or_create_student(learner.id, first_name=learner.first_name,
                                        last_name=learner.last_name, email=learner.email or None)
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
    refusals = screen_inbound(session, module, roster)
    for refusal in refusals:
        print(f"  QUARANTAINE {refusal.submission} : {refusal.reason}", flush=True)
    api = session.api()
    _checked(api.collect(module, update=True), "La collecte")
    collected = submitted_learners(session, module)
    progress.summary(f"Collecte de « {module} »",
                     {"soumission(s) collectée(s)": len(collected), "mise(s) en quarantaine": len(refusals)})
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
    return stamp.read_text(encoding="utf-8").strip() if stamp.exists() else None


def _grade_cells(notebook: Path, answer_cells: bool = True) -> dict[str, str]:
    """{grade id: source} of a notebook's grade cells.

    ``answer_cells=False`` leaves out manually graded answer cells, which are grade
    cells too but meant to be written in by the learner.
    """
    content = json.loads(notebook.read_text(encoding="utf-8"))
    cells = {}
    for cell in content.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and (answer_cells or not meta.get("solution")):
            source = cell["source"]
            cells[meta["grade_id"]] = "".join(source) if isinstance(source, list) else source
    return cells


def inspect_submission(session: Session, module: str, folder: Path) -> tuple[list[str], bool]:
    """Problems worth telling the trainer, and whether the submission can be graded at all."""
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
        except CorruptAnswersFile:
            flags.append(f"{ANSWERS_FILENAME} illisible : quiz noté 0")
    for name in notebooks:
        path = folder / name
        if not path.exists():
            continue
        if path.stat().st_size > LARGE_NOTEBOOK_BYTES:
            flags.append(f"{name} pèse {path.stat().st_size // (1024 * 1024)} Mo (sorties énormes ?)")
        try:
            submitted = _grade_cells(path)
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
            flags.append(f"{name} n'est pas un notebook lisible")
            return flags, False
        released_notebook = session.folder / "release" / module / name
        removed = sorted(set(_grade_cells(released_notebook)) - set(submitted))
        tests = _grade_cells(released_notebook, answer_cells=False)
        changed = sorted(g for g in tests if g in submitted and submitted[g].strip() != tests[g].strip())
        if removed:
            flags.append(f"cellule(s) de notation supprimée(s) dans {name} : {', '.join(removed)}")
        if changed:
            flags.append(f"cellule(s) de notation modifiée(s) dans {name}, rétablie(s) à la correction : "
                         f"{', '.join(changed)}")
    return flags, len(missing) < len(notebooks)


def grade(session: Session, module: str, regrade_all: bool = False) -> list[GradingOutcome]:
    learners = submitted_learners(session, module)
    if not learners:
        raise FormationError(f"Aucune soumission collectée pour « {module} » : lancez d'abord « formation collecter {module} ».")
    api = session.api()
    outcomes = []
    for learner, line in progress.each(learners, f"Correction automatique de « {module} »"):
        submitted = session.folder / "submitted" / learner / module
        graded = session.folder / "autograded" / learner / module
        flags, gradable = inspect_submission(session, module, submitted)
        if not regrade_all and graded.exists() and _timestamp(graded) == _timestamp(submitted):
            outcome = GradingOutcome(learner, "déjà à jour", flags)
        elif not gradable:
            outcome = GradingOutcome(learner, "non corrigé", flags)
        else:
            result = api.autograde(module, learner, force=True, create=True)
            if result.get("success"):
                outcome = GradingOutcome(learner, "corrigé", flags)
            else:
                reason = (result.get("error") or result.get("log") or "").strip().splitlines()
                outcome = GradingOutcome(learner, "échec", flags + [reason[-1] if reason else "erreur inconnue"])
        outcomes.append(outcome)
        line.done(outcome.status + (f" ({' ; '.join(outcome.flags)})" if outcome.flags else ""))
    counts = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    counts["signalé(s)"] = sum(1 for o in outcomes if o.flags)
    progress.summary(f"Correction de « {module} »", counts)
    return outcomes


def feedback(session: Session, module: str) -> int:
    """Generate then release every graded learner's feedback, one learner at a time."""
    graded = sorted(p.parent.name for p in (session.folder / "autograded").glob(f"*/{module}"))
    if not graded:
        raise FormationError(f"Aucune copie corrigée pour « {module} » : lancez d'abord « formation corriger {module} ».")
    api = session.api()
    failures = 0
    for learner, line in progress.each(graded, f"Retours de « {module} »"):
        result = api.generate_feedback(module, learner, force=True)
        if result.get("success"):
            result = api.release_feedback(module, learner)
        if result.get("success"):
            line.done("envoyé")
        else:
            failures += 1
            reason = (result.get("error") or result.get("log") or "erreur inconnue").strip().splitlines()[-1]
            line.done(f"échec ({reason})")
    progress.summary(f"Retours de « {module} »", {"envoyé(s)": len(graded) - failures, "échec(s)": failures})
    print("Les apprenants récupèrent leur retour dans l'onglet Assignments.")
    return len(graded) - failures


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
