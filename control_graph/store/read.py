"""Reading from the database: definitions, the network a question needs, and the
whole dataset (reports themselves are read in :mod:`control_graph.store.reports`).

A question about one road reads that road's segments, their endpoints and the events
about them, through the indexes; it never loads the whole database. Every function
reads what one overlay sees: the reported data, or a scenario with its bases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.model.network import RoadNetwork
from control_graph.model.records import (
    Bloc,
    Membership,
    Party,
    Place,
    Road,
    Segment,
    Source,
)
from control_graph.store import orm, reports
from control_graph.store.batches import chunks
from control_graph.store.direct import reader_on
from control_graph.store.names import ALIAS_COLUMN, NAMED_TABLES, OVERLAID
from control_graph.store.rows import records_of
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = [
    "DEFINITION_READERS",
    "ImportInfo",
    "StoredDefinitions",
    "dataset_names",
    "imports_of",
    "read_blocs",
    "read_imports",
    "read_memberships",
    "read_network",
    "read_parties",
    "read_places",
    "read_roads",
    "read_segments",
    "read_sources",
]

Definition = Party | Bloc | Place | Road | Segment | Source


# -- definitions ---------------------------------------------------------------------------


def _column(table: Any, name: str) -> Any:
    column = getattr(table, name)
    # Attributes come as JSON text and are decoded here (see rows.attributes_of): most are
    # empty, and SQLAlchemy would decode every one.
    return sa.type_coerce(column, sa.String()) if name == "attributes" else column


def _rows(conn: Connection, kind: str, ids: Iterable[str] | None, overlay: Overlay) -> list[Any]:
    """The rows of one kind of definition (all, by id; or those with the given ids)."""
    table = NAMED_TABLES[kind]
    query = sa.select(*(_column(table, c.key) for c in table.__table__.columns))
    if kind in OVERLAID:
        query = query.where(overlay.visible(table.scenario_id))
    if ids is None:
        return list(conn.execute(query.order_by(table.id)).all())
    rows: list[Any] = []
    for batch in chunks(dict.fromkeys(ids)):
        rows.extend(conn.execute(query.where(table.id.in_(batch))).all())
    return rows


def _aliases(
    conn: Connection, kind: str, rows: Sequence[Any], every: bool = False
) -> dict[str, tuple[str, ...]]:
    """The aliases of the rows' definitions (``every``: the rows are all of that kind,
    so read every alias of it at once)."""
    column = ALIAS_COLUMN[kind]
    found: dict[str, list[str]] = defaultdict(list)
    query = sa.select(column, orm.Alias.alias).order_by(column, orm.Alias.position)
    batches = (
        [query.where(column.is_not(None))]
        if every
        else [query.where(column.in_(batch)) for batch in chunks(row.id for row in rows)]
    )
    for batch in batches:
        for owner, alias in conn.execute(batch):
            if owner is not None:
                found[owner].append(alias)
    return {owner: tuple(names) for owner, names in found.items()}


def read_memberships(conn: Connection, blocs: Sequence[str] | None = None) -> list[Membership]:
    """Bloc memberships (of the given blocs, or all), in bloc and file order."""
    m = orm.BlocMembership
    query = sa.select(m.party_id, m.bloc_id, m.start_date, m.end_date, m.note).order_by(
        m.bloc_id, m.position
    )
    if blocs is not None:
        query = query.where(m.bloc_id.in_(list(blocs)))
    return [Membership(*row) for row in conn.execute(query)]


def _records(
    section: str, rows: Sequence[Any], aliases: dict[str, tuple[str, ...]]
) -> Iterator[dict[str, Any]]:
    return records_of(section, rows[0]._fields if rows else (), rows, aliases)


def read_parties(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Party]:
    """Parties (all, by id; or those with the given ids)."""
    rows = _rows(conn, "party", ids, overlay)
    aliases = _aliases(conn, "party", rows, every=ids is None)
    return [Party(**values) for values in _records("parties", rows, aliases)]


def read_blocs(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Bloc]:
    """Blocs with their memberships."""
    rows = _rows(conn, "bloc", ids, overlay)
    aliases = _aliases(conn, "bloc", rows, every=ids is None)
    members: dict[str, list[Membership]] = defaultdict(list)
    for membership in read_memberships(conn, [r.id for r in rows]):
        members[membership.bloc].append(membership)
    return [
        Bloc(**values, members=tuple(members.get(values["id"], [])))
        for values in _records("blocs", rows, aliases)
    ]


def read_places(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Place]:
    """Places with their aliases."""
    rows = _rows(conn, "place", ids, overlay)
    aliases = _aliases(conn, "place", rows, every=ids is None)
    return [Place(**values) for values in _records("places", rows, aliases)]


def read_sources(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Source]:
    """Sources."""
    rows = _rows(conn, "source", ids, overlay)
    return [Source(**values) for values in _records("sources", rows, {})]


def read_segments(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Segment]:
    """Segments, with the position of each generated one in its road."""
    rows = _rows(conn, "segment", ids, overlay)
    aliases = _aliases(conn, "segment", rows, every=ids is None)
    positions = _positions_in_own_road(conn, [(r.id, r.road_id) for r in rows], ids is None)
    return [
        Segment(**values, road=row.road_id, position=positions.get(row.id))
        for row, values in zip(rows, _records("segments", rows, aliases), strict=True)
    ]


def read_roads(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Road]:
    """Roads with their segments in order (and their places, when given by places)."""
    rows = _rows(conn, "road", ids, overlay)
    aliases = _aliases(conn, "road", rows, every=ids is None)
    chains = _road_chains(conn, [r.id for r in rows])
    roads = []
    for r, values in zip(rows, _records("roads", rows, aliases), strict=True):
        chain = chains.get(r.id, [])
        places: tuple[str, ...] = ()
        if r.defined_by == "places" and chain:
            places = (chain[0][1], *(end for _, _, end in chain))
        segments = tuple(segment for segment, _, _ in chain)
        roads.append(Road(**values, segments=segments, places=places))
    return roads


#: The reader of each kind of definition, by kind.
DEFINITION_READERS: dict[str, Callable[..., Sequence[Definition]]] = {
    "party": read_parties,
    "bloc": read_blocs,
    "place": read_places,
    "road": read_roads,
    "segment": read_segments,
    "source": read_sources,
}


def _road_chains(conn: Connection, roads: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Each road's segments in order, with their endpoints."""
    chains: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for batch in chunks(roads):
        rows = conn.execute(
            sa.select(
                orm.RoadSegment.road_id,
                orm.RoadSegment.segment_id,
                orm.Segment.start_place_id,
                orm.Segment.end_place_id,
            )
            .join(orm.Segment, orm.Segment.id == orm.RoadSegment.segment_id)
            .where(orm.RoadSegment.road_id.in_(batch))
            .order_by(orm.RoadSegment.road_id, orm.RoadSegment.position)
        )
        for road, segment, start, end in rows:
            chains[road].append((segment, start, end))
    return chains


