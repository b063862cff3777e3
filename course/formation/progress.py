"""Progress lines for long steps: « [3/12] alice : corrigé », flushed at once."""
from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def each(items: Iterable[T], label: str) -> Iterator[tuple[T, "Line"]]:
    """Yield every item with a Line to report its outcome; prints a header first."""
    items = list(items)
    print(f"{label} : {len(items)} élément(s)", flush=True)
    for number, item in enumerate(items, start=1):
        yield item, Line(number, len(items), str(item))


class Line:
    def __init__(self, number: int, total: int, name: str):
        self.prefix = f"  [{number}/{total}] {name}"

    def done(self, outcome: str) -> None:
        print(f"{self.prefix} : {outcome}", flush=True)


def summary(title: str, counts: dict[str, int]) -> None:
    parts = ", ".join(f"{n} {label}" for label, n in counts.items())
    print(f"{title} — {parts}.", file=sys.stdout, flush=True)
