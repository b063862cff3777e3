"""Question banks: loading and validating the YAML files of ``data/questions/``.

The format is described for authors in ``docs/banques.md``. Every error names the
file, the question and the field, in French, so that a trainer editing a bank can
fix it without reading this code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .answer_format import AnswerFormatError, check_answer
from .paths import data_dir

KINDS = ("single", "multiple", "true_false", "matching", "ordering", "short_answer")
MODES = ("practice", "graded")
KIND_LABELS = {
    "single": "choix unique",
    "multiple": "choix multiple",
    "true_false": "vrai ou faux",
    "matching": "association",
    "ordering": "remise en ordre",
    "short_answer": "réponse courte",
}
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_URL_PATTERN = re.compile(r"^https?://\S+$")
_QUESTION_FIELDS = {
    "id", "kind", "text", "choices", "prompts", "targets", "items", "expects",
    "answer", "explanation", "source", "edition", "concepts", "hint", "shuffle_seed",
}
_QUIZ_FIELDS = {"id", "title", "module", "mode", "questions"}


class BankError(ValueError):
    """One or more problems in a question bank, each described in French."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    text: str
    source: str
    edition: str
    concepts: tuple[str, ...]
    choices: tuple[Option, ...] = ()
    prompts: tuple[Option, ...] = ()
    targets: tuple[Option, ...] = ()
    items: tuple[Option, ...] = ()
    expects: str | None = None
    answer: Any = None
    explanation: str | None = None
    # Matching and ordering: a hint replacing the generic one, and a salt for the stable
    # shuffle of the displayed options (changed by an author only if a test asks for it).
    hint: str | None = None
    shuffle_seed: int = 0

    def option_ids(self, group: str) -> list[str]:
        return [o.id for o in getattr(self, group)]


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    module: int
    mode: str
    questions: tuple[Question, ...]
    path: Path = field(compare=False)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        known = ", ".join(q.id for q in self.questions)
        raise KeyError(
            f"Le quiz « {self.id} » n'a pas de question « {question_id} » (questions : {known})."
        )


@lru_cache(maxsize=1)
def concepts() -> dict[str, str]:
    """The course's fixed list of concept tags: tag -> French label."""
    return _load_mapping("concepts.yaml", "concepts")


@lru_cache(maxsize=1)
def editions() -> dict[str, str]:
    """Doctrine editions a question may reflect: key -> French description."""
    return _load_mapping("editions.yaml", "editions")


def _load_mapping(filename: str, key: str) -> dict[str, str]:
    path = data_dir() / filename
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    mapping = content.get(key)
    if not isinstance(mapping, dict) or not mapping:
        raise BankError([f"{path} : la clé « {key} » doit être un dictionnaire non vide."])
    return {str(k): str(v) for k, v in mapping.items()}


def bank_dir() -> Path:
    return data_dir() / "questions"


def quiz_ids() -> list[str]:
    return sorted(p.stem for p in bank_dir().glob("*.yaml"))


def load_quiz(quiz_id: str) -> Quiz:
    path = bank_dir() / f"{quiz_id}.yaml"
    if not path.exists():
        known = ", ".join(quiz_ids()) or "aucun"
        raise BankError([f"Quiz « {quiz_id} » introuvable : pas de fichier {path} (quiz connus : {known})."])
    return _cached_load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _cached_load(path: Path, _mtime: int) -> Quiz:
    return parse_quiz_file(path)


def load_all() -> list[Quiz]:
    """Every bank, validated, with question ids checked unique across the course."""
    quizzes, problems, seen = [], [], {}
    for quiz_id in quiz_ids():
        try:
            quiz = load_quiz(quiz_id)
        except BankError as exc:
            problems.extend(exc.problems)
            continue
        quizzes.append(quiz)
        for q in quiz.questions:
            if q.id in seen:
                problems.append(
                    f"{quiz.path.name}, question « {q.id} », champ « id » : identifiant déjà "
                    f"utilisé dans {seen[q.id]} ; chaque question du cours doit avoir un id unique."
                )
            seen[q.id] = quiz.path.name
    if problems:
        raise BankError(problems)
    return quizzes


