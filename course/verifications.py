"""French messages for the visible checks of an assignment, in the learner's kernel.

The visible checks of a test cell are plain ``assert`` statements (the judge parses
them). In the learner's kernel, ``evaluation()`` installs a handler so that:

- a failing visible check prints its French message, without a traceback;
- a name that the learner has not defined yet (exercise not done, or its cell not run)
  prints « Exercice à compléter : … »;
- neither stops « Exécuter toutes les cellules »: JupyterLab stops a run at the first
  cell whose execution reply is an error, so the handler marks the cell as executed.

Grading stays as strict: the handler is never installed in a batch kernel (nbclient, hence
nbgrader, nbval and any judge built on them, starts kernels with an in-memory history,
where JupyterLab's have a history file; ``COURS_NOTATION=1`` also disables it); and even if
it were, its messages go to stderr, which makes nbgrader give 0 to a grade cell. Any other error, or an error
raised inside the learner's own functions, keeps its normal traceback.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Any

NOT_DEFINED = ("Exercice à compléter : « {name} » n'est pas encore défini (écrivez-le dans la cellule "
               "de réponse de l'exercice et exécutez-la, puis réexécutez cette cellule ; ou corrigez le nom "
               "s'il est mal orthographié).")
FAILED = "✗ Vérification non réussie : {message}"
FAILED_WITHOUT_MESSAGE = "une condition attendue n'est pas remplie."


def _name_of(error: NameError) -> str:
    name = getattr(error, "name", None)
    if name:
        return name
    found = re.search(r"name '([^']+)' is not defined", str(error))
    return found.group(1) if found else str(error)


def _raised_by_the_cell(tb) -> bool:
    """True if the error was raised by the cell's own code (comprehensions included), not
    inside a function defined in another cell or a library."""
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    cell = next((code for code in frames if code.co_name == "<module>"), None)
    return cell is not None and frames[-1].co_filename == cell.co_filename


def french_message(error: BaseException) -> str:
    if isinstance(error, NameError):
        return NOT_DEFINED.format(name=_name_of(error))
    return FAILED.format(message=str(error).strip() or FAILED_WITHOUT_MESSAGE)


def _handler(shell, etype, value, tb, tb_offset=None):
    if isinstance(value, UnboundLocalError) or not _raised_by_the_cell(tb):
        return shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    print(french_message(value), file=sys.stderr, flush=True)
    result = getattr(shell.displayhook, "exec_result", None)
    if result is not None:
        result.error_in_exec = None  # an ok reply: « Exécuter toutes les cellules » goes on
    return []


def in_grading_kernel(shell: Any) -> bool:
    if os.environ.get("COURS_NOTATION"):
        return True
    history = getattr(shell, "history_manager", None)
    return str(getattr(history, "hist_file", "")) == ":memory:"


def install_french_messages(shell: Any = None) -> bool:
    """Install the handler in the current IPython kernel; False if there is none or it grades."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with Jupyter
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc") or in_grading_kernel(shell):
        return False
    shell.set_custom_exc((AssertionError, NameError), _handler)
    return True
