"""Scoring of every kind of question, partial credit and lenient reading of typed answers."""
import pytest

from course.bank import Option, Question
from course.scoring import normalise_text, parse_number, score


def make(kind, **parts):
    return Question(id="q", kind=kind, text="?", source="https://x.fr", edition="2025",
                    concepts=("doctrine-objet",), **parts)


CHOICES = tuple(Option(i, i.upper()) for i in "abcd")


@pytest.mark.parametrize("answer, expected", [("b", 1.0), ("a", 0.0), (None, 0.0)])
def test_single_is_all_or_nothing(answer, expected):
    assert score(make("single", choices=CHOICES), answer, "b") == expected


@pytest.mark.parametrize("answer, expected", [(True, 0.0), (False, 1.0), (None, 0.0)])
def test_true_false(answer, expected):
    assert score(make("true_false"), answer, False) == expected


@pytest.mark.parametrize("answer, expected", [
    (["a", "c"], 1.0),          # both right ticks
    (["a"], 0.5),               # one of two right ticks
    (["a", "b"], 0.0),          # one right, one wrong cancel out
    (["a", "c", "d"], 0.5),     # two right, one wrong
    (["b", "d"], 0.0),          # never below zero
    (["a", "b", "c", "d"], 0.0),  # ticking everything earns nothing
    ([], 0.0),
])
def test_multiple_partial_credit(answer, expected):
    assert score(make("multiple", choices=CHOICES), answer, ["a", "c"]) == pytest.approx(expected)


def test_matching_counts_right_pairs():
    q = make("matching", prompts=(Option("p1", "1"), Option("p2", "2"), Option("p3", "3"), Option("p4", "4")),
             targets=CHOICES)
    key = {"p1": "a", "p2": "b", "p3": "c", "p4": "d"}
    assert score(q, key, key) == 1.0
    assert score(q, {"p1": "a", "p2": "b", "p3": "d", "p4": None}, key) == 0.5
    assert score(q, {"p1": None, "p2": None, "p3": None, "p4": None}, key) == 0.0


def test_ordering_counts_pairs_in_right_relative_order():
    q = make("ordering", items=CHOICES)
    key = ["a", "b", "c", "d"]  # 6 pairs
    assert score(q, ["a", "b", "c", "d"], key) == 1.0
    assert score(q, ["d", "c", "b", "a"], key) == 0.0
    assert score(q, ["b", "a", "c", "d"], key) == pytest.approx(5 / 6)
    # Only a and b placed: the single pair (a, b) is right.
    assert score(q, ["a", "b", None, None], key) == pytest.approx(1 / 6)


def test_ordering_item_placed_twice_counts_as_unplaced():
    q = make("ordering", items=CHOICES)
    assert score(q, ["a", "a", "a", "a"], ["a", "b", "c", "d"]) == 0.0
    assert score(q, ["a", "a", "c", "d"], ["a", "b", "c", "d"]) == pytest.approx(1 / 6)


@pytest.mark.parametrize("typed, expected", [
    ("Agence du numérique en santé", 1.0),
    ("  agence du NUMERIQUE en sante. ", 1.0),
    ("ans", 1.0),
    ("ASIP Santé", 0.0),
    ("", 0.0),
])
def test_short_text_answers_are_normalised(typed, expected):
    q = make("short_answer", expects="text")
    assert score(q, typed, {"accepted": ["Agence du numérique en santé", "ANS"]}) == expected


@pytest.mark.parametrize("typed, expected", [
    ("26", 1.0), (" 26 ", 1.0), ("26,0", 1.0), ("25", 0.0), ("vingt-six", 0.0), ("", 0.0),
])
def test_short_number_answers(typed, expected):
    q = make("short_answer", expects="number")
    assert score(q, typed, {"value": 26, "tolerance": 0}) == expected


def test_number_tolerance_and_french_formats():
    q = make("short_answer", expects="number")
    assert score(q, "1 352", {"value": 1350, "tolerance": 5}) == 1.0
    assert score(q, "1 360", {"value": 1350, "tolerance": 5}) == 0.0
    assert parse_number("3,5") == 3.5
    assert parse_number("1\u202f350") == 1350
    assert parse_number("12 ans") is None


def test_normalise_text_folds_case_accents_and_punctuation():
    assert normalise_text("  Éthique,   Sécurité !") == "ethique securite"
