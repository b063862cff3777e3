"""Tests d'acceptation dans un vrai navigateur (paquet, pour que son conftest ne masque pas tests/conftest.py)."""
