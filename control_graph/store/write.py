"""Writing validated records inside the caller's transaction.

Definitions go through SQLAlchemy Core ``insert()`` with lists of dicts; events and
incidents -- the bulk of every large import -- as plain tuples below SQLAlchemy's
per-row processing: COPY on PostgreSQL, ``executemany`` on SQLite.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.dataset.fields import (
    ACCESS_TABLE_COLUMNS,
    EVENT_TABLE_COLUMNS,
    INCIDENT_TABLE_COLUMNS,
    RETRACTION_TABLE_COLUMNS,
)
from control_graph.dataset.rows import (
    EventRow,
    access_row,
    event_row,
    incident_row,
    retraction_row,
)
from control_graph.errors import DatabaseError
from control_graph.model.records import Dataset
from control_graph.store import orm
from control_graph.store.names import name_key

__all__ = [
    "BATCH",
    "IsoDays",
    "Progress",
    "indexes_rebuilt",
    "insert_ready",
    "insert_rows",
    "write_dataset",
]

#: Rows per INSERT batch: large enough to be fast, small enough to report progress.
BATCH = 20_000

Progress = Callable[[int], None]
_Item = TypeVar("_Item")
#: Rows per COPY on PostgreSQL: big enough that each statement's overhead is lost in
#: its rows, small enough that a batch of events is a few megabytes.
COPY_BATCH = 20_000
#: The columns every event and incident row starts with, before its fields' columns.
_BOOKKEEPING = ("scenario_id", "import_id", "position")
EVENT_COLUMNS = (*_BOOKKEEPING, *EVENT_TABLE_COLUMNS)
INCIDENT_COLUMNS = (*_BOOKKEEPING, *INCIDENT_TABLE_COLUMNS)
ACCESS_COLUMNS = (*_BOOKKEEPING, *ACCESS_TABLE_COLUMNS)
RETRACTION_COLUMNS = (*_BOOKKEEPING, *RETRACTION_TABLE_COLUMNS)
#: The columns holding days, which SQLite stores as ISO text.
_DATE_COLUMNS = frozenset(("date", "recorded", "date_latest", "until_date", "start_day", "end_day"))


def _numbered(
    scenario_id: int | None,
    import_id: int,
    rows: Iterable[tuple[Any, ...]],
    columns: tuple[str, ...],
) -> Iterator[tuple[Any, ...]]:
    """Rows with their bookkeeping columns; attributes (a mapping) become JSON text, as
    these rows bypass SQLAlchemy's JSON type."""
    at = columns.index("attributes") - len(_BOOKKEEPING)
    for position, row in enumerate(rows, start=1):
        value = row[at]
        if value is not None and type(value) is dict:
            row = (*row[:at], json.dumps(value, ensure_ascii=False), *row[at + 1 :])
        yield (scenario_id, import_id, position, *row)


def _event_rows(dataset: Dataset) -> Iterable[EventRow]:
    from control_graph.dataset.csv_events import CsvEvents  # only imports need the CSV reader

    if isinstance(dataset, CsvEvents):
        return dataset.event_rows()
    return (event_row(e) for e in dataset.events)


def insert_rows(
    conn: Connection,
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple[Any, ...]],
    progress: Progress | None,
) -> None:
    """Bulk-insert plain tuples below SQLAlchemy's per-row processing, still inside the
    caller's transaction: COPY on PostgreSQL, executemany on SQLite. Events are the
    bulk of every large import and this is where its time goes."""
    if conn.dialect.name == "postgresql":

        def write(copy: Any, chunk: list[tuple[Any, ...]]) -> None:
            for row in chunk:
                copy.write_row(row)

        _copy_in_batches(conn, table, columns, rows, write, progress)
        return
    dates = [i for i, c in enumerate(columns) if c in _DATE_COLUMNS]
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        insert_ready(conn, table, columns, batch)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    iso = IsoDays()  # a large file names a few thousand days, a million times
    for row in rows:
        # Stored the way SQLAlchemy's SQLite Date type stores days: ISO text.
        values = list(row)
        for i in dates:
            day = values[i]
            if day is not None:
                values[i] = iso[day]
        batch.append(tuple(values))
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()


class IsoDays(dict[dt.date, str]):
    """Each day's ISO text (as SQLite and COPY's text format store it), made once: a
    large write names a few thousand days a million times."""

    def __missing__(self, day: dt.date) -> str:
        text = self[day] = day.isoformat()
        return text


