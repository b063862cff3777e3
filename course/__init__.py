"""Cours interactif sur la doctrine du numérique en santé : quiz, corrections et outils du formateur."""
from .devoir import verifier_devoir
from .quiz import evaluation, pratique

__all__ = ["evaluation", "pratique", "verifier_devoir"]
__version__ = "0.1.0"
