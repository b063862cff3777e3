"""Fair quizzes: matching targets and ordering items are shown shuffled, never in the key's
order, and in the same order for every learner and after every restart."""
import json
import os
import subprocess
import sys

import pytest

from course.bank import BankError, load_all, parse_quiz_file
from course.inputs import MATCHING_HINT, QuestionInput, display_order
from course.release import SOURCES
from course.solution_keys import read_keys

SHUFFLED_KINDS = ("matching", "ordering")
# What a learner's kernel shows: the option ids of the first drop-down of each question.
SHOWN = """
import json
from course.bank import load_all
from course.inputs import QuestionInput
print(json.dumps({q.id: [v for _label, v in QuestionInput(q, lambda: None)._controls[0].options if v]
                  for quiz in load_all() for q in quiz.questions if q.kind in ("matching", "ordering")}))
"""


def shuffled_questions():
    return [q for quiz in load_all() for q in quiz.questions if q.kind in SHUFFLED_KINDS]


def keys() -> dict:
    """Every key: practice keys from the banks, graded keys from the nbgrader sources."""
    found = {q.id: q.answer for q in shuffled_questions() if q.answer is not None}
    for notebook in sorted(SOURCES.glob("*/*.ipynb")):
        found.update({k.question_id: k.expected for k in read_keys(notebook)})
    return found


def shown_in_a_fresh_process(hash_seed: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    result = subprocess.run([sys.executable, "-c", SHOWN], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def gives_the_key_away(question, shown: list, key) -> bool:
    if question.kind == "ordering":
        return shown == list(key)
    positions = [shown.index(key[p.id]) for p in question.prompts]  # key targets, in prompt order
    return positions == sorted(positions)


def test_every_matching_and_ordering_question_hides_its_key_and_is_stable():
    questions = shuffled_questions()
    assert questions, "aucune question d'association ni de remise en ordre dans les banques"
    all_keys = keys()
    first, second = shown_in_a_fresh_process("1"), shown_in_a_fresh_process("2")
    assert first == second, "l'ordre affiché change d'un noyau à l'autre"
    unfair = []
    for q in questions:
        assert q.id in all_keys, f"{q.id} : corrigé introuvable (banque ou solutions/)"
        shown = first[q.id]
        assert sorted(shown) == sorted(o.id for o in (q.targets if q.kind == "matching" else q.items))
        assert shown == [o.id for o in display_order(q)]
        if gives_the_key_away(q, shown, all_keys[q.id]):
            unfair.append(q.id)
    assert not unfair, (
        f"ordre affiché = ordre du corrigé pour {unfair} : ajoutez « shuffle_seed: 1 » (ou 2, 3…) à la "
        "question dans sa banque pour obtenir un autre mélange stable.")


def test_shuffle_seed_changes_the_order_and_hint_replaces_the_generic_one(write_bank):
    def bank(*extra: str) -> str:
        lines = ["id: t-assoc", "title: Test", "module: 0", "mode: practice", "questions:",
                 "  - id: t-assoc-01", "    kind: matching", "    text: Associez.",
                 "    prompts: [{id: a, text: A}, {id: b, text: B}, {id: c, text: C}]",
                 "    targets: [{id: x, text: X}, {id: y, text: Y}, {id: z, text: Z}, {id: w, text: W}]",
                 "    answer: {a: x, b: y, c: z}", "    explanation: Parce que.",
                 "    source: https://esante.gouv.fr/", '    edition: "2025"', "    concepts: [gouvernance]"]
        return "\n".join(lines + ["    " + e for e in extra]) + "\n"

    plain = parse_quiz_file(write_bank("t-assoc", bank(""))).questions[0]
    salted = parse_quiz_file(write_bank("t-assoc", bank("shuffle_seed: 3", "hint: Associez chaque statut à son code."))).questions[0]
    orders = {tuple(o.id for o in display_order(q)) for q in (plain, salted)}
    assert len(orders) == 2
    assert MATCHING_HINT in QuestionInput(plain, lambda: None).widget.children[0].value
    assert "Associez chaque statut à son code." in QuestionInput(salted, lambda: None).widget.children[0].value
    for shown in orders:
        assert not gives_the_key_away(plain, list(shown), plain.answer)

    with pytest.raises(BankError, match="shuffle_seed.*entier positif"):
        parse_quiz_file(write_bank("t-assoc", bank("shuffle_seed: -1")))
    with pytest.raises(BankError, match="hint.*texte non vide"):
        parse_quiz_file(write_bank("t-assoc", bank("hint: ''")))


def test_hint_is_refused_where_it_means_nothing(write_bank):
    from conftest import question_yaml
    body = question_yaml("t-vf-01", "kind: true_false\nhint: Un indice.", answer="true")
    path = write_bank("t-vf", f"id: t-vf\ntitle: T\nmodule: 0\nmode: practice\nquestions:\n{body}")
    with pytest.raises(BankError, match="hint.*n'a pas de sens"):
        parse_quiz_file(path)
