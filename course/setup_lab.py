"""Prepare the learner's JupyterLab in the current environment (run by ``make lab``).

- French by default, no news or update pop-ups: an ``overrides.json`` in the
  environment's ``share/jupyter/lab/settings``;
- nbgrader's trainer tools (formgrader, create assignment) disabled and locked, since
  JupyterLab >= 4.1 lets a user re-enable a disabled plugin unless it is locked;
- notebooks of the course's folders saved without outputs, and the nbstripout git filter
  (course.clean_repo): a learner's work leaves ``git status`` clean;
- nbgrader's Assignments and Courses tabs and its menu (English errors without an exchange:
  self-study uses the French page « Mes devoirs »);
- nbgrader's « Validate » button too: it said "Success!" on unfinished assignments and
  showed on lessons; assignments have their own « Vérifier mon devoir » (course.devoir).

Idempotent: running it again changes nothing.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .clean_repo import install_git_filter, read_settings, write_server_config

LAB_OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "fr_FR"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
TRAINER_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
VALIDATE_LAB_PLUGINS = ("@jupyter/nbgrader:validate-assignment",)
# In self-study the exchange does not exist: the Assignments and Courses tabs only showed
# English errors. The French page « Mes devoirs » (course.mes_devoirs) replaces them; a
# training server (deploy/) enables them again for its learners.
EXCHANGE_LAB_PLUGINS = ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:menu")
HIDDEN_LAB_PLUGINS = TRAINER_LAB_PLUGINS + VALIDATE_LAB_PLUGINS + EXCHANGE_LAB_PLUGINS
TRAINER_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",)
EXCHANGE_SERVER_EXTENSIONS = ("nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list",
                              "nbgrader.server_extensions.validate_assignment")
HIDDEN_SERVER_EXTENSIONS = TRAINER_SERVER_EXTENSIONS + EXCHANGE_SERVER_EXTENSIONS


def overrides_path(prefix: str | Path = sys.prefix) -> Path:
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def write_overrides(prefix: str | Path = sys.prefix) -> Path:
    """Merge our settings into overrides.json, keeping any other setting already there."""
    path = overrides_path(prefix)
    current = read_settings(path)
    for plugin, settings in LAB_OVERRIDES.items():
        current.setdefault(plugin, {}).update(settings)
    path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _jupyter(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "jupyter", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def hide_trainer_tools() -> None:
    for plugin in HIDDEN_LAB_PLUGINS:
        _jupyter("labextension", "disable", "--level=sys_prefix", plugin)
        _jupyter("labextension", "lock", "--level=sys_prefix", plugin)
    for extension in HIDDEN_SERVER_EXTENSIONS:
        _jupyter("server", "extension", "disable", "--sys-prefix", extension)


def main() -> None:
    path = write_overrides()
    hide_trainer_tools()
    write_server_config()
    if install_git_filter(Path(__file__).resolve().parent.parent):
        print("Filtre git nbstripout installé : vos notebooks exécutés et enregistrés ne modifient pas "
              "le dépôt (git status reste propre).")
    print(f"JupyterLab configuré : interface en français ({path}), outils formateur et bouton "
          "« Validate » masqués.")


if __name__ == "__main__":
    main()
