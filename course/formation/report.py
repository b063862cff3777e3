"""The trainer's report: success per learner, per question and per doctrine concept.

Reads the gradebook (scores), the session's assignment sources (which grade cell is
which quiz question, with its explanation), the question banks (text, source, concept
tags) and ``data/taches.yaml`` (concept tags of exercises and open questions). Writes
a self-contained HTML page, its figures as PNG and every table as CSV.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from ..bank import BankError, concepts, load_quiz
from ..paths import data_file
from ..solution_keys import read_keys
from .progress import plural
from .session import Session

MOST_MISSED = 5
# A concept is ranked « à revoir » only on enough answers: one blank open answer is not a trend.
MIN_ANSWERS_TO_RANK = 3


@dataclass(frozen=True)
class Item:
    """A grade cell as the trainer thinks of it: a question or a task, with its concepts."""
    module: str
    grade_id: str
    title: str
    concepts: tuple[str, ...]
    explanation: str = ""
    source: str = ""


@dataclass(frozen=True)
class Record:
    module: str
    learner: str
    grade_id: str
    score: float
    max_score: float
    pending: bool  # waits for the trainer's manual grading


def describe_items(session: Session) -> dict[tuple[str, str], Item]:
    tasks = yaml.safe_load(data_file("taches.yaml").read_text(encoding="utf-8")) or {}
    items = {}
    for module in session.modules:
        for grade_id, task in (tasks.get(module) or {}).items():
            items[module, grade_id] = Item(module, grade_id, task["title"], tuple(task.get("concepts", ())))
        for notebook in sorted((session.folder / "source" / module).glob("*.ipynb")):
            for key in read_keys(notebook):
                try:
                    question = load_quiz(key.quiz_id).question(key.question_id)
                except (BankError, KeyError):
                    continue
                items[module, key.grade_id] = Item(module, key.grade_id, question.text, question.concepts,
                                                   key.explanation or "", question.source)
    return items


def read_records(session: Session) -> tuple[list[Record], dict[str, set[str]], list[str]]:
    """Every grade of every submission, who submitted what, and the whole roster."""
    records, submitted = [], defaultdict(set)
    with session.gradebook() as gb:
        roster = sorted(s.id for s in gb.students)
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                submitted[assignment.name].add(submission.student.id)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        records.append(Record(assignment.name, submission.student.id, grade.name,
                                              float(grade.score or 0), float(grade.max_score),
                                              bool(grade.needs_manual_grade)))
    return records, submitted, roster


def _rate(rows: list[Record]) -> float | None:
    total = sum(r.max_score for r in rows)
    return sum(r.score for r in rows) / total if total else None


def compute(records: list[Record], items: dict[tuple[str, str], Item]) -> dict[str, list[dict]]:
    """The report's tables; pending manual grades are left out of every rate."""
    graded = [r for r in records if not r.pending]
    by_learner, by_item, by_concept = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in graded:
        by_learner[r.module, r.learner].append(r)
        by_item[r.module, r.grade_id].append(r)
        item = items.get((r.module, r.grade_id))
        for tag in item.concepts if item else ():
            by_concept[tag].append(r)
    labels = concepts()
    learners = [{"module": m, "apprenant": who, "points": round(sum(r.score for r in rows), 2),
                 "sur": round(sum(r.max_score for r in rows), 2), "taux": _rate(rows)}
                for (m, who), rows in sorted(by_learner.items())]
    questions = []
    for (m, grade_id), rows in sorted(by_item.items()):
        item = items.get((m, grade_id), Item(m, grade_id, grade_id, ()))
        questions.append({"module": m, "cellule": grade_id, "intitule": item.title, "taux": _rate(rows),
                          "copies": len(rows), "notions": ", ".join(item.concepts),
                          "explication": item.explanation, "source": item.source})
    notions = [{"notion": tag, "libelle": labels.get(tag, tag), "taux": _rate(rows),
                "reponses": len(rows)} for tag, rows in sorted(by_concept.items())]
    notions.sort(key=lambda row: (row["taux"], row["notion"]))
    pending = [{"module": r.module, "apprenant": r.learner, "cellule": r.grade_id,
                "intitule": items.get((r.module, r.grade_id), Item(r.module, r.grade_id, r.grade_id, ())).title}
               for r in records if r.pending]
    return {"apprenants": learners, "questions": questions, "notions": notions, "a_corriger": pending}


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        if not rows:
            handle.write("aucune donnée\n")
            return
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.4f}".replace(".", ",") if isinstance(v, float) else v)
                             for k, v in row.items()})


def _wrap(label: str, width: int = 34, lines: int = 2) -> str:
    """A chart label on at most two lines, shortened at a word boundary, never mid-word."""
    return "\n".join(textwrap.wrap(label, width=width, max_lines=lines, placeholder=" …")) or label


def _short_title(item_title: str, module: str) -> str:
    """« M0 · Dans quel ordre … » rather than a raw grade id."""
    number = "".join(ch for ch in module if ch.isdigit())
    prefix = f"M{number} · " if number else f"{module} · "
    return prefix + textwrap.shorten(" ".join(item_title.split()), width=60, placeholder=" …")


