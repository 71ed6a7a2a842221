"""Which database, and how to reach it: the URL, the writer's busy timeout, the schema
revision this version reads. Importable without SQLAlchemy (the direct reads of
:mod:`control_graph.store.direct` need them before, and instead of, an engine)."""

from __future__ import annotations

import os
import re

from control_graph.defaults import BUSY_ENV_VAR, BUSY_TIMEOUT_S, DEFAULT_URL, ENV_VAR
from control_graph.errors import DatabaseError

__all__ = ["HEAD_REVISION", "busy_timeout", "resolve_url"]

#: The newest migration; a test checks it against the scripts in migrations/versions.
HEAD_REVISION = "0008"


def busy_timeout() -> float:
    """The writer's wait for the database, from the environment or the default."""
    value = os.environ.get(BUSY_ENV_VAR)
    try:
        return max(0.0, float(value)) if value else BUSY_TIMEOUT_S
    except ValueError:
        raise DatabaseError(f"${BUSY_ENV_VAR} must be a number of seconds, not {value!r}") from None


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: the one given, else ``$CONTROL_GRAPH_DB``, else the
    SQLite file ``control_graph.db`` in the current directory.

    A bare ``postgresql://`` URL is given the psycopg 3 driver, the one installed; a
    plain path (no ``://``) is a SQLite file.

    >>> resolve_url("postgresql://postgres@localhost/test")
    'postgresql+psycopg://postgres@localhost/test'
    >>> resolve_url("analysis.db")
    'sqlite:///analysis.db'
    """
    chosen = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in chosen:
        # A plain path is a SQLite file, the way people naturally type it.
        return f"sqlite:///{chosen}"
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", chosen)