def insert_ready(
    conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows already in the form SQLite stores (days as ISO text) with one
    executemany, inside the caller's transaction."""
    marks = ", ".join("?" * len(columns))
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


#: How COPY's text format writes a NULL.
COPY_NULL = "\\N"
#: The characters COPY's text format escapes, and how.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
#: The booleans' cells (and None's).
_COPY_FLAGS = {True: "t", False: "f", None: COPY_NULL}


def copy_cell(value: str | bool | None) -> str:
    """One cell of COPY's text format: a string escaped, a boolean, or NULL."""
    if value is None or value is True or value is False:
        return _COPY_FLAGS[value]
    return value.translate(_COPY_ESCAPES)


def copy_lines(
    conn: Connection, table: str, columns: tuple[str, ...], lines: Iterable[str]
) -> None:
    """COPY rows already written as lines of PostgreSQL's text format (each ending in a
    newline, cells made with :func:`copy_cell`) into ``table``, inside the caller's
    transaction, a batch at a time (as :func:`insert_rows`: making the lines may ask
    the database)."""
    _copy_in_batches(
        conn, table, columns, lines, lambda copy, chunk: copy.write("".join(chunk)), None
    )


def _copy_in_batches(
    conn: Connection,
    table: str,
    columns: tuple[str, ...],
    items: Iterable[_Item],
    write: Callable[[Any, list[_Item]], None],
    progress: Progress | None,
) -> None:
    """One COPY into ``table`` per batch of ``items``, each batch read in full before
    its COPY starts (``write`` puts a batch into its COPY): making the rows of a
    streamed file may ask the database (stored ids, earlier versions of records), and a
    connection inside COPY can answer nothing else."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    source = iter(items)
    while chunk := list(itertools.islice(source, COPY_BATCH)):
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            write(copy, chunk)
        if progress is not None:
            progress(len(chunk))


#: From this many rows (and no fewer than the table holds), a SQLite import drops the
#: table's indexes and builds them again after: building an index over sorted data
#: costs a fraction of keeping it up to date row by row (1M events: 16 s -> 1.3 s).
#: PostgreSQL does so only for a table that was empty (see :func:`indexes_rebuilt`).
REBUILD_INDEXES_FROM = 100_000


@contextlib.contextmanager
def indexes_rebuilt(
    conn: Connection,
    table: str,
    rows: int,
    keep: Collection[str] = (),
    *,
    empty: bool | None = None,
) -> Iterator[None]:
    """Drop ``table``'s indexes for a large insert and create them again after, inside
    the caller's transaction: if anything fails the transaction rolls back, indexes
    included. The indexes named in ``keep`` stay: the insert itself looks rows up
    through them.

    On SQLite, from :data:`REBUILD_INDEXES_FROM` rows and no fewer than the table
    holds: readers see the committed database meanwhile (WAL).

    On PostgreSQL, dropping an index locks the table against readers until the
    transaction ends, so only a first load does it: the table was ``empty`` before
    this transaction wrote to it (``None``: it is empty now), so that a reader has
    nothing to wait for but the load itself, and only when this role owns the table
    (a role that may only write rows keeps the indexes up to date row by row, as
    before). The indexes that hold up a constraint (the primary key, a unique key)
    stay. At national scale (9.3 million spans) the spans' insert took 93 s with its
    indexes kept, 17 s without them and 19 s to build them after.
    """
    dialect = conn.dialect.name
    if rows < REBUILD_INDEXES_FROM or dialect not in ("sqlite", "postgresql"):
        yield
        return
    found = (
        _sqlite_indexes(conn, table, rows)
        if dialect == "sqlite"
        else _postgres_indexes(conn, table, empty)
    )
    indexes = [(drop, create) for name, drop, create in found if name not in keep]
    for drop, _create in indexes:
        conn.exec_driver_sql(drop)
    yield
    for _drop, create in indexes:
        conn.exec_driver_sql(create)


def _sqlite_indexes(conn: Connection, table: str, rows: int) -> list[tuple[str, str, str]]:
    """``(name, drop, create)`` of each index of a SQLite table to build again after
    inserting ``rows`` (none when the table holds more)."""
    held = conn.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar() or 0
    if rows < held:
        return []
    return [
        (name, f'DROP INDEX "{name}"', sql)
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
    ]


def _postgres_indexes(
    conn: Connection, table: str, empty: bool | None
) -> list[tuple[str, str, str]]:
    """``(name, drop, create)`` of each index of a PostgreSQL table that a first load
    may build again after: none unless the table was empty and this role owns it."""
    if empty is None:
        empty = conn.exec_driver_sql(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").scalar()
    owned = conn.exec_driver_sql(
        "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = CAST(%(t)s AS regclass)",
        {"t": table},
    ).scalar()
    if not (empty and owned):
        return []
    return [
        (name, f"DROP INDEX {qualified}", create)
        for name, qualified, create in conn.exec_driver_sql(
            "SELECT i.relname, format('%%I.%%I', n.nspname, i.relname),"
            " pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_namespace n ON n.oid = i.relnamespace"
            " WHERE x.indrelid = CAST(%(t)s AS regclass) AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            " ORDER BY i.relname",
            {"t": table},
        )
    ]


@contextlib.contextmanager
def references_checked_after(
    conn: Connection, table: Any, import_id: int, rows: int
) -> Iterator[None]:
    """On PostgreSQL, check the foreign keys of a large insert into ``table`` (an ORM
    class whose rows carry ``import_id``) once for all its rows, after it, instead of
    row by row.

    Each foreign key is a trigger run per row: for millions of events, most of the
    server's time. A superuser may switch triggers off for the transaction
    (``session_replication_role``); then every reference of this import's rows is
    looked up in one anti-join per key before the transaction goes on, and a missing
    one raises, so the transaction rolls back as the trigger would have made it. The
    write lock keeps other writers from deleting what the rows refer to meanwhile.
    Elsewhere (SQLite, a smaller insert, another role) the triggers run as always.
    """
    if (
        conn.dialect.name != "postgresql"
        or rows < REBUILD_INDEXES_FROM
        or conn.exec_driver_sql("SHOW is_superuser").scalar() != "on"
    ):
        yield
        return
    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    # On an error the transaction rolls back, and the setting with it.
    yield
    conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
    name = table.__tablename__
    keys = sorted(table.__table__.foreign_keys, key=lambda k: k.parent.name)
    # Every key in one pass over the import's rows (a join to each table referred to),
    # not one pass per key: eight passes over five million events took 14 s.
    joins, missing, values = [], [], []
    for n, key in enumerate(keys):
        column, target = key.parent.name, key.column
        joins.append(f" LEFT JOIN {target.table.name} r{n} ON r{n}.{target.name} = t.{column}")
        missing.append(f"(t.{column} IS NOT NULL AND r{n}.{target.name} IS NULL)")
        values.append(f"CASE WHEN {missing[-1]} THEN t.{column} END")
    found = conn.exec_driver_sql(
        f"SELECT {', '.join(values)} FROM {name} t{''.join(joins)} WHERE t.import_id = %(import)s"
        f" AND ({' OR '.join(missing)})",
        {"import": import_id},
    ).first()
    if found is None:
        return
    key, value = next((k, v) for k, v in zip(keys, found, strict=True) if v is not None)
    raise DatabaseError(
        f"the database refused the data: {name}.{key.parent.name} refers to "
        f"{key.column.table.name} {value!r}, which does not exist"
    )


def _insert(
    conn: Connection, table: Any, rows: Iterable[dict[str, Any]], progress: Progress | None
) -> None:
    batch: list[dict[str, Any]] = []
    statement = sa.insert(table)
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            conn.execute(statement, batch)
            if progress is not None:
                progress(len(batch))
            batch = []
    if batch:
        conn.execute(statement, batch)
        if progress is not None:
            progress(len(batch))


def write_dataset(
    conn: Connection,
    dataset: Dataset,
    *,
    file_name: str,
    sha256: str,
    file_format: str,
    progress: Progress | None = None,
    scenario_id: int | None = None,
    imported_by: str | None = None,
    expected_events: int | None = None,
) -> int:
    """Write a validated dataset inside the caller's transaction; returns the import id.

    ``scenario_id`` marks every row written as belonging to that scenario;
    ``imported_by`` says who imported it; ``expected_events`` about how many events a
    streamed dataset holds (see :func:`indexes_rebuilt`)."""
    import_id = conn.execute(
        sa.insert(orm.Import).returning(orm.Import.id),
        {
            "file_name": file_name,
            "sha256": sha256,
            "file_format": file_format,
            "dataset_name": dataset.name,
            "imported_at": dt.datetime.now(dt.UTC),
            "counts": dataset.counts(),
            "scenario_id": scenario_id,
            "imported_by": imported_by,
        },
    ).scalar_one()
    aliases: list[dict[str, Any]] = []
    overlay = {"scenario_id": scenario_id}

    def named(kind: str, record: Any) -> dict[str, Any]:
        for position, alias in enumerate(record.aliases, start=1):
            owner = dict.fromkeys(("party_id", "bloc_id", "place_id", "road_id", "segment_id"))
            owner[f"{kind}_id"] = record.id
            aliases.append(
                {**owner, "position": position, "alias": alias, "alias_key": name_key(alias)}
            )
        return {
            "id": record.id,
            "name": record.name,
            "name_key": name_key(record.name) if record.name else None,
            "note": record.note,
            "attributes": record.attributes,
            "import_id": import_id,
        }

    _insert(
        conn,
        orm.Party,
        ({**named("party", p), "color": p.color} for p in dataset.parties),
        progress,
    )
    _insert(conn, orm.Bloc, (named("bloc", b) for b in dataset.blocs), progress)
    _insert(
        conn,
        orm.BlocMembership,
        (
            {
                "bloc_id": b.id,
                "position": i,
                "party_id": m.party,
                "start_date": m.start,
                "end_date": m.end,
                "note": m.note,
            }
            for b in dataset.blocs
            for i, m in enumerate(b.members, start=1)
        ),
        None,
    )
    _insert(
        conn,
        orm.Place,
        (
            {**named("place", p), "kind": p.kind, "lat": p.lat, "lon": p.lon, **overlay}
            for p in dataset.places
        ),
        progress,
    )
    _insert(
        conn,
        orm.Road,
        (
            {**named("road", r), "defined_by": "places" if r.places else "segments", **overlay}
            for r in dataset.roads
        ),
        progress,
    )
    _insert(
        conn,
        orm.Segment,
        (
            {
                **named("segment", s),
                "start_place_id": s.start,
                "end_place_id": s.end,
                "length_km": s.length_km,
                "road_id": s.road,
                **overlay,
            }
            for s in dataset.segments
        ),
        progress,
    )
    _insert(
        conn,
        orm.RoadSegment,
        (
            {"road_id": r.id, "position": i, "segment_id": s}
            for r in dataset.roads
            for i, s in enumerate(r.segments, start=1)
        ),
        None,
    )
    _insert(conn, orm.Alias, aliases, None)
    _insert(
        conn,
        orm.Source,
        (
            {
                "id": s.id,
                "name": s.name,
                "url": s.url,
                "published": s.published,
                "note": s.note,
                "attributes": s.attributes,
                "import_id": import_id,
            }
            for s in dataset.sources
        ),
        progress,
    )
    expected = expected_events or dataset.counts()["events"]
    with (
        # A streamed CSV's rows with ids are looked up among the stored ones batch by
        # batch as they are written (see dataset/csv_events.py): without this index,
        # each batch read the whole table written so far.
        indexes_rebuilt(conn, "events", expected, keep={"ix_events_record_id"}),
        references_checked_after(conn, orm.Event, import_id, expected),
    ):
        insert_rows(
            conn,
            "events",
            EVENT_COLUMNS,
            _numbered(scenario_id, import_id, _event_rows(dataset), EVENT_COLUMNS),
            progress,
        )
    insert_rows(
        conn,
        "incidents",
        INCIDENT_COLUMNS,
        _numbered(
            scenario_id, import_id, (incident_row(i) for i in dataset.incidents), INCIDENT_COLUMNS
        ),
        progress,
    )
    insert_rows(
        conn,
        "access_records",
        ACCESS_COLUMNS,
        _numbered(scenario_id, import_id, (access_row(a) for a in dataset.access), ACCESS_COLUMNS),
        progress,
    )
    insert_rows(
        conn,
        "retractions",
        RETRACTION_COLUMNS,
        _numbered(
            scenario_id,
            import_id,
            (retraction_row(r) for r in dataset.retractions),
            RETRACTION_COLUMNS,
        ),
        progress,
    )
    return import_id
