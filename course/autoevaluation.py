"""« Évaluer sa conformité »: a teaching self-assessment in the spirit of ANS's Convergence.

The questions are data (``data/autoevaluation/conformite.yaml``), validated here with
French errors naming the file, the item and the field. This module scores the answers
per axis, orders the gaps into an action plan, draws the radar chart and writes the
exports (HTML and CSV); ``autoevaluation()`` is the widget the notebook shows, and
``exemple()`` the worked example of the running case (Logidoc Santé, fictitious).

The learner's answers are saved atomically in their own data folder (course/user_data.py),
one set per profile, and restored when the notebook is run again.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .bank import BankError, editions
from .lessons import LESSONS, headings, lesson_label, section_link
from .paths import data_dir
from .user_data import export_dir, read_or_set_aside, user_data_dir, write_json

# Answer scale: points earned (None = not applicable, left out of the score).
ANSWERS: dict[str, float | None] = {"oui": 1.0, "partiel": 0.5, "non": 0.0, "sans-objet": None}
ANSWER_LABELS = {"oui": "Oui", "partiel": "En partie", "non": "Non", "sans-objet": "Sans objet"}
ANSWERS_FILENAME = "autoevaluation.json"
DISCLAIMER = (
    "Outil pédagogique du cours, inspiré de Convergence, la plateforme d'auto-évaluation de l'ANS : "
    "ce n'est pas Convergence et ce résultat n'a aucune valeur officielle. Les questions et leur "
    "importance sont des choix du cours ; elles reflètent la doctrine du numérique en santé, "
    "édition {edition} (contenu à jour de {date}). Pour une évaluation officielle : "
    "https://convergence.esante.gouv.fr/"
)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_URL = re.compile(r"^https?://\S+$")
_ITEM_FIELDS = {"id", "titre", "axe", "profils", "importance", "question", "pourquoi", "action",
                "sources", "edition", "module", "section"}
_BANK_FIELDS = {"id", "titre", "edition", "date_contenu", "axes", "profils", "importances", "items"}


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    axis: str
    profiles: tuple[str, ...]
    importance: int
    questions: dict[str, str]  # profile (or « defaut ») -> question text
    why: str
    action: str
    sources: tuple[str, ...]
    edition: str
    module: int
    section: str

    def question(self, profile: str) -> str:
        return self.questions.get(profile, self.questions["defaut"])

    @property
    def lesson(self) -> str:
        return lesson_label(self.module, self.section)

    @property
    def lesson_link(self) -> str:
        return section_link(self.module, self.section)


@dataclass(frozen=True)
class Bank:
    id: str
    title: str
    edition: str
    content_date: str
    axes: dict[str, str]
    profiles: dict[str, str]
    importances: dict[int, str]
    items: tuple[Item, ...]
    path: Path

    def items_for(self, profile: str) -> list[Item]:
        self.check_profile(profile)
        return [item for item in self.items if profile in item.profiles]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"L'auto-évaluation « {self.id} » n'a pas d'item « {item_id} ».")

    def check_profile(self, profile: str) -> None:
        if profile not in self.profiles:
            raise ValueError(f"Profil inconnu « {profile} » (profils : {', '.join(self.profiles)}).")

    @property
    def disclaimer(self) -> str:
        return DISCLAIMER.format(edition=self.edition, date=self.content_date)


# --- loading and validation --------------------------------------------------------------

def bank_path(name: str = "conformite") -> Path:
    return data_dir() / "autoevaluation" / f"{name}.yaml"


def load_bank(path: str | Path | None = None) -> Bank:
    path = Path(path) if path else bank_path()
    return _cached(path, path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=8)
def _cached(path: Path, _mtime: int) -> Bank:
    if not path.exists():
        raise BankError([f"Banque d'auto-évaluation introuvable : {path}."])
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BankError([f"{path.name} : YAML illisible ({exc})."]) from None
    return _Validator(path).bank(content)


class _Validator:
    """Collects every problem of the file before raising, so an author fixes them in one pass."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[str] = []

    def problem(self, item_id: str | None, field: str, message: str) -> None:
        where = f"item « {item_id} », " if item_id else ""
        self.problems.append(f"{self.path.name}, {where}champ « {field} » : {message}")

    def mapping(self, content: dict, field: str) -> dict:
        value = content.get(field)
        if not isinstance(value, dict) or not value or not all(
                isinstance(v, str) and v.strip() for v in value.values()):
            self.problem(None, field, "doit être un dictionnaire non vide identifiant -> libellé.")
            return {}
        return value

    def text(self, item_id: str | None, raw: dict, field: str) -> str:
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            self.problem(item_id, field, "texte obligatoire manquant ou vide.")
            return ""
        return " ".join(value.split())

    def bank(self, content: Any) -> Bank:
        if not isinstance(content, dict):
            raise BankError([f"{self.path.name} : le fichier doit décrire une auto-évaluation (dictionnaire YAML)."])
        for name in sorted(set(content) - _BANK_FIELDS):
            self.problem(None, name, "champ inconnu.")
        bank_id = self.text(None, content, "id")
        if bank_id and bank_id != self.path.stem:
            self.problem(None, "id", f"« {bank_id} » doit être identique au nom du fichier (« {self.path.stem} »).")
        title = self.text(None, content, "titre")
        edition = str(content.get("edition"))
        if edition not in editions():
            self.problem(None, "edition", f"doit être l'une des éditions de data/editions.yaml : {', '.join(editions())}.")
        date = self.text(None, content, "date_contenu")
        axes = {str(k): v.strip() for k, v in self.mapping(content, "axes").items()}
        profiles = {str(k): v.strip() for k, v in self.mapping(content, "profils").items()}
        importances = {}
        for key, label in self.mapping(content, "importances").items():
            if not isinstance(key, int) or isinstance(key, bool) or key < 1:
                self.problem(None, "importances", f"la clé {key!r} doit être un entier positif.")
            else:
                importances[key] = label.strip()
        items, seen = [], set()
        raw_items = content.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            self.problem(None, "items", "doit être une liste non vide d'items.")
            raw_items = []
        for index, raw in enumerate(raw_items, start=1):
            item = self.item(raw, index, axes, profiles, importances)
            if item is None:
                continue
            if item.id in seen:
                self.problem(item.id, "id", "identifiant en double.")
            seen.add(item.id)
            items.append(item)
        for profile in profiles:
            for axis in axes:
                if items and not any(i.axis == axis and profile in i.profiles for i in items):
                    self.problem(None, "items", f"aucun item de l'axe « {axis} » pour le profil « {profile} » : "
                                 "chaque profil doit être évalué sur chaque axe.")
        if self.problems:
            raise BankError(self.problems)
        return Bank(bank_id, title, edition, date, axes, profiles, importances, tuple(items), self.path)

    def item(self, raw: Any, index: int, axes: dict, profiles: dict, importances: dict) -> Item | None:
        if not isinstance(raw, dict):
            self.problem(f"n° {index}", "items", "chaque item doit être un dictionnaire.")
            return None
        raw_id = raw.get("id")
        iid = str(raw_id) if raw_id is not None else f"n° {index}"
        if not isinstance(raw_id, str) or not _ID.match(raw_id):
            self.problem(iid, "id", "obligatoire : minuscules, chiffres et tirets (ex. « sec-hds »).")
        for name in sorted(set(raw) - _ITEM_FIELDS):
            self.problem(iid, name, "champ inconnu.")
        title = self.text(iid, raw, "titre")
        axis = raw.get("axe")
        if axis not in axes:
            self.problem(iid, "axe", f"doit être l'un des axes : {', '.join(axes)} (trouvé : {axis!r}).")
        item_profiles = raw.get("profils")
        if not isinstance(item_profiles, list) or not item_profiles or any(p not in profiles for p in item_profiles):
            self.problem(iid, "profils", f"doit être une liste non vide parmi : {', '.join(profiles)}.")
            item_profiles = []
        importance = raw.get("importance")
        if importance not in importances:
            self.problem(iid, "importance", f"doit être l'une des importances : {', '.join(map(str, importances))}.")
        question = raw.get("question")
        questions: dict[str, str] = {}
        if isinstance(question, str) and question.strip():
            questions = {"defaut": " ".join(question.split())}
        elif isinstance(question, dict) and "defaut" in question:
            for key, value in question.items():
                if key != "defaut" and key not in profiles:
                    self.problem(iid, "question", f"profil inconnu « {key} ».")
                elif not isinstance(value, str) or not value.strip():
                    self.problem(iid, "question", f"le texte pour « {key} » est vide.")
                else:
                    questions[key] = " ".join(value.split())
        else:
            self.problem(iid, "question", "un texte, ou un dictionnaire profil -> texte avec une clé « defaut ».")
        why = self.text(iid, raw, "pourquoi")
        action = self.text(iid, raw, "action")
        sources = raw.get("sources")
        if not isinstance(sources, list) or not sources:
            self.problem(iid, "sources", "doit être une liste non vide d'URL.")
            sources = []
        for url in sources:
            if not isinstance(url, str) or not _URL.match(url):
                self.problem(iid, "sources", f"« {url} » n'est pas une URL http(s).")
            elif "/en/" in url:
                self.problem(iid, "sources", f"« {url} » : citez la page française, pas la version /en/.")
        edition = str(raw.get("edition"))
        if edition not in editions():
            self.problem(iid, "edition", f"doit être l'une des éditions de data/editions.yaml : {', '.join(editions())}.")
        module = raw.get("module")
        section = self.text(iid, raw, "section")
        if module not in LESSONS:
            self.problem(iid, "module", f"doit être un numéro de module de 0 à {max(LESSONS)}.")
        elif section:
            titles = headings(module)
            if titles is not None and section not in titles:
                self.problem(iid, "section", f"« {section} » n'est pas un titre de la leçon {LESSONS[module][0]}.")
        if self.problems and any(f"item « {iid} »" in p for p in self.problems):
            return None
        return Item(raw_id, title, axis, tuple(item_profiles), importance, questions, why, action,
                    tuple(sources), edition, module, section)


