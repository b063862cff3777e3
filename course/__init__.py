"""Cours interactif sur la doctrine du numérique en santé : quiz, corrections et outils du formateur."""
import sys

# jsonschema (imported by nbformat) loads rfc3987_syntax when present, which builds some forty
# grammars at import (about 1.5 s per process, 3 s on a busy machine) for IRI formats that no
# notebook schema check uses: every formation command and grading run paid it. Blocked here;
# jsonschema skips that format checker (benchmarks/grading.py measures the effect).
sys.modules.setdefault("rfc3987_syntax", None)

from .devoir import verifier_devoir  # noqa: E402
from .quiz import evaluation, pratique  # noqa: E402

__all__ = ["evaluation", "pratique", "verifier_devoir"]
__version__ = "0.1.0"
