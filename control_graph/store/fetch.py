"""Reading from the database: definitions, name lookup, and the slice of the network and
its events that one question needs.

A question about one road reads that road's segments, their endpoints and the events
about them up to the day asked, through the indexes; it never loads the whole database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.errors import AmbiguousNameError, UnknownElementError
from control_graph.model.records import (
    Bloc,
    Confidence,
    ControlEvent,
    Incident,
    Membership,
    Party,
    Place,
    Road,
    Segment,
    Source,
    Target,
)
from control_graph.model.states import State, Status
from control_graph.store import orm
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = [
    "EventRecord",
    "NetworkSlice",
    "StoredDefinitions",
    "dataset_names",
    "fetch_network",
    "imports_of",
    "name_key",
    "read_definitions",
    "read_events",
    "read_incidents",
    "read_memberships",
    "resolve",
]

Kind = Literal["party", "bloc", "place", "road", "segment", "source"]
TABLES: dict[str, Any] = {
    "party": orm.Party,
    "bloc": orm.Bloc,
    "place": orm.Place,
    "road": orm.Road,
    "segment": orm.Segment,
    "source": orm.Source,
}
ALIAS_COLUMN = {
    "party": orm.Alias.party_id,
    "bloc": orm.Alias.bloc_id,
    "place": orm.Alias.place_id,
    "road": orm.Alias.road_id,
    "segment": orm.Alias.segment_id,
}
#: The kinds of definition a scenario may add (their tables have a scenario_id).
OVERLAID = {"place", "road", "segment"}
#: Ids per IN (...) list; well under every backend's limit on bound parameters.
CHUNK = 900


def name_key(name: str) -> str:
    """How names are compared: without regard to case or repeated spaces.

    >>> name_key("  Hpakant-Indawgyi   Route ")
    'hpakant-indawgyi route'
    """
    return " ".join(name.casefold().split())


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for ident in ids:
        batch.append(ident)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _target_of(row: Any) -> tuple[Target, str]:
    """What an event or incident row is about: its one place, segment or road."""
    if row.place_id is not None:
        return Target.PLACE, row.place_id
    if row.segment_id is not None:
        return Target.SEGMENT, row.segment_id
    return Target.ROAD, row.road_id


# -- definitions ---------------------------------------------------------------------------


def _aliases(conn: Connection, kind: str, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    column = ALIAS_COLUMN.get(kind)
    if column is None:
        return {}
    found: dict[str, list[str]] = defaultdict(list)
    for batch in _chunks(ids):
        rows = conn.execute(
            sa.select(column, orm.Alias.alias)
            .where(column.in_(batch))
            .order_by(column, orm.Alias.position)
        )
        for owner, alias in rows:
            if owner is not None:
                found[owner].append(alias)
    return {owner: tuple(aliases) for owner, aliases in found.items()}


def read_memberships(conn: Connection, blocs: Sequence[str] | None = None) -> list[Membership]:
    """Bloc memberships (of the given blocs, or all), in bloc and file order."""
    query = sa.select(
        orm.BlocMembership.party_id,
        orm.BlocMembership.bloc_id,
        orm.BlocMembership.start_date,
        orm.BlocMembership.end_date,
        orm.BlocMembership.note,
    ).order_by(orm.BlocMembership.bloc_id, orm.BlocMembership.position)
    if blocs is not None:
        query = query.where(orm.BlocMembership.bloc_id.in_(list(blocs)))
    return [Membership(*row) for row in conn.execute(query)]


def read_definitions(
    conn: Connection,
    kind: str,
    ids: Iterable[str] | None = None,
    overlay: Overlay = REPORTED_OVERLAY,
) -> list[Any]:
    """Stored definitions of one kind as records (all, or those with the given ids)."""
    table = TABLES[kind]
    columns = sa.select(*table.__table__.columns)
    if kind in OVERLAID:
        columns = columns.where(overlay.visible(table.scenario_id))
    wanted = None if ids is None else list(dict.fromkeys(ids))
    rows: list[Any] = []
    if wanted is None:
        rows = list(conn.execute(columns.order_by(table.id)).mappings())
    else:
        for batch in _chunks(wanted):
            rows.extend(conn.execute(columns.where(table.id.in_(batch))).mappings())
    found_ids = [row["id"] for row in rows]
    aliases = _aliases(conn, kind, found_ids)
    if kind == "party":
        return [
            Party(
                r["id"],
                r["name"],
                aliases.get(r["id"], ()),
                r["color"],
                r["note"],
                r["attributes"] or {},
            )
            for r in rows
        ]
    if kind == "bloc":
        members: dict[str, list[Membership]] = defaultdict(list)
        for membership in read_memberships(conn, found_ids):
            members[membership.bloc].append(membership)
        return [
            Bloc(
                r["id"],
                r["name"],
                aliases.get(r["id"], ()),
                tuple(members.get(r["id"], [])),
                r["note"],
                r["attributes"] or {},
            )
            for r in rows
        ]
    if kind == "place":
        return [
            Place(
                r["id"],
                r["name"],
                aliases.get(r["id"], ()),
                r["kind"],
                r["lat"],
                r["lon"],
                r["note"],
                r["attributes"] or {},
            )
            for r in rows
        ]
    if kind == "source":
        return [
            Source(r["id"], r["name"], r["url"], r["published"], r["note"], r["attributes"] or {})
            for r in rows
        ]
    if kind == "segment":
        positions = _positions_in_own_road(conn, [(r["id"], r["road_id"]) for r in rows])
        return [
            Segment(
                r["id"],
                r["start_place_id"],
                r["end_place_id"],
                r["length_km"],
                r["name"],
                aliases.get(r["id"], ()),
                r["road_id"],
                positions.get(r["id"]),
                r["note"],
                r["attributes"] or {},
            )
            for r in rows
        ]
    chains = _road_chains(conn, found_ids)
    roads = []
    for r in rows:
        segments = tuple(s for s, _, _ in chains.get(r["id"], []))
        places: tuple[str, ...] = ()
        if r["defined_by"] == "places" and chains.get(r["id"]):
            chain = chains[r["id"]]
            places = (chain[0][1], *(end for _, _, end in chain))
        roads.append(
            Road(
                r["id"],
                segments,
                r["name"],
                aliases.get(r["id"], ()),
                places,
                r["note"],
                r["attributes"] or {},
            )
        )
    return roads


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
    """What an import needs to know about the database (see ``validate.Existing``)."""

    def __init__(self, conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> None:
        self.conn = conn
        self.overlay = overlay

    def ids(self, kind: str) -> set[str]:
        table = TABLES[kind]
        query = sa.select(table.id)
        if kind in OVERLAID:
            query = query.where(self.overlay.visible(table.scenario_id))
        return set(self.conn.execute(query).scalars())

    def definitions(self, kind: str, ids: Iterable[str]) -> dict[str, Any]:
        records = read_definitions(self.conn, kind, ids, self.overlay)
        return {record.id: record for record in records}

    def memberships(self) -> list[Membership]:
        return read_memberships(self.conn)


def imports_of(conn: Connection, sha256: str) -> list[tuple[int, dt.datetime]]:
    """Earlier imports of a file with this content: ``(import id, when)``."""
    return [
        (row.id, row.imported_at)
        for row in conn.execute(
            sa.select(orm.Import.id, orm.Import.imported_at).where(orm.Import.sha256 == sha256)
        )
    ]


def read_incidents(
    conn: Connection,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    overlay: Overlay = REPORTED_OVERLAY,
) -> list[Incident]:
    """Incidents dated from ``start`` to ``end`` (both inclusive), oldest first."""
    i = orm.Incident
    query = (
        sa.select(*i.__table__.columns)
        .where(overlay.visible(i.scenario_id))
        .order_by(i.date, i.import_id, i.position)
    )
    if start is not None:
        query = query.where(i.date >= start)
    if end is not None:
        query = query.where(i.date <= end)
    incidents = []
    for row in conn.execute(query):
        target, target_id = _target_of(row)
        incidents.append(
            Incident(
                row.date,
                target,
                target_id,
                row.party_id,
                row.kind,
                row.source_id,
                Confidence(row.confidence) if row.confidence else None,
                row.recorded,
                row.note,
                row.attributes or {},
            )
        )
    return incidents


def dataset_names(conn: Connection) -> list[str]:
    """The names of the datasets imported, oldest first, without repeats."""
    names = conn.execute(
        sa.select(orm.Import.dataset_name)
        .where(orm.Import.dataset_name.is_not(None))
        .order_by(orm.Import.id)
    ).scalars()
    return list(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class EventRecord:
    """A stored event with its id (which ``scenario suppress`` takes)."""

    id: int
    date: dt.date
    recorded: dt.date | None
    target: Target
    target_id: str
    status: str
    party: str | None
    kind: str | None
    source: str | None
    confidence: str | None
    note: str | None
    scenario: str | None
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "recorded": self.recorded.isoformat() if self.recorded else None,
            self.target.value: self.target_id,
            "status": self.status,
            "party": self.party,
            "kind": self.kind,
            "source": self.source,
            "confidence": self.confidence,
            "note": self.note,
            "scenario": self.scenario,
            "suppressed": self.suppressed,
        }


def read_events(
    conn: Connection,
    *,
    element: tuple[str, str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    overlay: Overlay = REPORTED_OVERLAY,
    limit: int | None = None,
) -> list[EventRecord]:
    """Events about an element (a segment includes its roads' events, a road its
    segments'), or all, in the contract's order; suppressed ones are marked."""
    e = orm.Event
    query = (
        sa.select(*e.__table__.columns, orm.Scenario.name.label("scenario_name"))
        .join(orm.Scenario, orm.Scenario.id == e.scenario_id, isouter=True)
        .where(overlay.visible(e.scenario_id))
        .order_by(e.date, sa.func.coalesce(e.recorded, e.date), e.import_id, e.position)
    )
    if element is not None:
        kind, ident = element
        if kind == "place":
            query = query.where(e.place_id == ident)
        elif kind == "segment":
            roads = sa.select(orm.RoadSegment.road_id).where(orm.RoadSegment.segment_id == ident)
            query = query.where(sa.or_(e.segment_id == ident, e.road_id.in_(roads)))
        else:
            segments = sa.select(orm.RoadSegment.segment_id).where(orm.RoadSegment.road_id == ident)
            query = query.where(sa.or_(e.road_id == ident, e.segment_id.in_(segments)))
    if start is not None:
        query = query.where(e.date >= start)
    if end is not None:
        query = query.where(e.date <= end)
    if limit is not None:
        query = query.limit(limit)
    suppressed: set[int] = set()
    if overlay.scenarios:
        suppressed = set(
            conn.execute(
                sa.select(orm.Suppression.event_id).where(
                    orm.Suppression.scenario_id.in_(overlay.scenarios)
                )
            ).scalars()
        )
    records = []
    for event in conn.execute(query):
        target, target_id = _target_of(event)
        records.append(
            EventRecord(
                event.id,
                event.date,
                event.recorded,
                target,
                target_id,
                event.status,
                event.party_id,
                event.kind,
                event.source_id,
                event.confidence,
                event.note,
                event.scenario_name,
                event.id in suppressed,
            )
        )
    return records


# -- names -----------------------------------------------------------------------------------


def resolve(
    conn: Connection,
    text: str,
    kinds: Sequence[str] = ("place", "segment", "road"),
    overlay: Overlay = REPORTED_OVERLAY,
) -> tuple[str, str]:
    """Find the element (or party, bloc) a user means: ``(kind, id)``.

    An exact id wins; otherwise a name or alias, compared without regard to case, that
    exactly one element has. ``kind:id`` (``road:ford``) picks one kind when a place and
    a road share an id.

    Raises
    ------
    AmbiguousNameError
        When several elements have that name; ``candidates`` lists them.
    UnknownElementError
        When none has; ``candidates`` lists similar names.
    """

    def visible(kind: str) -> Any:
        return overlay.visible(TABLES[kind].scenario_id) if kind in OVERLAID else sa.true()

    prefix, _, rest = text.partition(":")
    if rest and prefix in kinds:
        kinds, text = (prefix,), rest
    by_id = [
        (kind, text)
        for kind in kinds
        if conn.execute(
            sa.select(TABLES[kind].id).where(TABLES[kind].id == text, visible(kind))
        ).first()
    ]
    if len(by_id) == 1:
        return by_id[0]
    key = name_key(text)
    found: dict[tuple[str, str], str] = {}
    for kind in kinds:
        table = TABLES[kind]
        if hasattr(table, "name_key"):
            for ident, name in conn.execute(
                sa.select(table.id, table.name).where(table.name_key == key, visible(kind))
            ):
                found[(kind, ident)] = name or ident
        if kind in ALIAS_COLUMN:
            column = ALIAS_COLUMN[kind]
            for ident, name in conn.execute(
                sa.select(column, table.name)
                .join(table, table.id == column)
                .where(orm.Alias.alias_key == key, visible(kind))
            ):
                found[(kind, ident)] = name or ident
    for kind, ident in by_id:
        found[(kind, ident)] = ident
    if len(found) == 1:
        return next(iter(found))
    what = " or ".join(kinds) if len(kinds) < 3 else "place, segment or road"
    if found:
        candidates = sorted((ident, kind, name) for (kind, ident), name in found.items())
        hint = "give an id" if len(by_id) < 2 else f"write {by_id[0][0]}:{text} or similar"
        raise AmbiguousNameError(
            f"{text!r} is the name of {len(found)} different elements; {hint}", candidates
        )
    raise UnknownElementError(
        f"no {what} has the id or name {text!r}", _similar(conn, key, kinds, visible)
    )


def _similar(
    conn: Connection, key: str, kinds: Sequence[str], visible: Any
) -> list[tuple[str, str, str]]:
    """A few elements whose id or name contains part of what was typed."""
    fragment = key[: max(3, len(key) // 2)].replace("%", "").replace("_", "")
    if not fragment:
        return []
    pattern = f"%{fragment}%"
    found: list[tuple[str, str, str]] = []
    for kind in kinds:
        table = TABLES[kind]
        conditions = [table.id.like(pattern)]
        if hasattr(table, "name_key"):
            conditions.append(table.name_key.like(pattern))
        for ident, name in conn.execute(
            sa.select(table.id, table.name).where(sa.or_(*conditions), visible(kind)).limit(8)
        ):
            found.append((ident, kind, name or ident))
    return found[:10]


# -- the network a question needs -------------------------------------------------------------


@dataclass
class NetworkSlice:
    """Part of the network (or all of it) and the events about it."""

    places: dict[str, Place] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    roads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    road_names: dict[str, str | None] = field(default_factory=dict)
    events: list[ControlEvent] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)


def _segment_records(rows: Iterable[Any]) -> dict[str, Segment]:
    return {
        r.id: Segment(r.id, r.start_place_id, r.end_place_id, r.length_km, r.name) for r in rows
    }


def _segment_columns() -> list[Any]:
    s = orm.Segment
    return [s.id, s.start_place_id, s.end_place_id, s.length_km, s.name]


def _place_columns() -> list[Any]:
    p = orm.Place
    return [p.id, p.name, p.kind, p.lat, p.lon]


def _place_record(r: Any) -> Place:
    return Place(r.id, r.name, (), r.kind, r.lat, r.lon)


def fetch_network(
    conn: Connection,
    *,
    element: tuple[str, str] | None = None,
    until: dt.date | None = None,
    as_of: dt.date | None = None,
    overlay: Overlay = REPORTED_OVERLAY,
) -> NetworkSlice:
    """The places, segments, roads and events a question needs.

    With ``element`` (``(kind, id)``), only what decides that element's state: for a road
    its segments, for a segment itself, and their endpoints; for a place the place.
    Without it, the whole network. ``until`` leaves out events after that day, ``as_of``
    events recorded after that day.
    """
    result = NetworkSlice()
    if element is None:
        result.places = {
            r.id: _place_record(r)
            for r in conn.execute(
                sa.select(*_place_columns()).where(overlay.visible(orm.Place.scenario_id))
            )
        }
        result.segments = _segment_records(
            conn.execute(
                sa.select(*_segment_columns()).where(overlay.visible(orm.Segment.scenario_id))
            )
        )
        road_ids = list(
            conn.execute(
                sa.select(orm.Road.id).where(overlay.visible(orm.Road.scenario_id))
            ).scalars()
        )
    else:
        kind, ident = element
        if kind == "road":
            segment_ids = list(
                conn.execute(
                    sa.select(orm.RoadSegment.segment_id).where(orm.RoadSegment.road_id == ident)
                ).scalars()
            )
        elif kind == "segment":
            segment_ids = [ident]
        else:
            segment_ids = []
        for batch in _chunks(segment_ids):
            result.segments.update(
                _segment_records(
                    conn.execute(sa.select(*_segment_columns()).where(orm.Segment.id.in_(batch)))
                )
            )
        place_ids = {ident} if kind == "place" else set()
        for segment in result.segments.values():
            place_ids.update((segment.start, segment.end))
        for batch in _chunks(sorted(place_ids)):
            result.places.update(
                (r.id, _place_record(r))
                for r in conn.execute(sa.select(*_place_columns()).where(orm.Place.id.in_(batch)))
            )
        road_ids = sorted(
            set(
                conn.execute(
                    sa.select(orm.RoadSegment.road_id)
                    .join(orm.Road, orm.Road.id == orm.RoadSegment.road_id)
                    .where(
                        orm.RoadSegment.segment_id.in_(list(result.segments) or [""]),
                        overlay.visible(orm.Road.scenario_id),
                    )
                ).scalars()
            )
            | ({ident} if kind == "road" else set())
        )
    result.roads = {
        road: tuple(s for s, _, _ in chain) for road, chain in _road_chains(conn, road_ids).items()
    }
    for road in road_ids:
        result.roads.setdefault(road, ())
    for batch in _chunks(road_ids):
        result.road_names.update(
            (row.id, row.name)
            for row in conn.execute(
                sa.select(orm.Road.id, orm.Road.name).where(orm.Road.id.in_(batch))
            )
        )
    result.events = list(
        _events(
            conn,
            None if element is None else sorted(result.places),
            None if element is None else sorted(result.segments),
            None if element is None else road_ids,
            until,
            as_of,
            overlay,
        )
    )
    result.memberships = read_memberships(conn)
    return result


def _events(
    conn: Connection,
    places: Sequence[str] | None,
    segments: Sequence[str] | None,
    roads: Sequence[str] | None,
    until: dt.date | None,
    as_of: dt.date | None,
    overlay: Overlay,
) -> Iterator[ControlEvent]:
    e = orm.Event
    # Scenario events win ties with the layers below them: (layer, import, position),
    # layer 0 for reported data, then each base scenario, the scenario itself on top.
    layers = {sid: len(overlay.scenarios) - i for i, sid in enumerate(overlay.scenarios)}
    # A whole-network question reads every event: the rows are read in batches as plain
    # tuples, SQLite's day texts are parsed once per distinct day, and the few distinct
    # states are shared, which halves the time of reading a million events.
    as_text = conn.dialect.name == "sqlite"

    def raw(column: Any) -> Any:
        return sa.type_coerce(column, sa.String()) if as_text else column

    columns = [
        e.scenario_id,
        raw(e.date),
        raw(e.recorded),
        e.import_id,
        e.position,
        e.place_id,
        e.segment_id,
        e.road_id,
        e.status,
        e.party_id,
    ]
    conditions = [overlay.visible(e.scenario_id), overlay.not_suppressed(e.id)]
    if until is not None:
        conditions.append(e.date <= until)
    if as_of is not None:
        conditions.append(sa.func.coalesce(e.recorded, e.date) <= as_of)
    queries = []
    if places is None:
        queries.append(sa.select(*columns).where(*conditions))
    else:
        for column, ids in ((e.place_id, places), (e.segment_id, segments), (e.road_id, roads)):
            for batch in _chunks(ids or []):
                queries.append(sa.select(*columns).where(column.in_(batch), *conditions))
    days: dict[Any, dt.date] = {}
    states: dict[tuple[str, str | None], State] = {}

    def day(value: Any) -> dt.date:
        found = days.get(value)
        if found is None:
            found = days[value] = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return found

    for query in queries:
        for rows in conn.execute(query).partitions(20_000):
            for (
                scenario,
                date,
                recorded,
                import_id,
                position,
                place,
                segment,
                road,
                status,
                party,
            ) in rows:
                if place is not None:
                    target, target_id = Target.PLACE, place
                elif segment is not None:
                    target, target_id = Target.SEGMENT, segment
                else:
                    target, target_id = Target.ROAD, road
                key = (status, party if status == "held" else None)
                state = states.get(key)
                if state is None:
                    state = states[key] = State(Status(status), key[1])
                when = day(date)
                yield ControlEvent(
                    when,
                    when if recorded is None else day(recorded),
                    (layers.get(scenario, 0), import_id, position),
                    target,
                    target_id,
                    state,
                )
