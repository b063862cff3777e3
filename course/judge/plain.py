"""Values crossing the sandbox boundary: plain, JSON-like data, compared on the trusted side.

The sandbox turns whatever a learner's expression returns into plain data; the trusted
side compares it with the reference's. Nothing but JSON types ever comes back, so no
object of the learner's can pretend to equal anything.
"""
from __future__ import annotations

import math
from typing import Any

MAX_ITEMS = 10_000
MAX_DEPTH = 20
MAX_TEXT = 100_000


def to_plain(value: Any, depth: int = 0) -> Any:
    """A JSON-compatible form of ``value``, the same for equal values of common types."""
    if depth > MAX_DEPTH:
        return {"__trop_profond__": True}
    if value is None or isinstance(value, (bool, str)):
        return value[:MAX_TEXT] if isinstance(value, str) else value
    if isinstance(value, int):
        return value if abs(value) < 10 ** 18 else {"__entier__": str(value)[:100]}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__flottant__": repr(value)}
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0:
        return to_plain(item(), depth + 1)  # numpy scalar
    kind = type(value).__name__
    module = type(value).__module__.split(".")[0]
    if module == "pandas" and kind == "Series":
        return {"__series__": {"index": to_plain(list(value.index), depth + 1),
                               "values": to_plain(list(value), depth + 1)}}
    if module == "pandas" and kind == "DataFrame":
        return {"__frame__": {"columns": to_plain(list(value.columns), depth + 1),
                              "index": to_plain(list(value.index), depth + 1),
                              "values": to_plain([list(row) for row in value.itertuples(index=False)], depth + 1)}}
    if module == "pandas" and kind in ("Timestamp", "Timedelta", "Period"):
        return {"__" + kind.lower() + "__": str(value)}
    if module == "pandas" and kind in ("NAType", "NaTType"):
        return {"__manquant__": True}
    if module == "numpy" and kind == "ndarray":
        return to_plain(value.tolist(), depth + 1)
    if isinstance(value, (list, tuple)):
        return [to_plain(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    if isinstance(value, (set, frozenset)):
        items = [to_plain(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
        return {"__ensemble__": sorted(items, key=repr)}
    if isinstance(value, dict):
        pairs = [[to_plain(k, depth + 1), to_plain(v, depth + 1)] for k, v in list(value.items())[:MAX_ITEMS]]
        return {"__dict__": sorted(pairs, key=lambda pair: repr(pair[0]))}
    return {"__type__": f"{type(value).__module__}.{kind}"[:200]}


def same(got: Any, expected: Any) -> bool:
    """Plain-data equality, with a relative tolerance on floats (learners round differently)."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, list) and isinstance(got, list):
        return len(got) == len(expected) and all(same(g, e) for g, e in zip(got, expected))
    if isinstance(expected, dict) and isinstance(got, dict):
        return got.keys() == expected.keys() and all(same(got[k], expected[k]) for k in expected)
    return type(got) is type(expected) and got == expected
