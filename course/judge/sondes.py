"""Small helpers for hidden tests, so that they stay of the form ``assert expression == attendu``.

    from course.judge.sondes import leve
    assert leve(lambda: cle_nir("153")) == "ValueError", "cle_nir doit refuser un NIR trop court."

The expression runs on the learner's code in the sandbox; the expected side stays with
the trainer (see course/judge/plan.py).
"""
from __future__ import annotations

from typing import Any, Callable


def leve(action: Callable[[], Any]) -> str | None:
    """The name of the exception ``action()`` raises, or None if it returns normally."""
    try:
        action()
    except Exception as exc:  # the learner's code: any exception is an answer
        return type(exc).__name__
    return None
