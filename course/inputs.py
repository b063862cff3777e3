"""One input widget per kind of question, read and written in the canonical answer form.

Nothing is pre-selected (ipywidgets 8 RadioButtons would select the first option
unless ``value=None``), every control has a visible French label, and each is a
native control that the keyboard alone can reach and change (Tab, arrows, Space,
Enter).
"""
from __future__ import annotations

import hashlib
import html
from typing import Any, Callable

import ipywidgets as w

from .bank import Option, Question

_PLACEHOLDER = ("— choisir —", "")
_FULL_WIDTH = w.Layout(width="100%")
_LABEL_STYLE = {"description_width": "initial"}


MATCHING_HINT = "Pour chaque élément, choisissez dans sa liste la proposition qui lui correspond."
ORDERING_HINT = "Choisissez l'élément à placer à chaque position (1 = le premier)."
_MAX_ATTEMPTS = 1000


def _stable_permutation(seed: str, n: int) -> list[int]:
    """A Fisher-Yates shuffle driven by SHA-256 of ``seed``: the same in every process,
    Python version and machine (unlike ``hash()`` or ``random``), so the same for every
    learner and after a kernel restart."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        digest = hashlib.sha256(f"{seed}|{i}".encode("utf-8")).digest()
        j = int.from_bytes(digest[:8], "big") % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def _in_order(displayed: list[str], ids: list[str]) -> bool:
    """True if ``ids`` appear in ``displayed`` in this relative order (a learner could
    then answer by position: 1st, 2nd, 3rd…)."""
    positions = [displayed.index(i) for i in ids if i in displayed]
    return positions == sorted(positions)


def display_order(question: Question) -> tuple[Option, ...]:
    """Matching targets or ordering items in the order the quiz shows them.

    Shuffled, stably per question, and never in an order that gives the answer away:
    not the order written in the bank (authors tend to list targets in the order of the
    prompts, and the key of an ordering question is often close to it), and not the key's
    order when the key is known here (practice banks). Graded keys live only in the
    nbgrader sources; tests/test_shuffle.py checks them and tells the author to set
    ``shuffle_seed`` if a shuffle ever matches one.
    """
    if question.kind == "matching":
        options = question.targets
        # The targets of the key, listed in the order of the prompts.
        positional = ([question.answer[p.id] for p in question.prompts if question.answer.get(p.id)]
                      if isinstance(question.answer, dict)
                      else [o.id for o in options[:len(question.prompts)]])
        forbidden = [positional, [o.id for o in options[:len(question.prompts)]]]
    elif question.kind == "ordering":
        options = question.items
        forbidden = [[o.id for o in options]]
        if isinstance(question.answer, list):
            forbidden.append(list(question.answer))
    else:
        raise ValueError(f"pas d'ordre d'affichage à mélanger pour le type « {question.kind} »")
    ids = [o.id for o in options]
    for attempt in range(_MAX_ATTEMPTS):
        order = _stable_permutation(f"{question.id}|{question.shuffle_seed}|{attempt}", len(options))
        displayed = [ids[k] for k in order]
        if question.kind == "ordering":
            fair = all(displayed != f for f in forbidden)
        else:
            fair = not any(_in_order(displayed, f) for f in forbidden if len(f) > 1)
        if fair:
            return tuple(options[k] for k in order)
    return tuple(reversed(options))


class QuestionInput:
    """The answer controls of one question; ``on_change`` runs after every change."""

    def __init__(self, question: Question, on_change: Callable[[], None]):
        self.question = question
        self._controls: list[w.ValueWidget] = []
        self.widget = self._build(question)
        for control in self._controls:
            control.observe(lambda _change: on_change(), names="value")

    def _build(self, q: Question) -> w.Widget:
        if q.kind == "single":
            return self._radio([(o.text, o.id) for o in q.choices], "Votre choix :")
        if q.kind == "true_false":
            return self._radio([("Vrai", True), ("Faux", False)], "Votre réponse :")
        if q.kind == "multiple":
            self._controls = [
                w.Checkbox(value=False, description=o.text, indent=False, layout=_FULL_WIDTH)
                for o in q.choices
            ]
            hint = w.HTML("<em>Plusieurs réponses possibles : cochez toutes celles qui sont justes.</em>")
            return w.VBox([hint, *self._controls])
        if q.kind == "matching":
            options = [_PLACEHOLDER] + [(o.text, o.id) for o in display_order(q)]
            self._controls = [self._dropdown(p.text, options) for p in q.prompts]
            hint = w.HTML(f"<em>{html.escape(q.hint or MATCHING_HINT, quote=False)}</em>")
            return w.VBox([hint, *self._controls])
        if q.kind == "ordering":
            options = [_PLACEHOLDER] + [(o.text, o.id) for o in display_order(q)]
            self._controls = [self._dropdown(f"Position {i} :", options) for i in range(1, len(q.items) + 1)]
            hint = w.HTML(f"<em>{html.escape(q.hint or ORDERING_HINT, quote=False)}</em>")
            return w.VBox([hint, *self._controls])
        if q.kind == "short_answer":
            placeholder = ("Un nombre, puis Entrée" if q.expects == "number"
                           else "Votre réponse, puis Entrée")
            text = w.Text(value="", description="Votre réponse :", placeholder=placeholder,
                          continuous_update=False, style=_LABEL_STYLE, layout=w.Layout(width="32em"))
            self._controls = [text]
            return text
        raise ValueError(f"type de question inconnu : {q.kind}")

    def _radio(self, options: list, label: str) -> w.RadioButtons:
        radio = w.RadioButtons(options=options, value=None, description=label,
                               style=_LABEL_STYLE, layout=_FULL_WIDTH)
        self._controls = [radio]
        return radio

    @staticmethod
    def _dropdown(label: str, options: list) -> w.Dropdown:
        return w.Dropdown(options=options, value="", description=label, style=_LABEL_STYLE,
                          layout=w.Layout(width="auto"))

    @property
    def value(self) -> Any:
        """The current answer in canonical form (see answer_format), or None if blank."""
        q, controls = self.question, self._controls
        if q.kind in ("single", "true_false"):
            return controls[0].value
        if q.kind == "multiple":
            return sorted(o.id for o, box in zip(q.choices, controls) if box.value)
        if q.kind == "matching":
            return {p.id: (box.value or None) for p, box in zip(q.prompts, controls)}
        if q.kind == "ordering":
            return [box.value or None for box in controls]
        return controls[0].value

    @value.setter
    def value(self, answer: Any) -> None:
        """Set the controls as a learner's clicks would (observers fire the same way)."""
        q, controls = self.question, self._controls
        if q.kind in ("single", "true_false"):
            controls[0].value = answer
        elif q.kind == "multiple":
            chosen = set(answer or ())
            for option, box in zip(q.choices, controls):
                box.value = option.id in chosen
        elif q.kind == "matching":
            answer = answer or {}
            for prompt, box in zip(q.prompts, controls):
                box.value = answer.get(prompt.id) or ""
        elif q.kind == "ordering":
            answer = answer or [None] * len(controls)
            for item, box in zip(answer, controls):
                box.value = item or ""
        else:
            controls[0].value = answer or ""

    def set_enabled(self, enabled: bool) -> None:
        for control in self._controls:
            control.disabled = not enabled
