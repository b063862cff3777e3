"""The shape of an answer for each kind of question, shared by keys and learners' answers.

Canonical forms (JSON-friendly, as saved in the answers file):

- single: a choice id (``"b"``)
- multiple: a sorted list of choice ids (``["a", "c"]``)
- true_false: ``True`` or ``False``
- matching: ``{prompt id: target id or None}`` for every prompt
- ordering: a list, one entry per position, of item ids or ``None``
- short_answer: the text typed; a key is ``{"accepted": [...]}`` or ``{"value": x, "tolerance": t}``

A key must be complete; a learner's answer may be partial (``complete=False``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bank import Question


class AnswerFormatError(ValueError):
    """An answer that does not fit its question, explained in French."""


def _fail(message: str) -> None:
    raise AnswerFormatError(message)


def _known(question: Question, group: str, value: Any, what: str) -> str:
    ids = question.option_ids(group)
    if not isinstance(value, str) or value not in ids:
        _fail(f"{what} {value!r} inconnu ; valeurs possibles : {', '.join(ids)}.")
    return value


def check_answer(question: Question, value: Any, *, complete: bool) -> Any:
    """Return the canonical form of ``value`` for ``question``, or raise AnswerFormatError."""
    kind = question.kind
    if kind == "single":
        return _known(question, "choices", value, "choix")
    if kind == "multiple":
        if not isinstance(value, (list, tuple, set)):
            _fail("une réponse à choix multiple est une liste d'ids de choix, par exemple [\"a\", \"c\"].")
        chosen = sorted({_known(question, "choices", v, "choix") for v in value})
        if complete and not chosen:
            _fail("le corrigé d'une question à choix multiple doit contenir au moins un choix.")
        return chosen
    if kind == "true_false":
        if not isinstance(value, bool):
            _fail("la réponse doit être True (vrai) ou False (faux).")
        return value
    if kind == "matching":
        if not isinstance(value, dict):
            _fail("une association est un dictionnaire {élément: cible}.")
        result = {}
        for prompt_id in question.option_ids("prompts"):
            target = value.get(prompt_id)
            if target is None:
                if complete:
                    _fail(f"l'élément « {prompt_id} » n'est associé à aucune cible.")
                result[prompt_id] = None
            else:
                result[prompt_id] = _known(question, "targets", target, "cible")
        extra = set(value) - set(result)
        if extra:
            _fail(f"élément(s) inconnu(s) : {', '.join(sorted(map(str, extra)))}.")
        return result
    if kind == "ordering":
        items = question.option_ids("items")
        if not isinstance(value, (list, tuple)) or len(value) != len(items):
            _fail(f"une remise en ordre est une liste de {len(items)} ids, un par position.")
        order = [None if v is None else _known(question, "items", v, "élément") for v in value]
        if complete and sorted(order, key=str) != sorted(items):
            _fail("le corrigé doit placer chaque élément exactement une fois.")
        return order
    if kind == "short_answer":
        if complete:
            return _check_short_key(question, value)
        if not isinstance(value, str):
            _fail("une réponse courte est un texte.")
        return value
    _fail(f"type de question inconnu : {kind}.")


def _check_short_key(question: Question, value: Any) -> dict:
    if question.expects == "number":
        if not isinstance(value, dict) or set(value) - {"value", "tolerance"} or "value" not in value:
            _fail("le corrigé d'une réponse numérique s'écrit {value: 26, tolerance: 0}.")
        number, tolerance = value["value"], value.get("tolerance", 0)
        for v in (number, tolerance):
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                _fail("value et tolerance doivent être des nombres.")
        if tolerance < 0:
            _fail("tolerance ne peut pas être négative.")
        return {"value": number, "tolerance": tolerance}
    accepted = value.get("accepted") if isinstance(value, dict) else None
    if set(value or {}) - {"accepted"} or not isinstance(accepted, list) or not accepted:
        _fail("le corrigé d'une réponse texte s'écrit {accepted: [\"réponse\", \"variante\"]}.")
    if not all(isinstance(a, str) and a.strip() for a in accepted):
        _fail("chaque réponse acceptée doit être un texte non vide.")
    return {"accepted": list(accepted)}


def is_answered(question: Question, value: Any) -> bool:
    """Whether a learner's canonical answer says anything at all."""
    if value is None:
        return False
    if question.kind == "multiple":
        return bool(value)
    if question.kind == "matching":
        return any(v is not None for v in value.values())
    if question.kind == "ordering":
        return any(v is not None for v in value)
    if question.kind == "short_answer":
        return bool(value.strip())
    return True