# --- scoring and action plan -------------------------------------------------------------

@dataclass(frozen=True)
class AxisScore:
    axis: str
    label: str
    score: float | None  # percent, None if nothing answered on this axis
    answered: int  # items answered (« sans objet » included)
    applicable: int  # items of this axis for the profile
    gaps: int


@dataclass(frozen=True)
class Gap:
    rank: int
    item: Item
    answer: str


def _clean(bank: Bank, profile: str, answers: dict[str, str]) -> dict[str, str]:
    """The answers that belong to this profile's items and to the scale (others ignored)."""
    ids = {item.id for item in bank.items_for(profile)}
    return {k: v for k, v in answers.items() if k in ids and v in ANSWERS}


def axis_scores(bank: Bank, profile: str, answers: dict[str, str]) -> list[AxisScore]:
    """Per axis: importance-weighted share of the points (oui 1, en partie 0,5, non 0), in percent,
    over the items answered other than « sans objet »."""
    answers = _clean(bank, profile, answers)
    result = []
    for axis, label in bank.axes.items():
        items = [i for i in bank.items_for(profile) if i.axis == axis]
        scored = [(i.importance, ANSWERS[answers[i.id]]) for i in items
                  if i.id in answers and ANSWERS[answers[i.id]] is not None]
        weight = sum(w for w, _ in scored)
        score = round(100 * sum(w * p for w, p in scored) / weight, 1) if weight else None
        gaps = sum(1 for _, p in scored if p < 1)
        result.append(AxisScore(axis, label, score, sum(1 for i in items if i.id in answers), len(items), gaps))
    return result


