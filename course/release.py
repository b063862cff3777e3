"""Generate the learners' versions (exercises/) from the nbgrader sources (solutions/).

Run with ``make exercices`` or ``python -m course.release [ASSIGNMENT ...]``.
Generation happens in a throw-away nbgrader course so that the repository never
holds a gradebook. An answers file left in a source folder (the author clicked a
graded quiz while writing) is refused: nbgrader would release it to every learner.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .answers_store import ANSWERS_FILENAME
from .nbgrader_settings import command_env, config_file_text

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
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(course / "release" / assignment, out)
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
