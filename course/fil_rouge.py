"""The course's running case (« fil rouge »): one fictitious territory shared by every module.

Its people, structures and identifiers live in ``data/fil_rouge.yaml`` so that every
lesson and assignment tells the same story with the same numbers.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from .paths import data_file


@lru_cache(maxsize=1)
def fil_rouge() -> dict[str, Any]:
    """The whole case, as read from ``fil_rouge.yaml``."""
    with data_file("fil_rouge.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def acteur(cle: str) -> dict[str, Any]:
    """One structure or person of the case, by its key (``chtr``, ``patiente``, ...)."""
    case = fil_rouge()
    for entry in case["structures"] + case["personnes"]:
        if entry["cle"] == cle:
            return entry
    known = ", ".join(e["cle"] for e in case["structures"] + case["personnes"])
    raise KeyError(f"Acteur « {cle} » absent du cas fil rouge. Clés connues : {known}.")