def overall_score(bank: Bank, profile: str, answers: dict[str, str]) -> float | None:
    answers = _clean(bank, profile, answers)
    scored = [(i.importance, ANSWERS[answers[i.id]]) for i in bank.items_for(profile)
              if i.id in answers and ANSWERS[answers[i.id]] is not None]
    weight = sum(w for w, _ in scored)
    return round(100 * sum(w * p for w, p in scored) / weight, 1) if weight else None


def action_plan(bank: Bank, profile: str, answers: dict[str, str]) -> list[Gap]:
    """The gaps (« non », « en partie »), most important first; at equal importance, what is
    not in place at all before what is partly in place, then in the bank's order."""
    answers = _clean(bank, profile, answers)
    order = {item.id: n for n, item in enumerate(bank.items)}
    gaps = [(item, answers[item.id]) for item in bank.items_for(profile)
            if item.id in answers and ANSWERS[answers[item.id]] is not None and ANSWERS[answers[item.id]] < 1]
    gaps.sort(key=lambda g: (-g[0].importance, ANSWERS[g[1]], order[g[0].id]))
    return [Gap(rank, item, answer) for rank, (item, answer) in enumerate(gaps, start=1)]


def unanswered(bank: Bank, profile: str, answers: dict[str, str]) -> list[Item]:
    answers = _clean(bank, profile, answers)
    return [item for item in bank.items_for(profile) if item.id not in answers]


