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
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.dataset.fields import RECORD_KINDS, FieldType
from control_graph.model.network import RoadNetwork
from control_graph.model.records import (
    Access,
    Bloc,
    Dataset,
    Event,
    Incident,
    Membership,
    Party,
    Place,
    Road,
    Segment,
    Source,
)
from control_graph.store import orm, reports
from control_graph.store.names import ALIAS_COLUMN, NAMED_TABLES, OVERLAID
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = [
    "DEFINITION_READERS",
    "ImportInfo",
    "StoredDefinitions",
    "dataset_names",
    "imports_of",
    "read_blocs",
    "read_dataset",
    "read_imports",
    "read_memberships",
    "read_network",
    "read_parties",
    "read_places",
    "read_roads",
    "read_segments",
    "read_sources",
]

T = TypeVar("T")


def _as(kind: type[T], value: object) -> T:
    assert isinstance(value, kind)
    return value


#: Ids per IN (...) list; well under every backend's limit on bound parameters.
CHUNK = 900

Definition = Party | Bloc | Place | Road | Segment | Source


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for ident in ids:
        batch.append(ident)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


# -- definitions ---------------------------------------------------------------------------


def _rows(conn: Connection, kind: str, ids: Iterable[str] | None, overlay: Overlay) -> list[Any]:
    """The rows of one kind of definition (all, by id; or those with the given ids)."""
    table = NAMED_TABLES[kind]
    query = sa.select(*table.__table__.columns)
    if kind in OVERLAID:
        query = query.where(overlay.visible(table.scenario_id))
    if ids is None:
        return list(conn.execute(query.order_by(table.id)))
    rows: list[Any] = []
    for batch in _chunks(dict.fromkeys(ids)):
        rows.extend(conn.execute(query.where(table.id.in_(batch))))
    return rows


def _aliases(conn: Connection, kind: str, rows: Sequence[Any]) -> dict[str, tuple[str, ...]]:
    column = ALIAS_COLUMN[kind]
    found: dict[str, list[str]] = defaultdict(list)
    for batch in _chunks(row.id for row in rows):
        aliases = conn.execute(
            sa.select(column, orm.Alias.alias)
            .where(column.in_(batch))
            .order_by(column, orm.Alias.position)
        )
        for owner, alias in aliases:
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


def _values(section: str, row: Any, aliases: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """A definition's fields from its row, column by column as the format's table says."""
    values: dict[str, Any] = {}
    for field in RECORD_KINDS[section].fields:
        if field.column is not None:
            values[field.name] = getattr(row, field.column)
        elif field.type is FieldType.NAMES:
            values[field.name] = aliases.get(row.id, ())
    if values.get("attributes") is None:
        values["attributes"] = {}
    return values


def read_parties(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Party]:
    """Parties (all, by id; or those with the given ids)."""
    rows = _rows(conn, "party", ids, overlay)
    aliases = _aliases(conn, "party", rows)
    return [Party(**_values("parties", r, aliases)) for r in rows]


def read_blocs(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Bloc]:
    """Blocs with their memberships."""
    rows = _rows(conn, "bloc", ids, overlay)
    aliases = _aliases(conn, "bloc", rows)
    members: dict[str, list[Membership]] = defaultdict(list)
    for membership in read_memberships(conn, [r.id for r in rows]):
        members[membership.bloc].append(membership)
    return [
        Bloc(**_values("blocs", r, aliases), members=tuple(members.get(r.id, []))) for r in rows
    ]


def read_places(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Place]:
    """Places with their aliases."""
    rows = _rows(conn, "place", ids, overlay)
    aliases = _aliases(conn, "place", rows)
    return [Place(**_values("places", r, aliases)) for r in rows]


def read_sources(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Source]:
    """Sources."""
    return [Source(**_values("sources", r, {})) for r in _rows(conn, "source", ids, overlay)]


def read_segments(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Segment]:
    """Segments, with the position of each generated one in its road."""
    rows = _rows(conn, "segment", ids, overlay)
    aliases = _aliases(conn, "segment", rows)
    positions = _positions_in_own_road(conn, [(r.id, r.road_id) for r in rows])
    return [
        Segment(**_values("segments", r, aliases), road=r.road_id, position=positions.get(r.id))
        for r in rows
    ]


def read_roads(
    conn: Connection, ids: Iterable[str] | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> list[Road]:
    """Roads with their segments in order (and their places, when given by places)."""
    rows = _rows(conn, "road", ids, overlay)
    aliases = _aliases(conn, "road", rows)
    chains = _road_chains(conn, [r.id for r in rows])
    roads = []
    for r in rows:
        chain = chains.get(r.id, [])
        places: tuple[str, ...] = ()
        if r.defined_by == "places" and chain:
            places = (chain[0][1], *(end for _, _, end in chain))
        segments = tuple(segment for segment, _, _ in chain)
        roads.append(Road(**_values("roads", r, aliases), segments=segments, places=places))
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
    for batch in _chunks(roads):
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
    conn: Connection, segments: Sequence[tuple[str, str | None]]
) -> dict[str, int]:
    owned = [(s, r) for s, r in segments if r is not None]
    positions: dict[str, int] = {}
    for batch in _chunks(s for s, _ in owned):
        rows = conn.execute(
            sa.select(orm.RoadSegment.segment_id, orm.RoadSegment.road_id, orm.RoadSegment.position)
            .join(orm.Segment, orm.Segment.id == orm.RoadSegment.segment_id)
            .where(orm.RoadSegment.segment_id.in_(batch))
            .where(orm.RoadSegment.road_id == orm.Segment.road_id)
        )
        for segment, _road, position in rows:
            positions[segment] = position
    return positions


class StoredDefinitions:
    """What the database holds, as validation asks it (see ``dataset.checks.Existing``)."""

    def __init__(self, conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> None:
        self.conn = conn
        self.overlay = overlay

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


def read_dataset(conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> Dataset:
    """Everything the overlay sees, as one dataset: definitions by id, events in the
    contract's order (less those a scenario supposes false), incidents by date, access
    records, retractions.

    Written with :func:`~control_graph.dataset.dump.dump_dataset` and imported into a new
    database, it gives the same answers to every question.
    """
    e = orm.Event
    layer = reports.layers(overlay)
    query = sa.select(*e.__table__.columns).where(
        overlay.visible(e.scenario_id), overlay.not_suppressed(e.id)
    )
    rows = sorted(
        conn.execute(query),
        key=lambda r: (
            r.date,
            r.recorded or r.date_latest or r.date,
            layer.get(r.scenario_id, 0),
            r.import_id,
            r.position,
        ),
    )

    def others(table: Any) -> Any:
        return conn.execute(
            sa.select(*table.__table__.columns)
            .where(overlay.visible(table.scenario_id))
            .order_by(table.date, table.import_id, table.position)
        )

    return Dataset(
        name="; ".join(dataset_names(conn)) or None,
        parties=read_parties(conn, overlay=overlay),
        blocs=read_blocs(conn, overlay=overlay),
        places=read_places(conn, overlay=overlay),
        roads=read_roads(conn, overlay=overlay),
        segments=read_segments(conn, overlay=overlay),
        sources=read_sources(conn, overlay=overlay),
        events=[_as(Event, reports.record_of("events", row)) for row in rows],
        incidents=[
            _as(Incident, reports.record_of("incidents", row)) for row in others(orm.Incident)
        ],
        access=[_as(Access, reports.record_of("access", row)) for row in others(orm.AccessRecord)],
        retractions=reports.read_retractions(conn, overlay),
    )


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
    for batch in _chunks([s.id for s in segments]):
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
