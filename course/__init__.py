"""Cours interactif sur la doctrine du numérique en santé : quiz, corrections et outils du formateur."""
from .quiz import evaluation, pratique

__all__ = ["evaluation", "pratique"]
__version__ = "0.1.0"