def _positions_in_own_road(
    conn: Connection, segments: Sequence[tuple[str, str | None]], every: bool = False
) -> dict[str, int]:
    """The position of each segment a road generated in that road (``every``: the
    segments are all there are, so read every position at once)."""
    rs, s = orm.RoadSegment, orm.Segment
    query = (
        sa.select(rs.segment_id, rs.position)
        .join(s, s.id == rs.segment_id)
        .where(rs.road_id == s.road_id)
    )
    owned = [segment for segment, road in segments if road is not None]
    batches = [query] if every else [query.where(rs.segment_id.in_(b)) for b in chunks(owned)]
    positions: dict[str, int] = {}
    for batch in batches:
        positions.update((segment, position) for segment, position in conn.execute(batch))
    return positions


class StoredDefinitions:
    """What the database holds, as validation asks it (see ``dataset.checks.Existing``)."""

    def __init__(self, conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> None:
        self.conn = conn
        self.overlay = overlay
        self._holds_records: bool | None = None

    def ids(self, kind: str) -> set[str]:
        if kind == "record":
            return reports.record_ids(self.conn, self.overlay)
        table = NAMED_TABLES[kind]
        query = sa.select(table.id)
        if kind in OVERLAID:
            query = query.where(self.overlay.visible(table.scenario_id))
        return set(self.conn.execute(query).scalars())

    def definitions(self, kind: str, ids: Iterable[str]) -> dict[str, Definition]:
        records = DEFINITION_READERS[kind](self.conn, ids, self.overlay)
        return {record.id: record for record in records}

    def memberships(self) -> list[Membership]:
        return read_memberships(self.conn)

    def records(self, ids: Iterable[str]) -> dict[str, reports.Record]:
        # Asked first before the import writes anything: with no record id stored then,
        # none of a million rows needs looking up (the file's own ids are unique in it).
        if self._holds_records is None:
            self._holds_records = reports.holds_record_ids(self.conn, self.overlay)
        if not self._holds_records:
            return {}
        return reports.read_records(self.conn, ids, self.overlay)


# -- imports and listings -------------------------------------------------------------------


def imports_of(conn: Connection, sha256: str) -> list[tuple[int, dt.datetime]]:
    """Earlier imports of a file with this content: ``(import id, when)``."""
    query = sa.select(orm.Import.id, orm.Import.imported_at).where(orm.Import.sha256 == sha256)
    return [(row.id, row.imported_at) for row in conn.execute(query)]


@dataclass(frozen=True)
class ImportInfo:
    """One import, as ``control-graph imports`` lists it."""

    id: int
    at: dt.datetime
    file: str
    file_format: str
    sha256: str
    counts: dict[str, int]
    by: str | None
    dataset_name: str | None
    #: The day of the undo that retracted everything it added, if any.
    undone: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.id,
            "at": self.at.isoformat(),
            "file": self.file,
            "format": self.file_format,
            "sha256": self.sha256,
            "name": self.dataset_name,
            "by": self.by,
            "counts": self.counts,
            "undone": self.undone.isoformat() if self.undone else None,
        }


