"""The learners' list (roster), as French spreadsheets export it, validated before anything is written.

Accepted: UTF-8 with or without BOM (Windows-1252 too, with a warning), separated by
« ; » or « , » (or tabulations). Required column: ``identifiant``; optional: ``prenom``,
``nom``, ``courriel``. Identifiers must be usable as folder and unix user names.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import FormationError

ID_PATTERN = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
RESERVED = {"root", "daemon", "bin", "sys", "nobody", "admin", "jovyan"}
COLUMN_ALIASES = {
    "identifiant": "identifiant", "id": "identifiant", "login": "identifiant", "username": "identifiant",
    "prenom": "prenom", "nom": "nom",
    "courriel": "courriel", "email": "courriel", "e-mail": "courriel", "mail": "courriel", "adresse electronique": "courriel",
}


@dataclass(frozen=True)
class Learner:
    """A roster line; None for a column the file does not have (never « blank it »)."""
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _decode(raw: bytes) -> tuple[str, list[str]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        if raw.startswith(b"\xef\xbb\xbf"):
            return raw[3:].decode("cp1252", errors="replace"), [
                "Encodage mélangé : le fichier commence par la marque d'un fichier UTF-8 (BOM) mais son contenu "
                "est en Windows (cp1252). Il a été lu comme un export Windows : vérifiez les accents dans le "
                "résumé ; au besoin, réenregistrez-le en « CSV UTF-8 »."]
        return raw.decode("cp1252", errors="replace"), [
            "Le fichier n'est pas en UTF-8 : il a été lu comme un export Windows (cp1252). "
            "Vérifiez les accents dans le résumé ; au besoin, réenregistrez-le en « CSV UTF-8 »."]


def read_roster(path: Path) -> tuple[list[Learner], list[str]]:
    """The learners of ``path`` and warnings; raises FormationError listing every bad line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormationError(f"Impossible de lire {path} : {exc.strerror or exc}.") from None
    text, warnings = _decode(raw)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise FormationError(f"{path.name} est vide : la première ligne doit nommer les colonnes (identifiant;prenom;nom;courriel).")
    header = lines[0]
    delimiter = max(";,\t", key=header.count) if any(d in header for d in ";,\t") else ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    columns = [COLUMN_ALIASES.get(_plain(name), _plain(name)) for name in rows[0]]
    if "identifiant" not in columns:
        raise FormationError(
            f"{path.name}, ligne 1 : colonne « identifiant » introuvable (colonnes lues : {', '.join(rows[0])}). "
            "Ajoutez une colonne identifiant ; prenom, nom et courriel sont facultatives.")
    problems, learners, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines at the end of spreadsheet exports
        if len(row) != len(columns):
            problems.append(f"ligne {number} : {len(row)} valeur(s) pour {len(columns)} colonne(s) "
                            f"(séparateur « {delimiter} » dans une valeur ?)")
            continue
        values = {column: cell.strip() for column, cell in zip(columns, row)}
        learner_id = values["identifiant"]
        if not learner_id:
            problems.append(f"ligne {number} : identifiant vide")
            continue
        if not ID_PATTERN.match(learner_id) or learner_id in RESERVED:
            problems.append(
                f"ligne {number} : identifiant « {learner_id} » refusé (minuscules sans accent, chiffres, - et _, "
                "32 caractères au plus, commençant par une lettre ; pas de nom réservé comme root)")
            continue
        if learner_id in seen:
            problems.append(f"ligne {number} : identifiant « {learner_id} » déjà utilisé ligne {seen[learner_id]}")
            continue
        seen[learner_id] = number
        learners.append(Learner(learner_id, values.get("prenom"), values.get("nom"), values.get("courriel")))
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise FormationError(
            f"{path.name} : {len(problems)} ligne(s) à corriger, rien n'a été importé :\n{listing}")
    if not learners:
        raise FormationError(f"{path.name} ne contient aucun apprenant (seulement la ligne d'en-tête).")
    return learners, warnings
