"""Keep the course repository clean while learners use it.

A learner opens, runs and saves lessons and assignments in place; JupyterLab would then
write outputs, execution counts, widget state and kernel details into tracked notebooks
(so ``git status`` lists them and a ``git pull`` of course updates conflicts). Two guards,
both installed by ``make lab`` (course.setup_lab):

- a JupyterLab pre-save hook (``pre_save_hook``) saves the notebooks of the course's own
  folders (notebooks/, exercises/, solutions/) in their committed form, without outputs:
  the file stays byte for byte what git has, so ``git status`` and ``git pull`` see nothing
  (the nbstripout filter alone is not enough: git reports a file whose size changed as
  modified without running the filter). A learner's personal copies (``travail/``) keep
  their outputs;
- the ``nbstripout`` git filter, so that a notebook saved otherwise is still committed and
  diffed without outputs.

The committed notebooks are in exactly that form (tests/test_clean_repo.py checks it).
Learners' own files (answers files, checkpoints, ``travail/``) are ignored by git.
"""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat

# Besides nbstripout's defaults (outputs, execution counts, metadata.widgets, signature…):
# what the kernel adds to the notebook's language_info on save. The committed notebooks
# keep language_info.name and the kernelspec of ipykernel's « python3 ».
EXTRA_KEYS = (
    "metadata.language_info.codemirror_mode",
    "metadata.language_info.file_extension",
    "metadata.language_info.mimetype",
    "metadata.language_info.nbconvert_exporter",
    "metadata.language_info.pygments_lexer",
    "metadata.language_info.version",
    "cell.metadata.trusted",
)
# nbstripout renumbers cell ids unless told not to; ours are stable and committed.
FILTER_OPTIONS = ("--keep-id",)
ATTRIBUTES = "*.ipynb filter=nbstripout\n*.ipynb diff=ipynb\n"


def filter_command(python: str = sys.executable) -> str:
    return " ".join([shlex.quote(python), "-m", "nbstripout", *FILTER_OPTIONS])


def install_git_filter(repo: Path, python: str = sys.executable) -> bool:
    """Configure the nbstripout filter in ``repo``'s git config; False if not a git clone.

    Not ``required``: if the environment is removed (``make clean``), git keeps working
    with the notebooks as they are instead of failing on every command. A linked worktree
    (``.git`` is a file) is left alone: its config is shared with the main checkout, whose
    own ``make lab`` installs the filter with its own Python.
    """
    if not (repo / ".git").is_dir():
        return False
    settings = {
        "filter.nbstripout.clean": filter_command(python),
        "filter.nbstripout.smudge": "cat",
        "filter.nbstripout.extrakeys": " ".join(EXTRA_KEYS),
        "diff.ipynb.textconv": filter_command(python) + " -t",
    }
    for key, value in settings.items():
        subprocess.run(["git", "config", "--local", key, value], cwd=repo, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return True


def clean_notebook_text(text: str) -> str:
    """A notebook as the git filter stores it (same function, same options)."""
    from nbstripout import strip_output

    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    keys = [*_default_extra_keys(), *EXTRA_KEYS]
    nb = strip_output(nb, keep_output=False, keep_count=False, keep_id=True, extra_keys=keys)
    return nbformat.writes(nb) + "\n"


def _default_extra_keys() -> list[str]:
    # The keys nbstripout strips by default (nbstripout/_nbstripout.py, main()).
    return ["metadata.signature", "metadata.widgets", "cell.metadata.collapsed",
            "cell.metadata.ExecuteTime", "cell.metadata.execution", "cell.metadata.heading_collapsed",
            "cell.metadata.hidden", "cell.metadata.scrolled"]


def has_learner_traces(text: str) -> bool:
    """Outputs, execution counts or widget state: the notebook was run and saved."""
    content = json.loads(text)
    if "widgets" in content.get("metadata", {}):
        return True
    return any(cell.get("outputs") or cell.get("execution_count") is not None
               for cell in content.get("cells", []) if cell.get("cell_type") == "code")


CLEAN_FOLDERS = ("notebooks", "exercises", "solutions")


def course_checkout_of(path: Path) -> Path | None:
    """The course checkout whose notebooks/, exercises/ or solutions/ holds ``path``."""
    for folder in path.parents:
        if folder.name in CLEAN_FOLDERS and (folder.parent / "course" / "clean_repo.py").is_file():
            return folder.parent
    return None


def pre_save_hook(model: dict, path: str, contents_manager: Any, **_kwargs) -> None:
    """jupyter_server hook: save the course's own notebooks in their committed form."""
    if model.get("type") != "notebook" or not model.get("content"):
        return
    target = Path(contents_manager.root_dir, path.lstrip("/")).resolve()
    if course_checkout_of(target) is None:
        return
    text = nbformat.writes(nbformat.from_dict(model["content"]))
    model["content"] = json.loads(normalized_notebook_text(text))


def read_settings(path: Path) -> dict:
    """A JSON settings file to merge into (its folder created); empty if absent or unreadable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_server_config(prefix: str | Path = sys.prefix) -> Path:
    """Register the hook for every Jupyter server of this environment, keeping any other
    setting of its ``jupyter_server_config.json`` (the ``.d`` folder only enables extensions)."""
    path = Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.json"
    config = read_settings(path)
    config.setdefault("ContentsManager", {})["pre_save_hook"] = "course.clean_repo.pre_save_hook"
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def normalized_notebook_text(text: str) -> str:
    """The committed form of a notebook: what the filter keeps, with the kernel details that
    JupyterLab writes on save (so a learner's save changes nothing git can see)."""
    nb = nbformat.reads(clean_notebook_text(text), as_version=nbformat.NO_CONVERT)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the given notebooks (default: every tracked one) in their committed form."""
    repo = Path(__file__).resolve().parent.parent
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    if not paths:
        listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=repo, capture_output=True, text=True,
                                check=True).stdout.split()
        paths = [repo / p for p in listed]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        normal = normalized_notebook_text(text)
        if normal != text:
            path.write_text(normal, encoding="utf-8")
            print(f"normalisé : {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