def _number(value: float) -> str:
    """French decimal notation: 6,33 ; 12 rather than 12.0."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _bar_chart(labels: list[str], rates: list[float], title: str, path: Path) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [_wrap(label) for label in labels]
    seen: dict[str, int] = {}
    for index, label in enumerate(labels):  # matplotlib merges equal category labels: keep them apart
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[index] = f"{label} ({seen[label]})"
    height = max(2.2, 0.3 * sum(label.count("\n") + 1 for label in labels) + 0.2 * len(labels) + 1)
    figure, axis = plt.subplots(figsize=(8, height))
    colours = ["#cf222e" if r < 0.5 else "#d4a72c" if r < 0.75 else "#1a7f37" for r in rates]
    axis.barh(labels[::-1], [r * 100 for r in rates][::-1], color=colours[::-1])
    axis.set_xlim(0, 100)
    axis.set_xlabel("taux de réussite (%)")
    axis.tick_params(axis="y", labelsize=8)
    axis.set_title(title)
    axis.axvline(50, color="#888", linewidth=0.8, linestyle="--")
    figure.tight_layout()  # makes room on the left for the whole (wrapped) labels
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    path.write_bytes(buffer.getvalue())
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(session: Session) -> Path:
    records, submitted, roster = read_records(session)
    tables = compute(records, describe_items(session))
    out = session.reports
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        _write_csv(out / f"{'par_' if name != 'a_corriger' else ''}{name}.csv", rows)

    e = html.escape
    notions = [n for n in tables["notions"] if n["taux"] is not None]
    questions = [q for q in tables["questions"] if q["taux"] is not None]
    figures = []
    if notions:
        figures.append(("Réussite par notion de la doctrine", _bar_chart(
            [n["libelle"] for n in notions], [n["taux"] for n in notions],
            "Réussite par notion", out / "par_notion.png")))
    if questions:
        figures.append(("Réussite par question", _bar_chart(
            [_short_title(q["intitule"], q["module"]) for q in questions], [q["taux"] for q in questions],
            "Réussite par question ou exercice", out / "par_question.png")))
    missed = sorted(questions, key=lambda q: (q["taux"], q["cellule"]))[:MOST_MISSED]
    labels = concepts()
    missing = [(m, who) for m in sorted(submitted or session.modules) for who in roster
               if who not in submitted.get(m, set())]

    parts = [f"<h1>Rapport de session « {e(session.course_id)} »</h1>",
             f"<p class='meta'>Établi le {datetime.now():%d/%m/%Y à %H:%M} · {len(roster)} {plural('apprenant', len(roster))} · "
             "les réponses en attente de correction manuelle ne comptent dans aucun taux.</p>"]
    if not records:
        parts.append("<p><strong>Aucune copie corrigée pour l'instant</strong> : lancez « formation corriger MODULE ».</p>")
    if notions:
        ranked = [n for n in notions if n["reponses"] >= MIN_ANSWERS_TO_RANK][:3]
        weakest = ", ".join(f"{e(n['libelle'])} ({_pct(n['taux'])} sur {n['reponses']} réponses)" for n in ranked)
        rule = (f"seules les notions qui totalisent au moins {MIN_ANSWERS_TO_RANK} réponses corrigées "
                "sont classées")
        parts.append(f"<div class='alerte'><strong>À revoir en priorité :</strong> "
                     f"{weakest + '.' if weakest else 'pas encore assez de réponses pour classer les notions.'} "
                     f"<small>({rule}.)</small></div>")
    for title, image in figures:
        parts.append(f"<h2>{e(title)}</h2><img alt='{e(title)}' src='data:image/png;base64,{image}'>")
    if missed:
        parts.append("<h2>Les questions les plus manquées</h2>")
        for q in missed:
            source = f" <a href='{e(q['source'])}'>source</a>" if q["source"] else ""
            explanation = f"<p>{e(q['explication'])}{source}</p>" if q["explication"] else source
            parts.append(f"<div class='question'><p><strong>{_pct(q['taux'])}</strong> de réussite "
                         f"({q['copies']} {plural('copie', q['copies'])}) · <code>{e(q['module'])} · {e(q['cellule'])}</code> · notions : "
                         f"{e(', '.join(labels.get(t, t) for t in q['notions'].split(', ') if t)) or '—'}</p><p>{e(q['intitule'])}</p>{explanation}</div>")
    parts.append("<h2>Par notion</h2>" + _table(
        ["notion", "réussite", "réponses"],
        [[e(n["libelle"]), _pct(n["taux"]), str(n["reponses"])] for n in tables["notions"]]))
    parts.append("<h2>Par apprenant</h2>" + _table(
        ["module", "apprenant", "points", "réussite"],
        [[e(r["module"]), e(r["apprenant"]), f"{_number(r['points'])} / {_number(r['sur'])}", _pct(r["taux"])]
         for r in tables["apprenants"]]))
    if missing:
        parts.append("<h2>Devoirs non rendus</h2><p>" + ", ".join(f"{e(w)} ({e(m)})" for m, w in missing) + "</p>")
    parts.append("<h2>Réponses ouvertes à corriger</h2>")
    if tables["a_corriger"]:
        parts.append("<p>À noter dans l'outil de correction de nbgrader (formgrader), puis relancez "
                     "« formation rapport ».</p>" + _table(
                         ["module", "apprenant", "question"],
                         [[e(p["module"]), e(p["apprenant"]), e(p["intitule"])] for p in tables["a_corriger"]]))
    else:
        parts.append("<p>Aucune : tout est corrigé.</p>")
    style = ("body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#1f2328}"
             "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #d0d7de;padding:0.3em 0.6em;"
             "text-align:left}th{background:#f6f8fa}img{max-width:100%}.meta{color:#57606a}"
             ".alerte{background:#fff8c5;border:1px solid #d4a72c;padding:0.6em;border-radius:6px}"
             ".question{border-left:4px solid #cf222e;padding-left:0.8em;margin:0.8em 0}")
    page = (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Rapport — {e(session.course_id)}"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")
    path = out / "rapport.html"
    path.write_text(page, encoding="utf-8")
    print(f"Rapport écrit : {path} (tableaux CSV et figures PNG dans {out}).")
    return path