# --- radar chart ---------------------------------------------------------------------------

def radar_png(scores: list[AxisScore], title: str = "") -> bytes:
    """The radar chart of the axis scores as PNG bytes (an axis not evaluated is drawn at 0)."""
    import math

    from matplotlib.figure import Figure  # no pyplot: no global state, works headless

    import textwrap

    labels = [textwrap.fill(s.label, 16) + ("" if s.score is not None else "\n(non évalué)") for s in scores]
    values = [s.score or 0.0 for s in scores]
    angles = [2 * math.pi * n / len(scores) for n in range(len(scores))]
    fig = Figure(figsize=(5.6, 5.6), dpi=100)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)  # first axis at the top, then clockwise
    ax.set_theta_direction(-1)
    ax.plot(angles + angles[:1], values + values[:1], color="#0b5cad", linewidth=2)
    ax.fill(angles + angles[:1], values + values[:1], color="#0b5cad", alpha=0.2)
    ax.set_xticks(angles)
    ax.set_xticklabels(labels, fontsize=9)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100])
    ax.set_yticklabels(["25 %", "50 %", "75 %", "100 %"], fontsize=7, color="#555")
    if title:
        ax.set_title(title, fontsize=11, pad=18)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# --- reports and exports -------------------------------------------------------------------

def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _percent(value: float | None) -> str:
    return "non évalué" if value is None else f"{value:.0f} %".replace(".", ",")


def _sources_html(item: Item) -> str:
    return " ; ".join(f"<a href='{_e(u)}' target='_blank' rel='noopener'>{_e(u)}</a>" for u in item.sources)


