"""Scoring of one answer against its key: a fraction between 0 and 1.

Partial credit (documented for authors in docs/banques.md):
- multiple: (right ticks - wrong ticks) / number of right choices, never below 0;
- matching: share of prompts matched to the right target;
- ordering: share of item pairs placed in the right relative order;
- every other kind: all or nothing.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import combinations
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bank import Question


def normalise_text(text: str) -> str:
    """Lower case, no accents, punctuation and runs of spaces folded to one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    no_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[\W_]+", " ", no_accents)
    return words.strip()


def parse_number(text: str) -> float | None:
    """Read a number typed the French way (« 1 350 », « 3,5 ») or the English way."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text.strip())
    if re.fullmatch(r"[+-]?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def score(question: Question, answer: Any, key: Any) -> float:
    """Fraction of the points earned; ``answer`` and ``key`` are in canonical form."""
    if answer is None:
        return 0.0
    kind = question.kind
    if kind in ("single", "true_false"):
        return 1.0 if answer == key else 0.0
    if kind == "multiple":
        right = sum(1 for a in answer if a in key)
        wrong = len(answer) - right
        return max(0.0, (right - wrong) / len(key))
    if kind == "matching":
        hits = sum(1 for prompt, target in key.items() if answer.get(prompt) == target)
        return hits / len(key)
    if kind == "ordering":
        return _pairs_in_order(answer, key)
    if kind == "short_answer":
        if "value" in key:
            number = parse_number(answer)
            return 1.0 if number is not None and abs(number - key["value"]) <= key["tolerance"] else 0.0
        typed = normalise_text(answer)
        return 1.0 if typed and typed in {normalise_text(a) for a in key["accepted"]} else 0.0
    raise ValueError(f"type de question inconnu : {kind}")


def _pairs_in_order(answer: list, key: list) -> float:
    # An item placed twice counts as not placed: otherwise filling every position
    # with the same item would earn credit.
    positions = {item: i for i, item in enumerate(answer) if item is not None and answer.count(item) == 1}
    pairs = list(combinations(key, 2))
    good = sum(1 for first, second in pairs
               if first in positions and second in positions and positions[first] < positions[second])
    return good / len(pairs)
