"""The one error type the trainer's tool reports: a French message, no traceback."""


class FormationError(Exception):
    """Something the trainer must fix; the message says what and how, in French."""