def report_html(bank: Bank, profile: str, answers: dict[str, str], *, title: str = "",
                comments: dict[str, str] | None = None, standalone: bool = False) -> str:
    """The assessment as HTML: scores per axis, radar chart, action plan, what is unanswered.

    ``standalone``: a complete printable page, with links to the lessons written as text
    (the file is meant to leave the course).
    """
    comments = comments or {}
    scores = axis_scores(bank, profile, answers)
    plan = action_plan(bank, profile, answers)
    missing = unanswered(bank, profile, answers)
    total = len(bank.items_for(profile))
    radar = base64.b64encode(radar_png(scores, f"Profil : {bank.profiles[profile]}")).decode("ascii")
    parts = []
    if standalone:
        parts.append(
            "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
            f"<title>{_e(title or bank.title)}</title><style>"
            "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
            "table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3em .5em;"
            "vertical-align:top;text-align:left}th{background:#eef}"
            ".avertissement{border:2px solid #9a6700;padding:.6em;background:#fff8e5}"
            "@media print{a{color:inherit}}</style></head><body>"
            f"<h1>{_e(title or bank.title)}</h1>")
    # Long source addresses must wrap inside their cell (screen and print).
    parts.append("<div class='cours-bilan'><style>.cours-bilan td{overflow-wrap:anywhere;word-break:break-word}"
                 ".cours-bilan table{border-collapse:collapse}.cours-bilan th,.cours-bilan td{border:1px solid #bbb;"
                 "padding:.25em .45em;vertical-align:top;text-align:left}.cours-bilan a{color:#0b5cad}</style>")
    parts.append(f"<div class='avertissement' role='note'><p><strong>À lire :</strong> {_e(bank.disclaimer)}</p></div>")
    parts.append(
        f"<p><strong>Profil :</strong> {_e(bank.profiles[profile])} ; <strong>items répondus :</strong> "
        f"{total - len(missing)} / {total} ; <strong>score global :</strong> "
        f"{_percent(overall_score(bank, profile, answers))}.</p>")
    rows = "".join(
        f"<tr><td>{_e(s.label)}</td><td>{_percent(s.score)}</td><td>{s.answered} / {s.applicable}</td>"
        f"<td>{s.gaps}</td></tr>" for s in scores)
    parts.append(
        "<h3>Score par axe</h3><p>Score d'un axe : points obtenus (oui 1, en partie 0,5, non 0) "
        "pondérés par l'importance de chaque item, sur les items répondus hors « sans objet ».</p>"
        "<table><thead><tr><th>Axe</th><th>Score</th><th>Items répondus</th><th>Écarts</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<p><img alt='Graphique radar des scores par axe' src='data:image/png;base64,{radar}' "
        "style='max-width:26em;width:100%'></p>")
    parts.append("<h3>Plan d'action priorisé</h3>")
    if plan:
        parts.append(
            "<p>Les écarts, du plus important au moins important ; à importance égale, ce qui n'est "
            "pas du tout en place passe avant ce qui l'est en partie.</p><table><thead><tr><th>#</th>"
            "<th>Écart</th><th>Réponse</th><th>Importance</th><th>Que faire</th><th>Leçon à revoir</th>"
            "<th>Source officielle</th></tr></thead><tbody>")
        for gap in plan:
            item = gap.item
            lesson = (_e(item.lesson) if standalone else
                      f"<a href='{_e(item.lesson_link)}'>{_e(item.lesson)}</a>")
            comment = f"<br><em>Commentaire : {_e(comments[item.id])}</em>" if item.id in comments else ""
            parts.append(
                f"<tr><td>{gap.rank}</td><td><strong>{_e(item.title)}</strong> "
                f"<small>({_e(bank.axes[item.axis])})</small><br>{_e(item.why)}{comment}</td>"
                f"<td>{_e(ANSWER_LABELS[gap.answer])}</td><td>{_e(bank.importances[item.importance])}</td>"
                f"<td>{_e(item.action)}</td><td>{lesson}</td>"
                f"<td>{_sources_html(item)} <small>(doctrine, édition {_e(item.edition)})</small></td></tr>")
        parts.append("</tbody></table>")
    elif len(missing) < total:
        parts.append("<p>Aucun écart parmi les items répondus.</p>")
    else:
        parts.append("<p>Répondez au questionnaire pour obtenir votre plan d'action.</p>")
    if missing and len(missing) < total:
        parts.append("<h3>Items sans réponse</h3><ul>" + "".join(
            f"<li>{_e(i.title)} <small>({_e(bank.axes[i.axis])})</small></li>" for i in missing) + "</ul>")
    parts.append("</div>")
    if standalone:
        parts.append(f"<p><small>Généré le {datetime.now():%d/%m/%Y à %H:%M} sur cet ordinateur par le cours "
                     "interactif sur la doctrine du numérique en santé ; rien n'a été envoyé.</small></p>"
                     "</body></html>")
    return "".join(parts)


CSV_COLUMNS = ["axe", "item", "titre", "question", "importance", "reponse", "points", "rang_plan",
               "action", "lecon", "sources", "edition_doctrine"]


def write_csv(bank: Bank, profile: str, answers: dict[str, str], path: Path) -> Path:
    """One row per item of the profile (semicolon-separated, UTF-8 with BOM for spreadsheets)."""
    clean = _clean(bank, profile, answers)
    ranks = {gap.item.id: gap.rank for gap in action_plan(bank, profile, answers)}
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(CSV_COLUMNS)
        for item in bank.items_for(profile):
            answer = clean.get(item.id, "")
            points = ANSWERS.get(answer) if answer else None
            writer.writerow([
                bank.axes[item.axis], item.id, item.title, item.question(profile),
                bank.importances[item.importance], ANSWER_LABELS.get(answer, "sans réponse"),
                "" if points is None else f"{points:g}".replace(".", ","), ranks.get(item.id, ""),
                item.action, item.lesson, " ".join(item.sources), item.edition,
            ])
    return path


