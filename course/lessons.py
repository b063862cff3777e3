"""The lesson notebooks of the course, by module, and links to their sections."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

# module -> (lesson notebook in notebooks/, short French title)
LESSONS: dict[int, tuple[str, str]] = {
    0: ("module0_doctrine.ipynb", "La doctrine : de quoi parle-t-on ?"),
    1: ("module1_services_socles.ipynb", "Outils et services socles"),
    2: ("module2_referentiels.ipynb", "Référentiels"),
    3: ("module3_segur.ipynb", "Process, labellisation et Ségur"),
    4: ("module4_medico_social.ipynb", "Le médico-social"),
}


def notebooks_dir() -> Path | None:
    """The course checkout's notebooks/ folder, or None (installed from a wheel)."""
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=8)
def headings(module: int) -> tuple[str, ...] | None:
    """Titles of the Markdown headings of a module's lesson (None if the lesson is not here)."""
    folder = notebooks_dir()
    if folder is None or module not in LESSONS:
        return None
    path = folder / LESSONS[module][0]
    if not path.exists():
        return None
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    titles = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.startswith("#"):
                titles.append(line.lstrip("#").strip())
    return tuple(titles)


def section_link(module: int, section: str) -> str:
    """Relative link, from notebooks/, to a section of a lesson (JupyterLab's heading anchors:
    the title with its spaces replaced by hyphens)."""
    notebook = LESSONS[module][0]
    return f"{notebook}#{quote(section.replace(' ', '-'), safe='')}"


def lesson_label(module: int, section: str | None = None) -> str:
    label = f"Module {module} — {LESSONS[module][1]}"
    return f"{label}, § {section}" if section else label
