"""Bank validation: every error names file, question and field in French; real banks are valid."""
from collections import Counter

import pytest

from conftest import question_yaml, sample_bank
from course.bank import BankError, load_all, load_quiz

SINGLE = """
    kind: single
    choices:
      - {id: a, text: Oui}
      - {id: b, text: Non}
"""


def bank_with(quiz_id, *questions, mode="practice"):
    return f"id: {quiz_id}\ntitle: Test\nmodule: 0\nmode: {mode}\nquestions:\n" + "".join(questions)


def problems_of(write_bank, quiz_id, text):
    write_bank(quiz_id, text)
    with pytest.raises(BankError) as info:
        load_quiz(quiz_id)
    return info.value.problems


def test_sample_banks_load_with_canonical_answers(sample_banks):
    quiz = load_quiz("t-pratique")
    assert [q.kind for q in quiz.questions] == [
        "single", "multiple", "true_false", "matching", "ordering", "short_answer", "short_answer"]
    assert quiz.question("t-pratique-multiple").answer == ["a", "c"]
    graded = load_quiz("t-note")
    assert all(q.answer is None and q.explanation is None for q in graded.questions)


def test_wrong_answer_id_names_file_question_and_field(write_bank):
    problems = problems_of(write_bank, "t-err", bank_with("t-err", question_yaml("t-err-01", SINGLE, answer="z")))
    assert len(problems) == 1
    assert problems[0].startswith("t-err.yaml, question « t-err-01 », champ « answer » :")
    assert "choix 'z' inconnu" in problems[0]


def test_every_problem_of_a_file_is_reported_at_once(write_bank):
    bad = question_yaml("t-err-01", SINGLE, answer="a").replace("edition: \"2025\"", "edition: \"1999\"")
    bad = bad.replace("[doctrine-objet]", "[pas-une-notion]").replace("https://esante", "esante")
    problems = problems_of(write_bank, "t-err", bank_with("t-err", bad))
    fields = sorted(p.split("champ « ")[1].split(" »")[0] for p in problems)
    assert fields == ["concepts", "edition", "source"]
    assert any("étiquette inconnue « pas-une-notion »" in p for p in problems)


def test_graded_bank_refuses_answers_and_explanations(write_bank):
    text = bank_with("t-err", question_yaml("t-err-01", SINGLE, answer="a"), mode="graded")
    problems = problems_of(write_bank, "t-err", text)
    assert {p.split("champ « ")[1].split(" »")[0] for p in problems} == {"answer", "explanation"}
    assert all("interdit dans une banque notée" in p for p in problems)


def test_missing_fields_and_unknown_fields(write_bank):
    q = question_yaml("t-err-01", SINGLE, answer="a").replace("    text: Question de test ?\n", "")
    q += "    astuce: interdit\n"
    problems = problems_of(write_bank, "t-err", bank_with("t-err", q))
    assert any("champ « text » : champ obligatoire manquant" in p for p in problems)
    assert any("champ « astuce » : champ inconnu" in p for p in problems)


def test_incomplete_keys_are_refused(write_bank):
    matching = """
        kind: matching
        prompts: [{id: p1, text: Un}, {id: p2, text: Deux}]
        targets: [{id: t1, text: A}, {id: t2, text: B}]
    """
    ordering = """
        kind: ordering
        items: [{id: i1, text: Un}, {id: i2, text: Deux}, {id: i3, text: Trois}]
    """
    text = bank_with("t-err", question_yaml("t-err-01", matching, answer="{p1: t1}"),
                     question_yaml("t-err-02", ordering, answer="[i1, i1, i2]"))
    problems = problems_of(write_bank, "t-err", text)
    assert any("t-err-01" in p and "« p2 » n'est associé à aucune cible" in p for p in problems)
    assert any("t-err-02" in p and "exactement une fois" in p for p in problems)


def test_file_name_and_id_must_agree_and_yaml_errors_are_french(write_bank):
    problems = problems_of(write_bank, "t-err", bank_with("autre", question_yaml("t-err-01", SINGLE, answer="a")))
    assert any("doit être identique au nom du fichier" in p for p in problems)
    problems = problems_of(write_bank, "t-casse", "id: [non fermé\n")
    assert problems[0].startswith("t-casse.yaml : YAML illisible")


def test_question_ids_are_unique_across_the_course(write_bank):
    write_bank("t-un", bank_with("t-un", question_yaml("t-meme", SINGLE, answer="a")))
    write_bank("t-deux", bank_with("t-deux", question_yaml("t-meme", SINGLE, answer="b")))
    with pytest.raises(BankError) as info:
        load_all()
    assert "déjà utilisé dans t-deux.yaml" in str(info.value)


def test_unknown_quiz_lists_known_ones(sample_banks):
    with pytest.raises(BankError) as info:
        load_quiz("inexistant")
    assert "t-note, t-pratique" in str(info.value)


def test_every_real_bank_is_valid():
    quizzes = load_all()
    assert quizzes, "aucune banque dans data/questions/"


def test_module0_lesson_and_assignment_sizes():
    quizzes = load_all()
    practice = [q for quiz in quizzes if quiz.module == 0 and quiz.mode == "practice" for q in quiz.questions]
    graded = [q for quiz in quizzes if quiz.module == 0 and quiz.mode == "graded" for q in quiz.questions]
    assert len(practice) >= 10 and len(Counter(q.kind for q in practice)) >= 4
    assert len(graded) >= 8 and len(Counter(q.kind for q in graded)) >= 3


def test_module4_lesson_and_assignment_sizes():
    quizzes = load_all()
    practice = [q for quiz in quizzes if quiz.module == 4 and quiz.mode == "practice" for q in quiz.questions]
    graded = [q for quiz in quizzes if quiz.module == 4 and quiz.mode == "graded" for q in quiz.questions]
    assert len(practice) >= 10 and len(Counter(q.kind for q in practice)) >= 4
    assert len(graded) >= 8 and {"ordering", "matching"} <= {q.kind for q in graded}


def test_sample_bank_helper_covers_every_kind():
    # Guards the fixtures above: a new kind must be added to SAMPLE_QUESTIONS too.
    from course.bank import KINDS
    text = sample_bank("x", "practice")
    assert all(f"kind: {kind}" in text for kind in KINDS)


def test_task_concepts_name_real_cells_and_concepts():
    import json

    import yaml

    from course.bank import concepts
    from course.paths import data_file
    from course.release import SOURCES

    tasks = yaml.safe_load(data_file("taches.yaml").read_text(encoding="utf-8"))
    for module, cells in tasks.items():
        grade_ids = set()
        for notebook in (SOURCES / module).glob("*.ipynb"):
            for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if meta.get("grade"):
                    grade_ids.add(meta["grade_id"])
        for grade_id, task in cells.items():
            assert grade_id in grade_ids, f"taches.yaml : {module}/{grade_id} n'est pas une cellule notée"
            assert task["title"].strip()
            assert task["concepts"] and set(task["concepts"]) <= set(concepts()), f"{module}/{grade_id}"