def export(bank: Bank, profile: str, answers: dict[str, str], folder: str | Path | None = None,
           stem: str | None = None) -> tuple[Path, Path]:
    """Write the HTML report and the CSV table; returns their paths."""
    folder = Path(folder) if folder else export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = stem or f"autoevaluation_{profile}_{datetime.now():%Y%m%d-%H%M%S}"
    html_path = folder / f"{stem}.html"
    html_path.write_text(report_html(bank, profile, answers, standalone=True,
                                     title=f"{bank.title} — {bank.profiles[profile]}"), encoding="utf-8")
    return html_path, write_csv(bank, profile, answers, folder / f"{stem}.csv")


# --- the worked example: Logidoc Santé (fictitious) ---------------------------------------

@dataclass(frozen=True)
class Example:
    actor: str
    name: str
    profile: str
    date: str
    context: str
    answers: dict[str, str]
    comments: dict[str, str]
    bank: Bank

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{_e(self.bank.axes[i.axis])}</td><td>{_e(i.title)}</td>"
            f"<td>{_e(ANSWER_LABELS[self.answers[i.id]])}</td><td>{_e(self.comments.get(i.id, ''))}</td></tr>"
            for i in self.bank.items_for(self.profile) if i.id in self.answers)
        return (f"<h4>Exemple FICTIF : {_e(self.name)} ({_e(self.bank.profiles[self.profile])}), "
                f"auto-évaluation du {_e(self.date)}</h4><p>{_e(self.context)}</p>"
                "<details><summary>Voir ses réponses</summary><table><thead><tr><th>Axe</th><th>Item</th>"
                f"<th>Réponse</th><th>Commentaire</th></tr></thead><tbody>{rows}</tbody></table></details>"
                + report_html(self.bank, self.profile, self.answers, comments=self.comments))

    def plan(self) -> list[Gap]:
        return action_plan(self.bank, self.profile, self.answers)

    def scores(self) -> list[AxisScore]:
        return axis_scores(self.bank, self.profile, self.answers)


def exemple(name: str = "exemple_logidoc") -> Example:
    """The running case's filled-in assessment (``data/autoevaluation/<name>.yaml``)."""
    from .fil_rouge import acteur

    bank = load_bank()
    path = data_dir() / "autoevaluation" / f"{name}.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []
    if content.get("jeu") != "FICTIF":
        problems.append(f"{path.name}, champ « jeu » : doit valoir FICTIF.")
    profile = content.get("profil")
    if profile not in bank.profiles:
        problems.append(f"{path.name}, champ « profil » : profil inconnu {profile!r}.")
    answers, comments = {}, {}
    known = {i.id for i in bank.items_for(profile)} if profile in bank.profiles else set()
    for item_id, entry in (content.get("reponses") or {}).items():
        entry = entry if isinstance(entry, dict) else {"reponse": entry}
        if item_id not in known:
            problems.append(f"{path.name}, item « {item_id} » : absent de la banque pour ce profil.")
        elif entry.get("reponse") not in ANSWERS:
            problems.append(f"{path.name}, item « {item_id} », champ « reponse » : {', '.join(ANSWERS)}.")
        else:
            answers[item_id] = entry["reponse"]
            if entry.get("commentaire"):
                comments[item_id] = " ".join(str(entry["commentaire"]).split())
    if problems:
        raise BankError(problems)
    return Example(content["acteur"], acteur(content["acteur"])["nom"], profile, str(content["date"]),
                   " ".join(str(content.get("contexte", "")).split()), answers, comments, bank)


# --- the learner's questionnaire -----------------------------------------------------------

def answers_path() -> Path:
    return user_data_dir() / ANSWERS_FILENAME


def _key(bank: Bank, profile: str) -> str:
    return f"{bank.id}:{profile}"


_STYLE = (
    "<style>.cours-autoeval .widget-radio-box{flex-direction:row;flex-wrap:wrap;gap:.2em 1.4em}"
    ".cours-autoeval .widget-radio-box label{width:auto!important;height:auto}"
    ".cours-autoeval .jupyter-button:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}</style>"
)


