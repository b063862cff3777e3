"""The learner's progress: latest practice-quiz result per question, and the completion record.

Practice quizzes stay ungraded; when « Vérifier » is pressed they keep the latest result of
that question in ``progression.json``, in the learner's own data folder (course/user_data.py:
never in the repository, never sent anywhere), written atomically. ``ma_progression()``
shows what is done and what remains, and, once every module's practice quizzes reach the
threshold, produces a printable « attestation de suivi » (HTML).
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .bank import Quiz, load_all
from .lessons import LESSONS
from .user_data import export_dir, read_or_set_aside, user_data_dir, write_json

PROGRESS_FILENAME = "progression.json"
# Share of a module's practice points needed for the completion record.
THRESHOLD = 0.8


def progress_path() -> Path:
    return user_data_dir() / PROGRESS_FILENAME


def read_progress(path: Path | None = None) -> tuple[dict[str, dict[str, Any]], str]:
    """``({question id: {quiz, module, resultat, date}}, notice)``; a damaged file is moved aside."""
    content, notice = read_or_set_aside(path or progress_path(), "questions")
    questions = {qid: entry for qid, entry in content.get("questions", {}).items()
                 if isinstance(entry, dict) and isinstance(entry.get("resultat"), (int, float))}
    return questions, notice


def record(quiz: Quiz, question_id: str, fraction: float, when: datetime | None = None) -> str:
    """Keep the latest result of one practice question; returns a French notice if the file
    was damaged and moved aside ('' otherwise). Raises OSError if it cannot be written."""
    path = progress_path()
    questions, notice = read_progress(path)
    questions[question_id] = {
        "quiz": quiz.id, "module": quiz.module, "resultat": round(float(fraction), 4),
        "date": (when or datetime.now()).isoformat(timespec="seconds"),
    }
    write_json(path, {
        "format": 1, "questions": questions,
        "note": "Progression personnelle dans les quiz d'entraînement du cours (dernier résultat par "
                "question). Non noté, jamais envoyé : vous pouvez supprimer ce fichier pour repartir de zéro.",
    })
    return notice


# --- summary -----------------------------------------------------------------------------

@dataclass(frozen=True)
class QuizProgress:
    id: str
    title: str
    total: int
    checked: int
    right: int
    points: float
    last: str | None  # ISO date of the latest result

    @property
    def done(self) -> bool:
        return self.checked == self.total

    @property
    def score(self) -> float:
        return self.points / self.total if self.total else 0.0


@dataclass(frozen=True)
class ModuleProgress:
    module: int
    title: str
    notebook: str
    quizzes: tuple[QuizProgress, ...]

    @property
    def total(self) -> int:
        return sum(q.total for q in self.quizzes)

    @property
    def checked(self) -> int:
        return sum(q.checked for q in self.quizzes)

    @property
    def score(self) -> float:
        return sum(q.points for q in self.quizzes) / self.total if self.total else 0.0

    @property
    def done(self) -> bool:
        """Every question of every practice quiz of the lesson has been checked at least once."""
        return all(q.done for q in self.quizzes)

    @property
    def reached(self) -> bool:
        return self.score >= THRESHOLD

    @property
    def last(self) -> str | None:
        dates = [q.last for q in self.quizzes if q.last]
        return max(dates) if dates else None


def summary(questions: dict[str, dict[str, Any]] | None = None) -> list[ModuleProgress]:
    """Progress of every module from the saved results (questions no longer in a bank are ignored)."""
    if questions is None:
        questions, _ = read_progress()
    modules = []
    practice = [q for q in load_all() if q.mode == "practice"]
    for module, (notebook, title) in LESSONS.items():
        quizzes = []
        for quiz in sorted((q for q in practice if q.module == module), key=lambda q: q.id):
            results = [questions[q.id] for q in quiz.questions if q.id in questions]
            quizzes.append(QuizProgress(
                quiz.id, quiz.title, len(quiz.questions), len(results),
                sum(1 for r in results if r["resultat"] >= 1), sum(min(max(r["resultat"], 0), 1) for r in results),
                max((str(r.get("date", "")) for r in results), default=None) or None))
        modules.append(ModuleProgress(module, title, notebook, tuple(quizzes)))
    return modules


def attestation_ready(modules: list[ModuleProgress]) -> bool:
    return bool(modules) and all(m.quizzes and m.reached for m in modules)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _pct(value: float) -> str:
    return f"{round(100 * value)} %"


def _date(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return "—"


def progress_html(modules: list[ModuleProgress]) -> str:
    rows = []
    for m in modules:
        state = ("terminée" if m.done else "commencée" if m.checked else "à faire")
        rows.append(
            f"<tr><td><a href='{_e(m.notebook)}'>Module {m.module} — {_e(m.title)}</a></td><td>{state}</td>"
            f"<td>{sum(q.done for q in m.quizzes)} / {len(m.quizzes)}</td><td>{m.checked} / {m.total}</td>"
            f"<td>{_pct(m.score)}{' ✓' if m.reached else ''}</td><td>{_date(m.last)}</td></tr>")
    remaining = []
    for m in modules:
        for q in m.quizzes:
            if q.right < q.total:
                todo = (f"{q.total - q.checked} question(s) jamais vérifiée(s)" if q.checked < q.total
                        else f"{q.total - q.right} question(s) à retravailler")
                remaining.append(f"<li>Module {m.module}, quiz « {_e(q.title)} » ({_e(q.id)}) : {todo} ; "
                                 f"score {_pct(q.score)}.</li>")
    rest = ("<p>Tous les quiz d'entraînement sont réussis. Bravo !</p>" if not remaining else
            "<details><summary><strong>Ce qui reste</strong> (" + str(len(remaining)) + " quiz)</summary><ul>"
            + "".join(remaining) + "</ul></details>")
    return (
        "<div class='cours-bilan'><style>.cours-bilan table{border-collapse:collapse}.cours-bilan th,"
        ".cours-bilan td{border:1px solid #bbb;padding:.25em .45em;text-align:left}"
        ".cours-bilan a{color:#0b5cad}</style>"
        "<table><thead><tr><th>Leçon</th><th>État</th><th>Quiz terminés</th><th>Questions vérifiées</th>"
        f"<th>Score (seuil {_pct(THRESHOLD)})</th><th>Dernière activité</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>" + rest + "</div>")


def attestation_html(name: str, modules: list[ModuleProgress], issued: datetime | None = None) -> str:
    """The printable completion record; refuses (ValueError, in French) without a name or
    before every module reaches the threshold."""
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("Indiquez votre nom pour l'attestation.")
    if not attestation_ready(modules):
        missing = ", ".join(str(m.module) for m in modules if not m.reached)
        raise ValueError(f"Attestation pas encore disponible : les quiz d'entraînement des modules {missing} "
                         f"n'atteignent pas le seuil de {_pct(THRESHOLD)}.")
    issued = issued or datetime.now()
    rows = "".join(
        f"<tr><td>Module {m.module} — {_e(m.title)}</td><td>{_pct(m.score)}</td>"
        f"<td>{m.checked} / {m.total}</td><td>{_date(m.last)}</td></tr>" for m in modules)
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Attestation de suivi</title><style>"
        "body{font-family:serif;max-width:48em;margin:3em auto;line-height:1.5}"
        "h1{text-align:center;letter-spacing:.05em}table{border-collapse:collapse;width:100%;margin:1em 0}"
        "th,td{border:1px solid #888;padding:.35em .6em;text-align:left}th{background:#eee}"
        ".nom{font-size:1.4em;text-align:center;font-weight:bold;margin:1em 0}"
        "small{color:#444}@media print{body{margin:1.5cm}}</style></head><body>"
        "<h1>Attestation de suivi</h1>"
        "<p style='text-align:center'>Cours interactif : la doctrine du numérique en santé</p>"
        f"<p class='nom'>{_e(name)}</p>"
        "<p>a suivi les cinq modules du cours et obtenu, aux quiz d'entraînement de chacun, au moins "
        f"{_pct(THRESHOLD)} des points :</p>"
        "<table><thead><tr><th>Module</th><th>Score aux quiz d'entraînement</th><th>Questions vérifiées</th>"
        f"<th>Dernière activité</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p>Établie le {issued:%d/%m/%Y}.</p>"
        "<p><small>Attestation de suivi établie automatiquement sur l'ordinateur de l'apprenant à partir de ses "
        "résultats aux quiz d'entraînement (derniers résultats enregistrés) ; elle n'est ni un diplôme, ni une "
        "certification, ni la note des devoirs, qui vient du formateur. Contenu du cours à jour de novembre 2026, "
        "reflétant la doctrine du numérique en santé, édition 2025.</small></p></body></html>")


def write_attestation(name: str, folder: str | Path | None = None, modules: list[ModuleProgress] | None = None,
                      issued: datetime | None = None) -> Path:
    modules = summary() if modules is None else modules
    text = attestation_html(name, modules, issued)
    folder = Path(folder) if folder else export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"attestation_de_suivi_{(issued or datetime.now()):%Y%m%d}.html"
    path.write_text(text, encoding="utf-8")
    return path


class ProgressView:
    """The « Ma progression » widget: table, what remains, and the attestation form."""

    def __init__(self):
        import ipywidgets as w

        questions, notice = read_progress()
        self.modules = summary(questions)
        banner = (f"<p role='alert' style='color:#cf222e'><strong>Attention :</strong> {_e(notice)}</p>"
                  if notice else "")
        self.table = w.HTML(
            banner + f"<p><em>Résultats lus dans <code>{_e(progress_path())}</code>, sur cet ordinateur ; "
            "rien n'est envoyé.</em></p>" + progress_html(self.modules))
        self.name = w.Text(placeholder="Prénom Nom", description="Votre nom :",
                           style={"description_width": "initial"}, layout=w.Layout(width="30em"))
        self.button = w.Button(description="Créer mon attestation", icon="certificate", button_style="primary",
                               layout=w.Layout(width="auto"))
        self.button.on_click(lambda _b: self._create())
        self.result = w.HTML()
        if attestation_ready(self.modules):
            intro = w.HTML("<p>✓ Tous les modules atteignent le seuil : vous pouvez créer votre attestation de suivi.</p>")
        else:
            self.button.disabled = True
            missing = ", ".join(str(m.module) for m in self.modules if not m.reached)
            intro = w.HTML(f"<p>L'attestation de suivi sera disponible quand les quiz d'entraînement de chaque "
                           f"module atteindront {_pct(THRESHOLD)} des points (modules encore sous le seuil : "
                           f"{_e(missing)}).</p>")
        self.box = w.VBox([self.table, w.HTML("<h4>Attestation de suivi</h4>"), intro, self.name,
                           self.button, self.result])

    def _create(self) -> None:
        try:
            path = write_attestation(self.name.value, modules=self.modules)
        except (ValueError, OSError) as exc:
            self.result.value = f"<p role='alert' style='color:#cf222e'>{_e(exc)}</p>"
            return
        import base64

        data = base64.b64encode(path.read_bytes()).decode("ascii")
        self.result.value = (
            f"<p role='status'>✓ Attestation écrite dans <code>{_e(path)}</code> "
            f"(<a download='{_e(path.name)}' href='data:text/html;base64,{data}'>télécharger</a>). "
            "Ouvrez-la dans votre navigateur pour l'imprimer ou l'enregistrer en PDF.</p>")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        bundle = self.box._repr_mimebundle_()
        bundle["text/plain"] = "Ma progression : " + "; ".join(
            f"module {m.module} {_pct(m.score)}" for m in self.modules)
        display(bundle, raw=True)


def ma_progression() -> ProgressView:
    return ProgressView()
