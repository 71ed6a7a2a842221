"""Opening databases: URLs, engines, connection settings and schema migrations.

SQLite is the embedded default; PostgreSQL (psycopg 3) is the shared server backend.
The schema is created and upgraded only through Alembic; a database already at the
current revision is recognised with one small query, without importing Alembic, so a
question asked from the command line starts quickly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from control_graph.defaults import DEFAULT_URL, ENV_VAR
from control_graph.errors import DatabaseBusyError, DatabaseError
from control_graph.store.settings import HEAD_REVISION, busy_timeout, resolve_url

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "HEAD_REVISION",
    "connect",
    "current_revision",
    "downgrade",
    "ensure_schema",
    "migrations_dir",
    "open_engine",
    "resolve_url",
    "translate_errors",
    "upgrade",
    "write_transaction",
]

#: The last migration that changes what state spans hold (0005 adds them, 0006 the
#: dispute flag): an upgrade across it computes every span again (see :func:`upgrade`).
SPANS_REVISION = "0006"
#: Advisory lock keys on PostgreSQL: one for migrations, one for every other writer.
#: Each is paired with the schema's name, so that databases kept in different schemas
#: of one server database do not wait for each other.
MIGRATION_LOCK, WRITE_LOCK = 70319881, 70319882


def lock_for_writing(connection: Connection, key: int) -> None:
    """Serialise writers on PostgreSQL with an advisory lock held until commit, waiting
    at most the busy timeout (then: database busy). SQLite's BEGIN IMMEDIATE does the
    same there."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(busy_timeout() * 1000)}ms'")
        connection.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({int(key)}, hashtext(current_schema()))"
        )


def migrations_dir() -> Path:
    """Where the Alembic scripts are: inside the installed package, or at the root of a
    source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise DatabaseError(f"the migration scripts are missing (looked in {package})")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module so that BEGIN is ours
    # (see _sqlite_on_begin) and DDL in migrations is transactional too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] not in ("memory", "wal"):
        # WAL lets readers go on answering while an import writes.
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # A writer takes the write lock at BEGIN: two importers then queue on the busy
    # timeout instead of failing when the second tries to upgrade a read lock.
    immediate = conn.get_execution_options().get("control_graph_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_engine(url: str | None = None) -> Engine:
    """A SQLAlchemy engine for ``url`` (see :func:`resolve_url`) with our settings."""
    resolved = resolve_url(url)
    try:
        parsed = sa.engine.make_url(resolved)
    except sa.exc.ArgumentError:
        raise DatabaseError(f"{resolved!r} is not a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise DatabaseError(f"cannot create {database}: folder {parent} does not exist")
        engine = sa.create_engine(parsed, connect_args={"timeout": busy_timeout()})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as error:
        raise DatabaseError(f"cannot use {parsed.render_as_string()}: {error}") from None


@contextmanager
def translate_errors(engine: Engine | None = None) -> Iterator[None]:
    """Turn SQLAlchemy's errors into ours, at the boundary of the store."""
    where = f" ({engine.url.render_as_string(hide_password=True)})" if engine else ""
    try:
        yield
    except sa.exc.OperationalError as error:
        text = str(error.orig) if error.orig is not None else str(error)
        if "locked" in text or "busy" in text or "lock timeout" in text:
            raise DatabaseBusyError(
                f"database busy{where}: another process is writing; try again"
            ) from None
        raise DatabaseError(f"database error{where}: {text.strip()}") from None
    except sa.exc.IntegrityError as error:
        text = str(error.orig) if error.orig is not None else str(error)
        raise DatabaseError(f"the database refused the data{where}: {text.strip()}") from None
    except sa.exc.SQLAlchemyError as error:
        raise DatabaseError(f"database error{where}: {error}") from None


def current_revision(connection: Connection) -> str | None:
    """The Alembic revision the database is at, or ``None`` for an empty database."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for a migration.

    On SQLite, foreign keys are switched off meanwhile: batch mode rebuilds a table by
    copying it, and dropping the old copy would otherwise trip over the rows that refer
    to it. They are checked before the transaction commits, and switched back on.
    """
    with translate_errors(engine), engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw: Any = connection.connection.driver_connection if sqlite else None
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
        try:
            with connection.begin():
                _lock_for_migration(connection)
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise DatabaseError(f"migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (default: the newest).

    An upgrade across :data:`SPANS_REVISION` also computes the state spans of the data
    already there (derived data, which the migrations themselves do not compute), in the
    same transaction.
    """
    from alembic import command

    with _migrating(engine) as connection:
        before = current_revision(connection)
        command.upgrade(_alembic_config(connection), revision)
        after = current_revision(connection)
        if (before is None or before < SPANS_REVISION) and (after or "") >= SPANS_REVISION:
            from control_graph.store.spans import materialise_all

            materialise_all(connection)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the schema to ``revision`` (``"base"`` removes every table)."""
    from alembic import command

    with _migrating(engine) as connection:
        command.downgrade(_alembic_config(connection), revision)


def _lock_for_migration(connection: Connection) -> None:
    # Two processes opening a new PostgreSQL database at once must not both create it.
    if connection.dialect.name == "postgresql":
        lock_for_writing(connection, MIGRATION_LOCK)


def ensure_schema(engine: Engine) -> None:
    """Create or upgrade the schema when it is not at the current revision."""
    with translate_errors(engine):
        try:
            with engine.connect() as connection:
                revision = connection.exec_driver_sql(
                    "SELECT version_num FROM alembic_version"
                ).scalar()
        except sa.exc.DBAPIError:
            revision = None
    if revision == HEAD_REVISION:
        return
    if revision is not None and not _is_known_revision(revision):
        raise DatabaseError(
            f"the database is at schema revision {revision!r}, newer than this "
            "control-graph knows; upgrade control-graph"
        )
    upgrade(engine)


def _is_known_revision(revision: str) -> bool:
    return any(
        path.name.startswith(f"{revision}_") for path in (migrations_dir() / "versions").iterdir()
    )


def connect(url: str | None = None, *, migrate: bool = True) -> Engine:
    """Open the database at ``url``, creating or upgrading its schema on first use."""
    engine = open_engine(url)
    if migrate:
        try:
            ensure_schema(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction, serialised with every other writer of the database."""
    with translate_errors(engine), engine.connect() as conn:
        conn = conn.execution_options(control_graph_write=True)
        with conn.begin():
            lock_for_writing(conn, WRITE_LOCK)
            yield conn
