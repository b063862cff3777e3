"""Generate the learners' versions (exercises/) from the nbgrader sources (solutions/).

Run with ``make exercices`` or ``python -m course.release [ASSIGNMENT ...]``.
Generation happens in a throw-away nbgrader course so that the repository never
holds a gradebook. An answers file left in a source folder (the author clicked a
graded quiz while writing) is refused: nbgrader would release it to every learner.

Generation writes its own files and removes nothing else: a learner's files in
``exercises/`` (answers file, checkpoints) are kept, and a notebook that a learner ran or
wrote in is never overwritten (generation is refused, in French, until it is moved).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .answers_store import ANSWERS_FILENAME
from .clean_repo import has_learner_traces
from .nbgrader_settings import CODE_STUB, TEXT_STUB, command_env, config_file_text

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "solutions"
RELEASES = REPO / "exercises"


class ReleaseError(RuntimeError):
    """A source that must not be released as it is, explained in French."""


def assignments(sources: Path = SOURCES) -> list[str]:
    return sorted(p.name for p in sources.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def stray_answers_files(source: Path) -> list[Path]:
    """Answers files (or set-aside copies) inside a source folder."""
    stem = Path(ANSWERS_FILENAME).stem
    return sorted(p for p in source.rglob(f"{stem}*") if p.is_file())


# Stubs of earlier releases: a solution cell holding one of them is not a learner's work.
_KNOWN_STUBS = {CODE_STUB, TEXT_STUB, "# VOTRE CODE ICI\nraise NotImplementedError()"}


def learner_work(current: Path, fresh: Path) -> str | None:
    """Why the notebook ``current`` holds a learner's work (None if it is only an older
    release): it was run (outputs, counts) or one of its answer cells was written in."""
    text = current.read_text(encoding="utf-8")
    if has_learner_traces(text):
        return "exécuté et enregistré"
    import nbformat

    def answers(nb) -> dict:
        return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("solution")}
    before = answers(nbformat.reads(text, as_version=4))
    after = answers(nbformat.read(fresh, as_version=4))
    for grade_id, source in before.items():
        if source != after.get(grade_id) and source.strip() not in _KNOWN_STUBS and source.strip():
            return f"réponse écrite dans la cellule « {grade_id} »"
    return None


def generate(assignment: str, target: Path, sources: Path = SOURCES) -> Path:
    """Write the learner version of ``assignment`` into ``target/assignment``."""
    source = sources / assignment
    strays = stray_answers_files(source)
    if strays:
        names = ", ".join(str(p.relative_to(sources)) for p in strays)
        raise ReleaseError(
            f"Génération refusée pour « {assignment} » : fichier(s) de réponses dans la source ({names}). "
            "Il serait distribué à tous les apprenants et remplacerait leurs réponses à la correction. "
            "Supprimez-le (il vient d'un quiz rempli dans solutions/) puis relancez."
        )
    with tempfile.TemporaryDirectory(prefix="cours-release-") as tmp:
        course = Path(tmp)
        shutil.copytree(source, course / "source" / assignment,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        (course / "nbgrader_config.py").write_text(config_file_text("generation", [assignment]),
                                                   encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
            cwd=course, capture_output=True, text=True, env=command_env(),
        )
        if result.returncode != 0:
            raise ReleaseError(f"nbgrader n'a pas pu générer « {assignment} » :\n{result.stdout}{result.stderr}")
        out = target / assignment
        produced = course / "release" / assignment
        files = sorted(p.relative_to(produced) for p in produced.rglob("*") if p.is_file())
        worked = [f"{name} ({why})" for name in files if name.suffix == ".ipynb" and (out / name).is_file()
                  and (why := learner_work(out / name, produced / name))]
        if worked:
            raise ReleaseError(
                f"Génération refusée pour « {assignment} » : {out} contient le travail d'un apprenant "
                f"({', '.join(map(str, worked))}). Rien n'a été modifié. Déplacez ce travail dans le dossier "
                f"personnel travail/ (ignoré par git), par exemple : mv {out} travail/{assignment} ; puis relancez."
            )
        for name in files:  # only our own files: answers files and checkpoints stay
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(produced / name, out / name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course.release",
        description="Génère les devoirs version apprenant (exercises/) depuis leurs sources nbgrader (solutions/).",
    )
    parser.add_argument("devoirs", nargs="*", help="devoirs à générer (par défaut : tous)")
    args = parser.parse_args(argv)
    names = args.devoirs or assignments()
    unknown = sorted(set(names) - set(assignments()))
    if unknown:
        print(f"Devoir(s) inconnu(s) : {', '.join(unknown)}. Disponibles : {', '.join(assignments())}.",
              file=sys.stderr)
        return 2
    for number, name in enumerate(names, start=1):
        print(f"[{number}/{len(names)}] Génération de « {name} »…", flush=True)
        try:
            out = generate(name, RELEASES)
        except ReleaseError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"      → {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