def read_imports(conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> list[ImportInfo]:
    """Every import into the reported data (or into the overlay's own scenario), oldest
    first."""
    i, r = orm.Import, orm.Retraction
    undone = sa.select(sa.func.min(r.recorded)).where(r.import_ref == i.id).scalar_subquery()
    own = i.scenario_id.is_(None) if overlay.own is None else i.scenario_id == overlay.own
    query = sa.select(*i.__table__.columns, undone.label("undone")).where(own).order_by(i.id)
    found = []
    for row in conn.execute(query):
        when = row.undone
        if isinstance(when, str):
            when = dt.date.fromisoformat(when)
        found.append(
            ImportInfo(
                row.id,
                row.imported_at,
                row.file_name,
                row.file_format,
                row.sha256,
                {k: v for k, v in (row.counts or {}).items() if v},
                row.imported_by,
                row.dataset_name,
                when,
            )
        )
    return found


def dataset_names(conn: Connection) -> list[str]:
    """The names of the datasets imported, oldest first, without repeats."""
    names = conn.execute(
        sa.select(orm.Import.dataset_name)
        .where(orm.Import.dataset_name.is_not(None))
        .order_by(orm.Import.id)
    ).scalars()
    return list(dict.fromkeys(n for n in names if n))


# -- the network a question needs, and its events -------------------------------------------


def read_network(
    conn: Connection,
    *,
    element: tuple[str, str] | None = None,
    overlay: Overlay = REPORTED_OVERLAY,
) -> RoadNetwork:
    """The network a question needs, read once.

    With ``element`` (``(kind, id)``), only what decides that element's state: for a road
    its segments, for a segment itself, and their endpoints; for a place the place; and
    every road those segments belong to (a road's event is about each of its segments).
    Without it, the whole network with the datasets' name.
    """
    if element is None and overlay == REPORTED_OVERLAY:
        # The whole reported network is the largest read of a map, a path or a
        # snapshot: plain SQL on the driver reads it in about half the time, with the
        # code the direct questions use (store/direct.py), in this transaction.
        return reader_on(conn.connection.driver_connection, conn.dialect.name).network()
    parties, blocs = read_parties(conn), read_blocs(conn)
    if element is None:
        return RoadNetwork(
            read_places(conn, overlay=overlay),
            read_segments(conn, overlay=overlay),
            read_roads(conn, overlay=overlay),
            parties=parties,
            blocs=blocs,
            name="; ".join(dataset_names(conn)) or None,
        )
    kind, ident = element
    if kind == "road":
        segment_ids = list(
            conn.execute(
                sa.select(orm.RoadSegment.segment_id).where(orm.RoadSegment.road_id == ident)
            ).scalars()
        )
    else:
        segment_ids = [ident] if kind == "segment" else []
    segments = read_segments(conn, segment_ids, overlay)
    place_ids = {ident} if kind == "place" else set()
    for segment in segments:
        place_ids.update(segment.ends())
    road_ids = {ident} if kind == "road" else set()
    for batch in chunks([s.id for s in segments]):
        road_ids.update(
            conn.execute(
                sa.select(orm.RoadSegment.road_id)
                .join(orm.Road, orm.Road.id == orm.RoadSegment.road_id)
                .where(orm.RoadSegment.segment_id.in_(batch), overlay.visible(orm.Road.scenario_id))
            ).scalars()
        )
    return RoadNetwork(
        read_places(conn, sorted(place_ids), overlay),
        segments,
        read_roads(conn, sorted(road_ids), overlay),
        parties=parties,
        blocs=blocs,
    )
