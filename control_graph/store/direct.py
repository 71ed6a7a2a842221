"""Reads on the database driver alone (``sqlite3``, psycopg), without SQLAlchemy.

Importing SQLAlchemy and declaring the ORM costs about 0.4 s, more than a question
about one road costs to answer. For the questions the command line asks most, on the
reported data with every report counting, :class:`DirectReader` reads the same rows
that :mod:`control_graph.store.read` and :mod:`control_graph.store.reports` read, in
plain SQL, and turns them into records with the same code (:mod:`control_graph.store.rows`).

It answers only where it is sure to give what the full store gives: a database already
at this version's schema revision, a name that means one element. Anything else --
a new database to create, a migration, an unknown or ambiguous name, a scenario,
``--as-of`` and the other filters -- is left to the Model (``open_direct`` or a method
returns ``None``), which also words every error. ``tests/test_direct.py`` compares the
two on random data, corrections and retractions included, on both backends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from control_graph.errors import ControlGraphError, DatabaseError
from control_graph.model.access import AccessEntry
from control_graph.model.event_table import EventTable
from control_graph.model.gc_pause import paused_gc
from control_graph.model.names import name_key
from control_graph.model.network import RoadNetwork
from control_graph.model.records import (
    Bloc,
    Event,
    Membership,
    Party,
    Place,
    Road,
    Segment,
    Source,
    built,
)
from control_graph.model.stored import DayReadings
from control_graph.model.timeline import Change
from control_graph.store.batches import chunks
from control_graph.store.rows import (
    ACCESS_COLUMNS,
    CHANGE_COLUMNS,
    CONTROL_EVENT_COLUMNS,
    DAY_COLUMNS,
    DAY_ID_SEPARATOR,
    LONG_SPAN_DAYS,
    LONG_SPANS,
    Converter,
    record_of,
    records_of,
)
from control_graph.store.settings import HEAD_REVISION, busy_timeout

__all__ = ["DirectReadError", "DirectReader", "open_direct", "reader_on"]

#: A span starts a change of state: its early state differs from the day before's (no
#: party id is empty, so an absent controller compares as '').
STARTS_CHANGE = (
    "status <> before_status OR COALESCE(controller, '') <> COALESCE(before_controller, '')"
)
#: PostgreSQL's working memory for a read of spans spread over the table (see
#: :meth:`DirectReader._wide_read`).
WIDE_READ_MEMORY = "64MB"

#: The table of each kind of definition, and the column of ``aliases`` naming its owner.
_TABLES = {
    "party": ("parties", "party_id"),
    "bloc": ("blocs", "bloc_id"),
    "place": ("places", "place_id"),
    "road": ("roads", "road_id"),
    "segment": ("segments", "segment_id"),
}
#: The kinds a scenario may add rows of (their tables have a ``scenario_id``).
_OVERLAID = {"place", "road", "segment"}


def _sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL that exists (else ``None``: memory,
    URI options, or a database the Model must create)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix) :]
    if not path or "?" in path or path.startswith("file:") or path == ":memory:":
        return None
    found = Path(path).expanduser()
    return found if found.is_file() else None


def open_direct(url: str) -> DirectReader | None:
    """A reader of the database at ``url`` (resolved, see
    :func:`~control_graph.store.settings.resolve_url`), or ``None`` when the Model must
    open it: not a SQLite file or PostgreSQL URL, not reachable, or not at this
    version's schema revision."""
    connection: Any
    if url.startswith("sqlite:"):
        path = _sqlite_path(url)
        if path is None:
            return None
        import sqlite3

        try:
            connection = sqlite3.connect(path, timeout=busy_timeout(), isolation_level=None)
            # Nothing here writes; and every read of one question sees one snapshot.
            connection.execute("PRAGMA query_only = ON")
            connection.execute("BEGIN")
        except sqlite3.Error:
            return None
        reader = reader_on(connection, "sqlite")
    elif url.startswith("postgresql+psycopg://"):
        import psycopg

        conninfo = "postgresql://" + url.split("://", 1)[1]
        # A server that does not answer is the Model's to report: wait for it once, not
        # twice (libpq's own default is to wait as long as the network does).
        if "connect_timeout" not in conninfo:
            conninfo += ("&" if "?" in conninfo else "?") + "connect_timeout=5"
        try:
            connection = psycopg.connect(conninfo)
        except (psycopg.Error, ValueError):
            return None
        reader = reader_on(connection, "postgresql")
    else:
        return None
    try:
        if reader.revision() == HEAD_REVISION:
            return reader
    except ControlGraphError:
        pass
    reader.close()
    return None


