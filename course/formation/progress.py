"""Progress lines for long steps: « [3/12] alice : corrigé », flushed at once."""
from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def each(items: Iterable[T], label: str) -> Iterator[tuple[T, "Line"]]:
    """Yield every item with a Line to report its outcome; prints a header first."""
    items = list(items)
    print(f"{label} : {len(items)} {plural('élément', len(items))}", flush=True)
    for number, item in enumerate(items, start=1):
        yield item, Line(number, len(items), str(item))


class Line:
    def __init__(self, number: int, total: int, name: str):
        self.prefix = f"  [{number}/{total}] {name}"

    def done(self, outcome: str) -> None:
        print(f"{self.prefix} : {outcome}", flush=True)


# Labels that do not change in the plural.
_INVARIABLE = {"déjà à jour"}


def plural(label: str, n: int) -> str:
    """« corrigé » → « 2 corrigés », « non corrigé » → « non corrigés », « envoyé(s) » → « envoyé » or
    « envoyés »: French agreement instead of « (s) »."""
    label = label.replace("(s)", "")
    if n < 2 or label in _INVARIABLE or label.endswith(("s", "x")):
        return label
    return label + "s"


def summary(title: str, counts: dict[str, int]) -> None:
    parts = ", ".join(f"{n} {plural(label, n)}" for label, n in counts.items())
    print(f"{title} — {parts}.", file=sys.stdout, flush=True)