class SelfAssessment:
    """The widget: choose a profile, answer, see the scores, the radar, the plan; export.

    Python API (tests, notebook): ``choose(profile)``, ``answer(item_id, value)``,
    ``answers()``, ``export(folder)``.
    """

    def __init__(self, bank: Bank | None = None):
        import ipywidgets as w

        self.w = w
        self.bank = bank or load_bank()
        self.path = answers_path()
        self.banner = w.HTML()
        self.status = w.HTML()
        self.results = w.HTML()
        self.export_status = w.HTML()
        self.questionnaire = w.VBox()
        self.radios: dict[str, Any] = {}
        self._loading = False
        self.profile: str | None = None
        saved, notice = self._read()
        self._notice(notice)
        options = [("— choisissez votre profil —", None)] + [(label, key) for key, label in self.bank.profiles.items()]
        self.selector = w.Dropdown(options=options, value=None, description="Votre profil :",
                                   style={"description_width": "initial"}, layout=w.Layout(width="34em"))
        self.selector.observe(self._on_profile, names="value")
        self.export_button = w.Button(description="Exporter (HTML et CSV)", icon="download", button_style="primary",
                                      tooltip="Écrire le bilan et le plan d'action dans deux fichiers",
                                      layout=w.Layout(width="auto"))
        self.export_button.on_click(lambda _b: self._export_clicked())
        header = w.HTML(
            f"<h4>{_e(self.bank.title)}</h4><p role='note'><em>{_e(self.bank.disclaimer)}</em></p>"
            f"<p><em>Vos réponses sont enregistrées sur cet ordinateur, dans le fichier <code>{_e(self.path)}</code> "
            "(une série par profil), et réapparaissent si vous réexécutez la cellule. Elles ne sont envoyées "
            "nulle part.</em></p>")
        self.box = w.VBox([w.HTML(_STYLE), header, self.banner, self.selector, self.questionnaire, self.status,
                           self.results, self.export_button, self.export_status])
        self.box.add_class("cours-autoeval")
        if saved.get("profil") in self.bank.profiles:
            # Restore the last profile and its answers, without writing anything.
            self._loading = True
            try:
                self.selector.value = saved["profil"]
            finally:
                self._loading = False
        else:
            self._update()

    # file ------------------------------------------------------------------------------
    def _read(self) -> tuple[dict, str]:
        return read_or_set_aside(self.path, "evaluations")

    def _notice(self, notice: str) -> None:
        if notice:
            self.banner.value = (f"<p role='alert' style='color:#cf222e'><strong>Attention :</strong> "
                                 f"{_e(notice)} Vos réponses précédentes sont dans ce fichier mis de côté.</p>")

    def saved(self) -> dict[str, str]:
        """The answers of the current profile as they stand in the file."""
        content, _ = self._read()
        entry = content.get("evaluations", {}).get(_key(self.bank, self.profile or ""), {})
        return dict(entry.get("reponses", {}))

    def _save(self) -> None:
        content, notice = self._read()
        self._notice(notice)
        evaluations = content.get("evaluations", {})
        evaluations[_key(self.bank, self.profile)] = {
            "reponses": self.answers(), "mis_a_jour": datetime.now().isoformat(timespec="seconds")}
        try:
            write_json(self.path, {
                "format": 1, "profil": self.profile, "evaluations": evaluations,
                "note": "Auto-évaluation du cours sur la doctrine du numérique en santé (outil pédagogique). "
                        "Fichier personnel, jamais envoyé."})
        except OSError as exc:
            self.status.value = (f"<p role='alert' style='color:#cf222e'>Impossible d'enregistrer "
                                 f"({_e(exc.strerror or exc)}). Vos réponses restent affichées.</p>")
            return
        self.status.value = f"<p><small>✓ Réponses enregistrées à {datetime.now():%H:%M:%S}.</small></p>"

    # widgets ---------------------------------------------------------------------------
    def _on_profile(self, change) -> None:
        self.profile = change["new"]
        self.radios = {}
        if self.profile is None:
            self.questionnaire.children = ()
            self._update()
            return
        w = self.w
        content, _ = self._read()
        saved = content.get("evaluations", {}).get(_key(self.bank, self.profile), {}).get("reponses", {})
        blocks = []
        number = 0
        for axis, label in self.bank.axes.items():
            items = [i for i in self.bank.items_for(self.profile) if i.axis == axis]
            blocks.append(w.HTML(f"<h4 style='margin-bottom:0'>{_e(label)}</h4>"))
            for item in items:
                number += 1
                radio = w.RadioButtons(options=[(ANSWER_LABELS[k], k) for k in ANSWERS], value=None,
                                       description="", layout=w.Layout(width="auto"))
                if saved.get(item.id) in ANSWERS:
                    radio.value = saved[item.id]
                radio.observe(self._changed, names="value")
                self.radios[item.id] = radio
                blocks.append(w.VBox([
                    w.HTML(f"<p><strong>{number}. {_e(item.title)}</strong> "
                           f"<small>(importance : {_e(self.bank.importances[item.importance])})</small><br>"
                           f"{_e(item.question(self.profile))}</p>"),
                    radio,
                    w.HTML(f"<details><summary><small>Pourquoi cette question ?</small></summary><small>"
                           f"{_e(item.why)} Source : {_sources_html(item)} (doctrine, édition {_e(item.edition)}). "
                           f"Leçon : <a href='{_e(item.lesson_link)}'>{_e(item.lesson)}</a>.</small></details>"),
                ], layout=w.Layout(border="1px solid #ddd", padding="0.4em", margin="0 0 0.5em 0")))
        self.questionnaire.children = tuple(blocks)
        self.status.value = ("<p><small>Réponses restaurées depuis le fichier.</small></p>" if saved else "")
        if not self._loading:
            # Remember the chosen profile for the next run, without touching its answers.
            self._save()
        self._update()

    def _changed(self, _change) -> None:
        self._save()
        self._update()

    def _update(self) -> None:
        if self.profile is None:
            self.results.value = "<p><em>Choisissez d'abord votre profil.</em></p>"
            self.export_button.disabled = True
            return
        self.export_button.disabled = False
        self.results.value = report_html(self.bank, self.profile, self.answers())

    def _export_clicked(self) -> None:
        try:
            html_path, csv_path = self.export()
        except OSError as exc:
            self.export_status.value = f"<p role='alert' style='color:#cf222e'>Export impossible : {_e(exc)}</p>"
            return
        links = []
        for path, mime in ((html_path, "text/html"), (csv_path, "text/csv")):
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            links.append(f"<a download='{_e(path.name)}' href='data:{mime};base64,{data}'>télécharger {_e(path.name)}</a>")
        self.export_status.value = (
            f"<p role='status'>✓ Exporté dans le dossier <code>{_e(html_path.parent)}</code> : "
            f"{' ; '.join(links)}. Le fichier HTML s'imprime (ou s'enregistre en PDF) depuis le navigateur ; "
            "le fichier CSV s'ouvre dans un tableur.</p>")

    # Python API ------------------------------------------------------------------------
    def choose(self, profile: str) -> None:
        self.bank.check_profile(profile)
        self.selector.value = profile

    def answer(self, item_id: str, value: str | None) -> None:
        """Answer an item exactly as a click on its radio button would."""
        if self.profile is None:
            raise ValueError("Choisissez d'abord un profil.")
        if item_id not in self.radios:
            raise KeyError(f"Pas d'item « {item_id} » pour le profil « {self.profile} ».")
        if value is not None and value not in ANSWERS:
            raise ValueError(f"Réponse impossible « {value} » : {', '.join(ANSWERS)}.")
        self.radios[item_id].value = value

    def answers(self) -> dict[str, str]:
        return {k: r.value for k, r in self.radios.items() if r.value is not None}

    def export(self, folder: str | Path | None = None) -> tuple[Path, Path]:
        if self.profile is None:
            raise ValueError("Choisissez d'abord un profil.")
        return export(self.bank, self.profile, self.answers(), folder)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        bundle = self.box._repr_mimebundle_()
        bundle["text/plain"] = (f"{self.bank.title} : questionnaire interactif (réexécutez la cellule s'il ne "
                                "s'affiche pas ; vos réponses sont conservées).")
        display(bundle, raw=True)


def autoevaluation() -> SelfAssessment:
    """The self-assessment questionnaire, with the learner's saved answers restored."""
    return SelfAssessment()