def reader_on(connection: Any, dialect: str) -> DirectReader:
    """A reader on a driver connection that is already open (a SQLAlchemy connection's
    own, inside its transaction): the caller keeps and closes it."""
    if dialect == "sqlite":
        import sqlite3

        return DirectReader(connection, "?", sqlite3.Error)
    import psycopg

    return DirectReader(connection, "%s", psycopg.Error)


def _json_as_text(cursor: Any) -> None:
    """Have psycopg hand this cursor's JSON columns over as text, as sqlite3 does.

    A definition's ``attributes`` are nearly always ``{}``, which
    :func:`~control_graph.store.rows.attributes_of` reads without parsing; psycopg would
    parse each one (half the time of reading 100,000 segments). Only this cursor's
    loaders change: the connection may be SQLAlchemy's, which expects parsed JSON.
    """
    from psycopg.types.string import TextLoader

    cursor.adapters.register_loader("json", TextLoader)
    cursor.adapters.register_loader("jsonb", TextLoader)


class DirectReadError(DatabaseError):
    """The driver failed (a lock, a schema it does not expect): the caller asks the Model
    instead, which reports what is wrong in its own words."""


class DirectReader:
    """Reads of the reported data on one driver connection (one snapshot on SQLite)."""

    def __init__(self, connection: Any, placeholder: str, error: type[Exception]) -> None:
        self.connection = connection
        self._placeholder = placeholder
        self._error = error
        self._retractions: tuple[list[int], bool] | None = None
        self._wide = False

    def close(self) -> None:
        with contextlib.suppress(self._error):
            self.connection.rollback()
        self.connection.close()

    def _columns(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[Any]]:
        """A query's column names and rows; the query has ``?`` for each parameter."""
        try:
            if self._placeholder == "?":
                cursor = self.connection.execute(sql, tuple(params))
            else:
                cursor = self.connection.cursor()
                _json_as_text(cursor)
                cursor.execute(sql.replace("?", self._placeholder), tuple(params))
            rows = cursor.fetchall()
            return [d[0] for d in cursor.description], rows
        except self._error as error:
            raise DirectReadError(str(error)) from None

    def _wide_read(self) -> None:
        """Before a read of spans spread over the whole table (a day's, a month's), let
        PostgreSQL keep an exact bitmap of their pages: in its default 4 MB of working
        memory the bitmap of a national network's day turned lossy, and the server
        re-checked 2.3 million rows to keep 115,000 (0.9 s; 0.4 s with this). Only this
        transaction's setting; SQLite has none."""
        if self._placeholder == "?" or self._wide:
            return
        try:
            self.connection.execute(f"SET LOCAL work_mem = '{WIDE_READ_MEMORY}'")
            # Compiling such a plain scan to machine code took 40-80 ms and saved none.
            self.connection.execute("SET LOCAL jit = off")
        except self._error as error:
            raise DirectReadError(str(error)) from None
        self._wide = True

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """A query's rows (tuples on SQLite, sequences on psycopg)."""
        return self._columns(sql, params)[1]

    def _day(self, day: dt.date) -> Any:
        # SQLite keeps days as ISO text (as SQLAlchemy writes them); psycopg sends dates.
        return day.isoformat() if self._placeholder == "?" else day

    def revision(self) -> str | None:
        rows = self._rows("SELECT version_num FROM alembic_version")
        return rows[0][0] if rows else None

    # -- names --------------------------------------------------------------------------

    def resolve(self, text: str, kinds: Sequence[str]) -> tuple[str, str] | None:
        """``(kind, id)`` of the one element an id, name or alias means, as
        :func:`control_graph.store.names.resolve` finds it; ``None`` when that would
        not be one element (the Model then says why, with candidates)."""
        prefix, _, rest = text.partition(":")
        if rest and prefix in kinds:
            kinds, text = (prefix,), rest

        def visible(kind: str, table: str) -> str:
            return f" AND {table}.scenario_id IS NULL" if kind in _OVERLAID else ""

        by_id = [
            (kind, text)
            for kind in kinds
            if self._rows(
                f"SELECT id FROM {_TABLES[kind][0]} WHERE id = ?" + visible(kind, _TABLES[kind][0]),
                (text,),
            )
        ]
        if len(by_id) == 1:
            return by_id[0]
        key = name_key(text)
        found: set[tuple[str, str]] = set(by_id)
        for kind in kinds:
            table, alias_column = _TABLES[kind]
            condition = visible(kind, table)
            for (ident,) in self._rows(
                f"SELECT id FROM {table} WHERE name_key = ?" + condition, (key,)
            ):
                found.add((kind, ident))
            for (ident,) in self._rows(
                f"SELECT {table}.id FROM aliases JOIN {table} ON {table}.id = aliases."
                f"{alias_column} WHERE aliases.alias_key = ?" + condition,
                (key,),
            ):
                found.add((kind, ident))
        return next(iter(found)) if len(found) == 1 else None

    # -- definitions --------------------------------------------------------------------

    def _definitions(
        self, kind: str, ids: Iterable[str] | None
    ) -> tuple[list[str], list[Any], dict[str, tuple[str, ...]]]:
        """The rows of one kind (all, by id; or those with ``ids``), and their aliases."""
        table, alias_column = _TABLES[kind]
        visible = "scenario_id IS NULL" if kind in _OVERLAID else "1 = 1"
        columns: list[str] = []
        rows: list[Any] = []
        aliases: dict[str, list[str]] = defaultdict(list)
        alias_query = (
            f"SELECT {alias_column}, alias FROM aliases WHERE {alias_column} IS NOT NULL"
            f" ORDER BY {alias_column}, position"
        )
        if ids is None:
            columns, rows = self._columns(f"SELECT * FROM {table} WHERE {visible} ORDER BY id")
            for owner, alias in self._rows(alias_query):
                aliases[owner].append(alias)
        else:
            for batch in chunks(dict.fromkeys(ids)):
                marks = ", ".join("?" * len(batch))
                columns, found = self._columns(
                    f"SELECT * FROM {table} WHERE {visible} AND id IN ({marks})", batch
                )
                rows.extend(found)
                owners = [row[columns.index("id")] for row in found]
                if owners:
                    marks = ", ".join("?" * len(owners))
                    for owner, alias in self._rows(
                        f"SELECT {alias_column}, alias FROM aliases WHERE {alias_column} IN"
                        f" ({marks}) ORDER BY {alias_column}, position",
                        owners,
                    ):
                        aliases[owner].append(alias)
        return columns, rows, {owner: tuple(names) for owner, names in aliases.items()}

    def parties(self) -> list[Party]:
        columns, rows, aliases = self._definitions("party", None)
        return [Party(**values) for values in records_of("parties", columns, rows, aliases)]

    def memberships(self) -> list[Membership]:
        """Every bloc membership, in bloc and file order."""
        convert = Converter()
        return [
            Membership(party, bloc, convert.optional_day(start), convert.optional_day(end), note)
            for party, bloc, start, end, note in self._rows(
                "SELECT party_id, bloc_id, start_date, end_date, note FROM bloc_memberships"
                " ORDER BY bloc_id, position"
            )
        ]

    def blocs(self) -> list[Bloc]:
        columns, rows, aliases = self._definitions("bloc", None)
        members: dict[str, list[Membership]] = defaultdict(list)
        for membership in self.memberships():
            members[membership.bloc].append(membership)
        return [
            Bloc(**values, members=tuple(members.get(values["id"], [])))
            for values in records_of("blocs", columns, rows, aliases)
        ]

    def places(self, ids: Iterable[str] | None) -> list[Place]:
        columns, rows, aliases = self._definitions("place", ids)
        return built(Place, records_of("places", columns, rows, aliases))

    def segments(self, ids: Iterable[str] | None) -> list[Segment]:
        """Segments (all, by id; or those with ``ids``), with the position of each
        generated one in its own road."""
        columns, rows, aliases = self._definitions("segment", ids)
        if not rows:
            return []
        ident, road = columns.index("id"), columns.index("road_id")
        positions: dict[str, int] = {}
        owned = [row[ident] for row in rows if row[road] is not None]
        query = (
            "SELECT rs.segment_id, rs.position FROM road_segments rs JOIN segments s"
            " ON s.id = rs.segment_id WHERE rs.road_id = s.road_id"
        )
        if ids is None:
            positions.update(self._rows(query))
        for batch in [] if ids is None else chunks(owned):
            marks = ", ".join("?" * len(batch))
            positions.update(self._rows(f"{query} AND rs.segment_id IN ({marks})", batch))
        return built(
            Segment,
            (
                values | {"road": row[road], "position": positions.get(row[ident])}
                for row, values in zip(
                    rows, records_of("segments", columns, rows, aliases), strict=True
                )
            ),
        )

    def roads(self, ids: Iterable[str] | None) -> list[Road]:
        """Roads (all, by id; or those with ``ids``) with their segments in order (and
        their places, when given by places)."""
        columns, rows, aliases = self._definitions("road", ids)
        if not rows:
            return []
        ident, defined_by = columns.index("id"), columns.index("defined_by")
        chains: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        query = (
            "SELECT rs.road_id, rs.segment_id, s.start_place_id, s.end_place_id"
            " FROM road_segments rs JOIN segments s ON s.id = rs.segment_id"
        )
        order = " ORDER BY rs.road_id, rs.position"
        if ids is None:
            links = self._rows(query + order)
        else:
            links = []
            for batch in chunks([row[ident] for row in rows]):
                marks = ", ".join("?" * len(batch))
                links += self._rows(f"{query} WHERE rs.road_id IN ({marks}){order}", batch)
        for road, segment, start, end in links:
            chains[road].append((segment, start, end))
        found = []
        for row, values in zip(rows, records_of("roads", columns, rows, aliases), strict=True):
            chain = chains.get(row[ident], [])
            places: tuple[str, ...] = ()
            if row[defined_by] == "places" and chain:
                places = (chain[0][1], *(end for _, _, end in chain))
            found.append(values | {"segments": tuple(s for s, _, _ in chain), "places": places})
        return built(Road, found)

    def sources(self) -> list[Source]:
        """Every source, by id."""
        columns, rows = self._columns("SELECT * FROM sources ORDER BY id")
        return [Source(**values) for values in records_of("sources", columns, rows, {})]

    def dataset_names(self) -> list[str]:
        """The names of the datasets imported, oldest first, without repeats."""
        names = self._rows(
            "SELECT dataset_name FROM imports WHERE dataset_name IS NOT NULL ORDER BY id"
        )
        return list(dict.fromkeys(name for (name,) in names if name))

    def network(self) -> RoadNetwork:
        """The whole network of the reported data, as
        :func:`control_graph.store.read.read_network` reads it."""
        with paused_gc():
            return RoadNetwork(
                self.places(None),
                self.segments(None),
                self.roads(None),
                parties=self.parties(),
                blocs=self.blocs(),
                name="; ".join(self.dataset_names()) or None,
            )

    def graph_rows(self) -> tuple[list[Any], list[Any]]:
        """What a graph of the reported network is made of, and no more: each place's
        ``(id, lat, lon, kind)`` and each segment's ``(id, start, end, length_km)``, by
        id as :meth:`network` orders them. Reading the whole network's definitions
        (names, aliases, notes, attributes, roads) took twice as long as a snapshot's
        graph needs."""
        return (
            self._rows(
                "SELECT id, lat, lon, kind FROM places WHERE scenario_id IS NULL ORDER BY id"
            ),
            self._rows(
                "SELECT id, start_place_id, end_place_id, length_km FROM segments"
                " WHERE scenario_id IS NULL ORDER BY id"
            ),
        )

    def road_segments(self) -> dict[str, tuple[str, ...]]:
        """Each reported road's segments, in order."""
        chains: dict[str, list[str]] = defaultdict(list)
        for road, segment in self._rows(
            "SELECT rs.road_id, rs.segment_id FROM road_segments rs JOIN roads r"
            " ON r.id = rs.road_id WHERE r.scenario_id IS NULL ORDER BY rs.road_id, rs.position"
        ):
            chains[road].append(segment)
        return {road: tuple(segments) for road, segments in chains.items()}

    def network_of(self, kind: str, ident: str) -> RoadNetwork:
        """What decides one element's state, as
        :func:`control_graph.store.read.read_network` reads it for ``element``."""
        if kind == "road":
            segment_ids = [
                segment
                for (segment,) in self._rows(
                    "SELECT segment_id FROM road_segments WHERE road_id = ?", (ident,)
                )
            ]
        else:
            segment_ids = [ident] if kind == "segment" else []
        segments = self.segments(segment_ids)
        place_ids = {ident} if kind == "place" else set()
        for segment in segments:
            place_ids.update(segment.ends())
        road_ids = {ident} if kind == "road" else set()
        for batch in chunks([s.id for s in segments]):
            marks = ", ".join("?" * len(batch))
            road_ids.update(
                road
                for (road,) in self._rows(
                    "SELECT rs.road_id FROM road_segments rs JOIN roads r ON r.id = rs.road_id"
                    f" WHERE rs.segment_id IN ({marks}) AND r.scenario_id IS NULL",
                    batch,
                )
            )
        return RoadNetwork(
            self.places(sorted(place_ids)),
            segments,
            self.roads(sorted(road_ids)),
            parties=self.parties(),
            blocs=self.blocs(),
        )

    def event_records(self, keys: Iterable[int]) -> dict[int, Event]:
        """Whole events by their row ids (as ``reports.read_event_records``)."""
        found: dict[int, Event] = {}
        for batch in chunks(sorted(set(keys))):
            marks = ", ".join("?" * len(batch))
            columns, rows = self._columns(f"SELECT * FROM events WHERE id IN ({marks})", batch)
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                record = record_of("events", values)
                if isinstance(record, Event):
                    found[values["id"]] = record
        return found

    # -- stored spans -------------------------------------------------------------------

    def _containing(self, day: dt.date) -> list[Any]:
        # The spans that started in the month up to the day, then the long ones that
        # started before it, each through its own index (see spans.read_day). Grouped
        # by their readings, with each group's ids joined into one text: a day's
        # 25,000 spans come as a few dozen rows, and Python makes a few dozen tuples
        # instead of 25,000 of nine values each (half the read's time on SQLite).
        recent = self._day(day - dt.timedelta(days=LONG_SPAN_DAYS))
        contains = "(end_day > ? OR end_day IS NULL)"
        on = self._day(day)
        joined = (
            f"group_concat(element_id, '{DAY_ID_SEPARATOR}')"
            if self._placeholder == "?"
            else f"string_agg(element_id, '{DAY_ID_SEPARATOR}')"
        )
        select = f"SELECT {', '.join(DAY_COLUMNS)}, {joined} FROM state_spans WHERE"
        grouped = f" GROUP BY {', '.join(DAY_COLUMNS)}"
        long_before = f"{select} ({LONG_SPANS}) AND start_day <= ? AND"
        self._wide_read()
        # The long ones in two parts, ended after the day and open: with the "or" of
        # the two, PostgreSQL could test only the start day in the index, and read
        # from the table every long span that started before (1.2M rows for 55,000 at
        # national scale: 0.7-4 s; 0.06 s in two parts).
        recently = f"{select} start_day > ? AND start_day <= ? AND {contains}"
        return (
            self._rows(recently + grouped, (recent, on, on))
            + self._rows(f"{long_before} end_day > ?{grouped}", (recent, on))
            + self._rows(f"{long_before} end_day IS NULL{grouped}", (recent,))
        )

    def day_readings(self, day: dt.date) -> DayReadings:
        """What the spans containing ``day`` say of each element (as
        :func:`control_graph.store.spans.read_day` reads it)."""
        return Converter().day_readings(self._containing(day))

    def changes_starting(self, start: dt.date | None, end: dt.date | None) -> list[Change]:
        """Every change of state (by party) from ``start`` to ``end`` (both inclusive),
        from the spans starting then whose early state differs from the day before's
        (as :func:`control_graph.store.spans.read_changes` reads them), by date, then
        element id."""
        # Only the spans that start a change, and only the columns a change shows: a
        # month of a national network is a quarter of a million rows.
        conditions = [f"({STARTS_CHANGE})"]
        params = []
        if start is not None:
            conditions.append("start_day >= ?")
            params.append(self._day(start))
        if end is not None:
            conditions.append("start_day <= ?")
            params.append(self._day(end))
        self._wide_read()
        columns = ", ".join(CHANGE_COLUMNS)
        # Ordered by the server, by date then id (compared as code points, as Python
        # compares strings: SQLite's BINARY does, and PostgreSQL's "C" collation).
        collate = ' COLLATE "C"' if self._placeholder != "?" else ""
        with paused_gc():
            rows = self._rows(
                f"SELECT {columns} FROM state_spans WHERE {' AND '.join(conditions)}"
                f" ORDER BY start_day, element_id{collate}",
                params,
            )
            return list(Converter().changes(rows))

    def held_ever(self) -> set[str]:
        """Every party that holds some place or segment at some time, in either reading."""
        # Counted as the spans are written (migration 0007): not a pass over every span.
        return {party for (party,) in self._rows("SELECT party_id FROM span_holders")}

    def holds_between(self, party: str, start: dt.date | None, end: dt.date | None) -> bool:
        """Whether ``party`` holds some place or segment, in either reading, on some day
        from ``start`` to the day before ``end`` (``None``: open)."""
        conditions, params = ["(controller = ? OR late_controller = ?)"], [party, party]
        if start is not None:
            conditions.append("(end_day IS NULL OR end_day > ?)")
            params.append(self._day(start))
        if end is not None:
            conditions.append("start_day < ?")
            params.append(self._day(end))
        where = " AND ".join(conditions)
        return bool(self._rows(f"SELECT id FROM state_spans WHERE {where} LIMIT 1", params))

    def last_change(self) -> dt.date | None:
        """The last day on which any place's or segment's state changes (by party)."""
        ((value,),) = self._rows(f"SELECT max(start_day) FROM state_spans WHERE {STARTS_CHANGE}")
        return None if value is None else Converter().day(value)

    # -- reports ------------------------------------------------------------------------

    def _counted(self, table: str) -> tuple[str, list[Any]]:
        """The condition (and its parameters) for the rows of ``table`` that count in the
        reported data with no filter: as
        :func:`control_graph.store.reports.counting.counted` decides it."""
        conditions = [f"{table}.scenario_id IS NULL"]
        params: list[Any] = []
        if self._retractions is None:
            # Looked up once per reader (one snapshot), for events and access alike.
            undone = sorted(
                ref
                for (ref,) in self._rows(
                    "SELECT DISTINCT import_ref FROM retractions"
                    " WHERE import_ref IS NOT NULL AND scenario_id IS NULL"
                )
            )
            by_id = bool(
                self._rows(
                    "SELECT id FROM retractions"
                    " WHERE record_id IS NOT NULL AND scenario_id IS NULL LIMIT 1"
                )
            )
            self._retractions = (undone, by_id)
        undone, by_id = self._retractions
        if undone:
            conditions.append(f"{table}.import_id NOT IN ({', '.join('?' * len(undone))})")
            params.extend(undone)
        if by_id:
            # Retracted by record id, by a retraction whose own import is not undone.
            conditions.append(
                f"NOT ({table}.record_id IS NOT NULL AND EXISTS (SELECT 1 FROM retractions r"
                f" WHERE r.record_id = {table}.record_id"
                f" AND (r.before_import IS NULL OR {table}.import_id < r.before_import)"
                " AND r.scenario_id IS NULL AND NOT EXISTS (SELECT 1 FROM retractions u"
                " WHERE u.import_ref = r.import_id AND u.scenario_id IS NULL)))"
            )
        return " AND ".join(conditions), params

    def _about(
        self, table: str, network: RoadNetwork, kinds: Sequence[str]
    ) -> Iterable[tuple[str, list[str]]]:
        """A condition per batch of the network's elements (of ``kinds``)."""
        ids: dict[str, Iterable[str]] = {
            "place": network.places,
            "segment": network.segments,
            "road": network.roads,
        }
        for kind in kinds:
            for batch in chunks(sorted(ids[kind])):
                yield f"{table}.{kind}_id IN ({', '.join('?' * len(batch))})", batch

    def control_events(self, network: RoadNetwork, until: dt.date | None) -> EventTable:
        """The events that count for ``network``'s elements, dated on or before ``until``."""
        counted, params = self._counted("events")
        if until is not None:
            counted += " AND events.date <= ?"
            params = [*params, self._day(until)]
        columns = ", ".join(f"events.{name}" for name in CONTROL_EVENT_COLUMNS)
        convert = Converter()
        found = EventTable()
        for about, batch in self._about("events", network, ("place", "segment", "road")):
            rows = self._rows(
                f"SELECT {columns} FROM events WHERE {about} AND {counted}", [*batch, *params]
            )
            convert.control_events(rows, found)
        return found

    def access(self, network: RoadNetwork | None, until: dt.date | None) -> list[AccessEntry]:
        """The access records that count for ``network``'s segments (default: all)."""
        counted, params = self._counted("access_records")
        if until is not None:
            counted += " AND access_records.date <= ?"
            params = [*params, self._day(until)]
        columns = ", ".join(
            "COALESCE(access_records.recorded, access_records.date)"
            if name == "known"
            else f"access_records.{name}"
            for name in ACCESS_COLUMNS
        )
        convert = Converter()
        found: list[AccessEntry] = []
        about_network = (
            self._about("access_records", network, ("segment", "road"))
            if network is not None
            else [("1 = 1", [])]
        )
        for about, batch in about_network:
            rows = self._rows(
                f"SELECT {columns} FROM access_records WHERE {about} AND {counted}",
                [*batch, *params],
            )
            found.extend(convert.access_entries(rows))
        return found