def parse_quiz_file(path: Path) -> Quiz:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BankError([f"{path.name} : YAML illisible ({exc})."]) from None
    except UnicodeDecodeError:
        raise BankError([f"{path.name} : le fichier doit être encodé en UTF-8."]) from None
    return _Validator(path).quiz(content)


class _Validator:
    """Collects every problem of one file before raising, so authors fix them in one pass."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[str] = []

    def problem(self, question_id: str | None, field_name: str, message: str) -> None:
        where = f"question « {question_id} », " if question_id else ""
        self.problems.append(f"{self.path.name}, {where}champ « {field_name} » : {message}")

    def quiz(self, content: Any) -> Quiz:
        if not isinstance(content, dict):
            raise BankError([f"{self.path.name} : le fichier doit décrire un quiz (un dictionnaire YAML)."])
        for name in sorted(set(content) - _QUIZ_FIELDS):
            self.problem(None, name, "champ inconnu.")
        quiz_id = self.text(None, content, "id")
        if quiz_id and quiz_id != self.path.stem:
            self.problem(None, "id", f"« {quiz_id} » doit être identique au nom du fichier (« {self.path.stem} »).")
        title = self.text(None, content, "title")
        module = content.get("module")
        if not isinstance(module, int) or isinstance(module, bool) or not 0 <= module <= 4:
            self.problem(None, "module", "doit être un numéro de module entre 0 et 4.")
        mode = content.get("mode")
        if mode not in MODES:
            self.problem(None, "mode", f"doit valoir « practice » ou « graded » (trouvé : {mode!r}).")
        raw_questions = content.get("questions")
        questions: list[Question] = []
        if not isinstance(raw_questions, list) or not raw_questions:
            self.problem(None, "questions", "doit être une liste non vide de questions.")
        else:
            ids = set()
            for index, raw in enumerate(raw_questions, start=1):
                q = self.question(raw, index, mode)
                if q is None:
                    continue
                if q.id in ids:
                    self.problem(q.id, "id", "identifiant en double dans ce fichier.")
                ids.add(q.id)
                questions.append(q)
        if self.problems:
            raise BankError(self.problems)
        return Quiz(quiz_id, title, module, mode, tuple(questions), self.path)

    def text(self, qid: str | None, raw: dict, name: str, required: bool = True) -> str | None:
        value = raw.get(name)
        if value is None:
            if required:
                self.problem(qid, name, "champ obligatoire manquant.")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(qid, name, "doit être un texte non vide.")
            return None
        return value.strip()

    def options(self, qid: str, raw: dict, name: str, minimum: int) -> tuple[Option, ...]:
        value = raw.get(name)
        if not isinstance(value, list) or len(value) < minimum:
            self.problem(qid, name, f"doit être une liste d'au moins {minimum} éléments {{id, text}}.")
            return ()
        options, ids = [], set()
        for position, item in enumerate(value, start=1):
            if not isinstance(item, dict) or set(item) != {"id", "text"}:
                self.problem(qid, name, f"l'élément n° {position} doit avoir exactement les clés id et text.")
                continue
            option_id, text = str(item["id"]), item["text"]
            if not isinstance(text, str) or not text.strip():
                self.problem(qid, name, f"l'élément « {option_id} » a un texte vide.")
                continue
            if option_id in ids:
                self.problem(qid, name, f"l'id « {option_id} » apparaît deux fois.")
            ids.add(option_id)
            options.append(Option(option_id, text.strip()))
        return tuple(options)

    def question(self, raw: Any, index: int, mode: str | None) -> Question | None:
        if not isinstance(raw, dict):
            self.problem(f"n° {index}", "questions", "chaque question doit être un dictionnaire.")
            return None
        raw_id = raw.get("id")
        qid = str(raw_id) if raw_id is not None else f"n° {index}"
        if not isinstance(raw_id, str) or not _ID_PATTERN.match(raw_id):
            self.problem(qid, "id", "obligatoire : minuscules, chiffres, tirets (ex. « m0-cadre-01 »).")
        for name in sorted(set(raw) - _QUESTION_FIELDS):
            self.problem(qid, name, "champ inconnu.")
        kind = raw.get("kind")
        if kind not in KINDS:
            self.problem(qid, "kind", f"doit être l'un de : {', '.join(KINDS)} (trouvé : {kind!r}).")
            return None
        text = self.text(qid, raw, "text")
        source = self.text(qid, raw, "source")
        if source and not _URL_PATTERN.match(source):
            self.problem(qid, "source", "doit être une URL http(s) vers la source du fait.")
        edition = raw.get("edition")
        edition = str(edition) if edition is not None else None
        if edition not in editions():
            self.problem(qid, "edition", f"doit être l'une des éditions de data/editions.yaml : {', '.join(editions())}.")
        tags = raw.get("concepts")
        if not isinstance(tags, list) or not tags:
            self.problem(qid, "concepts", "doit être une liste non vide d'étiquettes de data/concepts.yaml.")
            tags = []
        for tag in tags:
            if tag not in concepts():
                self.problem(qid, "concepts", f"étiquette inconnue « {tag} » (voir data/concepts.yaml).")
        parts = {}
        if kind in ("single", "multiple"):
            parts["choices"] = self.options(qid, raw, "choices", 2 if kind == "single" else 3)
        elif kind == "matching":
            parts["prompts"] = self.options(qid, raw, "prompts", 2)
            parts["targets"] = self.options(qid, raw, "targets", 2)
            if parts["prompts"] and parts["targets"] and len(parts["targets"]) < len(parts["prompts"]):
                self.problem(qid, "targets", "il faut au moins autant de cibles que d'éléments à associer.")
        elif kind == "ordering":
            parts["items"] = self.options(qid, raw, "items", 3)
        elif kind == "short_answer":
            parts["expects"] = raw.get("expects")
            if parts["expects"] not in ("text", "number"):
                self.problem(qid, "expects", "doit valoir « text » ou « number » pour une réponse courte.")
        if kind in ("matching", "ordering"):
            if "hint" in raw:
                parts["hint"] = self.text(qid, raw, "hint")
            if "shuffle_seed" in raw:
                seed = raw["shuffle_seed"]
                if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
                    self.problem(qid, "shuffle_seed", "doit être un entier positif ou nul.")
                else:
                    parts["shuffle_seed"] = seed
        for name in ("choices", "prompts", "targets", "items", "expects", "hint", "shuffle_seed"):
            if name in raw and name not in parts:
                self.problem(qid, name, f"ce champ n'a pas de sens pour le type « {kind} ».")
        answer, explanation = raw.get("answer"), raw.get("explanation")
        if mode == "graded":
            # The key of graded work lives only in the hidden tests of solutions/.
            for name in ("answer", "explanation"):
                if name in raw:
                    self.problem(qid, name, "interdit dans une banque notée : le corrigé ne doit vivre "
                                 "que dans les tests cachés du notebook source (solutions/).")
            answer = explanation = None
        else:
            explanation = self.text(qid, raw, "explanation")
            if "answer" not in raw:
                self.problem(qid, "answer", "champ obligatoire manquant.")
        question = Question(
            id=qid, kind=kind, text=text or "", source=source or "", edition=edition or "",
            concepts=tuple(tags), explanation=explanation, **parts,
        )
        if mode == "practice" and "answer" in raw:
            try:
                answer = check_answer(question, answer, complete=True)
            except AnswerFormatError as exc:
                self.problem(qid, "answer", str(exc))
            question = replace(question, answer=answer)
        return question
