"""Shared fixtures: a throw-away data folder with banks written by the test itself."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from course import bank

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def user_data_dir(tmp_path_factory, monkeypatch):
    """The learner's own data folder (progress, self-assessment answers) and the export folder
    in a throw-away place, for every test and the notebooks it runs: tests never touch the real
    ~/.local/share/cours-dns nor the repository's travail/."""
    folder = tmp_path_factory.mktemp("donnees-apprenant")
    monkeypatch.setenv("COURS_DNS_DONNEES", str(folder))
    monkeypatch.setenv("COURS_DNS_TRAVAIL", str(folder / "travail"))
    return folder


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data folder holding the real concept and edition lists and no bank yet."""
    folder = tmp_path / "data"
    (folder / "questions").mkdir(parents=True)
    for name in ("concepts.yaml", "editions.yaml"):
        shutil.copy(REPO / "data" / name, folder / name)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    bank.concepts.cache_clear()
    bank.editions.cache_clear()
    yield folder
    bank.concepts.cache_clear()
    bank.editions.cache_clear()


@pytest.fixture
def write_bank(data_dir):
    """Write ``data/questions/<quiz_id>.yaml`` from a YAML text; returns its path."""
    def write(quiz_id: str, text: str) -> Path:
        path = data_dir / "questions" / f"{quiz_id}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path
    return write


COMMON = """\
    source: https://esante.gouv.fr/virage-numerique/doctrine-technique
    edition: "2025"
    concepts: [doctrine-objet]
"""


def question_yaml(qid: str, body: str, graded: bool = False, answer: str | None = None) -> str:
    """One question of every common field plus ``body`` (kind-specific), as YAML list item."""
    lines = [f"  - id: {qid}", "    text: Question de test ?"]
    lines += ["    " + line for line in textwrap.dedent(body).strip().splitlines()]
    if not graded:
        lines += [f"    answer: {answer}", "    explanation: Parce que."]
    lines += ["    " + line for line in textwrap.dedent(COMMON).strip().splitlines()]
    return "\n".join(lines) + "\n"


SAMPLE_QUESTIONS = {
    "single": ("""
        kind: single
        choices:
          - {id: a, text: Premier}
          - {id: b, text: Deuxième}
          - {id: c, text: Troisième}
        """, "b"),
    "multiple": ("""
        kind: multiple
        choices:
          - {id: a, text: Un}
          - {id: b, text: Deux}
          - {id: c, text: Trois}
          - {id: d, text: Quatre}
        """, "[a, c]"),
    "true_false": ("kind: true_false", "false"),
    "matching": ("""
        kind: matching
        prompts:
          - {id: ans, text: ANS}
          - {id: dns, text: DNS}
        targets:
          - {id: agence, text: Agence du numérique en santé}
          - {id: delegation, text: Délégation au numérique en santé}
          - {id: leurre, text: Direction du numérique}
        """, "{ans: agence, dns: delegation}"),
    "ordering": ("""
        kind: ordering
        items:
          - {id: v2023, text: Version 2023}
          - {id: v2019, text: Version 2019}
          - {id: v2020, text: Version 2020}
          - {id: v2025, text: Doctrine 2025}
        """, "[v2019, v2020, v2023, v2025]"),
    "text": ("kind: short_answer\nexpects: text", "{accepted: [Agence du numérique en santé, ANS]}"),
    "number": ("kind: short_answer\nexpects: number", "{value: 26, tolerance: 0}"),
}


def sample_bank(quiz_id: str, mode: str) -> str:
    graded = mode == "graded"
    body = "".join(
        question_yaml(f"{quiz_id}-{name}", spec, graded, answer)
        for name, (spec, answer) in SAMPLE_QUESTIONS.items()
    )
    return f"id: {quiz_id}\ntitle: Quiz de test\nmodule: 0\nmode: {mode}\nquestions:\n{body}"


@pytest.fixture
def sample_banks(write_bank):
    """A practice bank ``t-pratique`` and a graded bank ``t-note`` with one question of each kind."""
    write_bank("t-pratique", sample_bank("t-pratique", "practice"))
    write_bank("t-note", sample_bank("t-note", "graded"))


@pytest.fixture(scope="session")
def hub():
    """The course's JupyterHub with 1 trainer and 3 learners, started once for every hub test file
    (tests/hub_support.py; root and COURS_DNS_TEST_HUB=1 only: each hub test file skips otherwise)."""
    from hub_support import hub_session
    yield from hub_session()
