"""Course material cites the French pages of ANS portals, never their English (/en/) versions."""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FILES = sorted(
    p for folder in ("notebooks", "solutions", "exercises", "data", "docs", "course")
    for p in (REPO / folder).rglob("*")
    if p.is_file() and p.suffix in {".ipynb", ".yaml", ".md", ".csv", ".py"}
    and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
) + [REPO / "README.md"]
ENGLISH_ANS_PAGE = re.compile(r"https?://(?:[a-z0-9-]+\.)*esante\.gouv\.fr/en(?:/|\b)", re.IGNORECASE)


def test_the_pattern_catches_english_pages():
    assert ENGLISH_ANS_PAGE.search("https://industriels.esante.gouv.fr/en/evaluate-your-solution-s-maturity")
    assert ENGLISH_ANS_PAGE.search("http://esante.gouv.fr/en/node/5032")
    assert not ENGLISH_ANS_PAGE.search("https://industriels.esante.gouv.fr/node/5915")
    assert not ENGLISH_ANS_PAGE.search("https://esante.gouv.fr/espace-presse/enjeux")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_english_ans_page_is_cited(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    hits = [line.strip()[:160] for line in text.splitlines() if ENGLISH_ANS_PAGE.search(line)]
    assert not hits, f"page anglaise d'un portail de l'ANS citée ; citez la page française : {hits[:5]}"
