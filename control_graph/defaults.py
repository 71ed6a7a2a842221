"""Settings every part of control-graph agrees on, importable without loading anything
else (the command line reads them before it knows whether it needs a database)."""

__all__ = ["BUSY_ENV_VAR", "BUSY_TIMEOUT_S", "DEFAULT_URL", "ENV_VAR"]

#: The database used when none is given: a SQLite file in the current folder.
DEFAULT_URL = "sqlite:///control_graph.db"
#: The environment variable that names the database.
ENV_VAR = "CONTROL_GRAPH_DB"
#: How long a writer waits for another writer to finish before giving up, in seconds;
#: ``$CONTROL_GRAPH_BUSY_TIMEOUT`` overrides it.
BUSY_TIMEOUT_S = 30.0
BUSY_ENV_VAR = "CONTROL_GRAPH_BUSY_TIMEOUT"
