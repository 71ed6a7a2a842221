"""Alembic environment for control-graph.

The library passes an open connection in ``config.attributes["connection"]``; run from
the command line (``alembic upgrade head`` in the repository), the URL comes from
``$CONTROL_GRAPH_DB`` or the default, exactly as for the control-graph command.
"""

from __future__ import annotations

from alembic import context

from control_graph.store.db import open_engine
from control_graph.store.orm import Base, declare_partial_indexes

config = context.config
declare_partial_indexes()
target_metadata = Base.metadata


def run_with(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = open_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.begin() as conn:
        run_with(conn)


if context.is_offline_mode():
    raise SystemExit("control-graph migrations run online only (give a database URL)")
run_migrations_online()
