"""nbgrader's per-call costs, paid once per « formation » process instead of per copy.

nbgrader's API was made for one command per step; ``formation`` drives it for hundreds of
copies in one process. Nothing here changes what nbgrader computes or writes: the same
checks, the same SQL on the same file, the same notebooks; only work that gives the same
result every time is done once.
"""
from __future__ import annotations

import types


def apply() -> None:
    check_schema_once()
    reuse_gradebook_engines()


def check_schema_once() -> None:
    """nbgrader checks every cell's metadata with ``jsonschema.validate``, which first checks
    the schema itself against jsonschema's meta-schema, every time: 2 ms a cell, a third of
    autograde's own time. The same check here, with the (unchanging) schema checked once."""
    import jsonschema
    from nbgrader.nbgraderformat import common

    if getattr(common.jsonschema, "schema_checked_once", False):
        return
    validators: dict[int, tuple] = {}

    def validate(instance, schema, cls=None, *args, **kwargs):
        if cls is not None or args or kwargs:
            return jsonschema.validate(instance, schema, cls, *args, **kwargs)
        known = validators.get(id(schema))
        if known is None or known[0] is not schema:
            kind = jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            known = validators[id(schema)] = (schema, kind(schema))
        error = jsonschema.exceptions.best_match(known[1].iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = types.SimpleNamespace(validate=validate, schema_checked_once=True)


def reuse_gradebook_engines() -> None:
    """nbgrader opens the gradebook about ten times per copy, each time with a new SQLAlchemy
    engine that compiles every query again (over half of autograde's database time, as
    profiled) and is thrown away on closing. Here one engine per database serves the whole
    process: closing a gradebook ends its session (its transaction) as before, and keeps
    the engine's connection pool and compiled queries for the next opening."""
    from nbgrader import api

    if getattr(api, "engines_reused", False):
        return
    engines: dict[tuple, object] = {}
    create_engine = api.create_engine

    def shared_engine(url, **kwargs):
        key = (str(url), tuple(sorted(kwargs.items())))
        if key not in engines:
            engines[key] = create_engine(url, **kwargs)
        return engines[key]

    def close(self) -> None:
        self.db.remove()

    api.create_engine = shared_engine
    api.Gradebook.close = close
    api.engines_reused = True
