"""State spans in the database: what the engine computes for the reported data, kept.

Every import, retraction and undo of the reported data recomputes, inside its own
transaction, the spans of the places and segments it touched (and of the segments of
touched places, whose states derive from them), so the spans never disagree with the
events. Questions on the reported data with no filter then read spans instead of
events: the spans containing a day (paths, snapshots, maps), the spans starting in a
window (changes), or all of them (a whole history).
"""

from __future__ import annotations

import datetime as dt
import itertools
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.model.access import AccessIndex
from control_graph.model.network import RoadNetwork
from control_graph.model.records import NO_FILTERS, Target
from control_graph.model.states import State, Status
from control_graph.model.stored import DayReadings, Span, span_rows
from control_graph.model.timeline import Change
from control_graph.store import orm
from control_graph.store.batches import chunks as _chunks
from control_graph.store.direct import DirectReader, reader_on
from control_graph.store.read import read_network, read_places, read_roads, read_segments
from control_graph.store.reports import counted, read_control_events
from control_graph.store.rows import SPAN_COLUMNS, Converter
from control_graph.store.scenarios import REPORTED_OVERLAY
from control_graph.store.write import (
    COPY_BATCH,
    COPY_NULL,
    IsoDays,
    copy_cell,
    copy_lines,
    indexes_rebuilt,
    insert_ready,
)

if TYPE_CHECKING:
    from control_graph.model.bulk import EventColumns

_Row = TypeVar("_Row")

__all__ = [
    "held_ever",
    "holds_between",
    "last_change",
    "materialise",
    "materialise_all",
    "materialise_bulk",
    "read_changes",
    "read_day",
    "read_day_graph",
    "read_spans",
    "stale_holders",
    "stale_spans",
    "touched_by_import",
]

BATCH = 20_000
_STATES: dict[tuple[str, str | None], State] = {}
_COLUMNS = SPAN_COLUMNS


def _state(status: str, controller: str | None) -> State:
    key = (status, controller)
    found = _STATES.get(key)
    if found is None:
        found = _STATES[key] = State(Status(status), controller)
    return found


# -- what an import touched ---------------------------------------------------------------


def touched_by_import(conn: Connection, import_id: int) -> tuple[set[str], set[str]]:
    """The places and segments whose spans import ``import_id`` may have changed: the
    targets of its events, of the records it retracts or replaces (or of the import it
    undoes), its new segments, and every segment of a road or place among them."""
    places: set[str] = set()
    segments: set[str] = set()
    roads: set[str] = set()
    e, r = orm.Event, orm.Retraction

    def targets(condition: Any) -> None:
        query = sa.select(e.place_id, e.segment_id, e.road_id).where(
            e.scenario_id.is_(None), condition
        )
        for place, segment, road in conn.execute(query.distinct()):
            if place is not None:
                places.add(place)
            elif segment is not None:
                segments.add(segment)
            elif road is not None:
                roads.add(road)

    targets(e.import_id == import_id)
    retracted_ids = sa.select(r.record_id).where(r.import_id == import_id, r.record_id.is_not(None))
    targets(e.record_id.in_(retracted_ids))
    undone = sa.select(r.import_ref).where(r.import_id == import_id, r.import_ref.is_not(None))
    targets(e.import_id.in_(undone))
    # Undoing an import brings back what it retracted.
    restored = sa.select(r.record_id).where(r.import_id.in_(undone), r.record_id.is_not(None))
    targets(e.record_id.in_(restored))
    segments.update(
        conn.execute(sa.select(orm.Segment.id).where(orm.Segment.import_id == import_id)).scalars()
    )
    for batch in _chunks(sorted(roads)):
        segments.update(
            conn.execute(
                sa.select(orm.RoadSegment.segment_id).where(orm.RoadSegment.road_id.in_(batch))
            ).scalars()
        )
    s = orm.Segment
    for batch in _chunks(sorted(places)):
        segments.update(
            conn.execute(
                sa.select(s.id).where(
                    s.scenario_id.is_(None),
                    sa.or_(s.start_place_id.in_(batch), s.end_place_id.in_(batch)),
                )
            ).scalars()
        )
    return places, segments


# -- computing and writing ----------------------------------------------------------------


def _slice(conn: Connection, places: set[str], segments: set[str]) -> RoadNetwork:
    """The network that decides these elements: them, the endpoints of the segments, and
    every road those segments belong to."""
    found_segments = read_segments(conn, sorted(segments))
    place_ids = set(places)
    for segment in found_segments:
        place_ids.update(segment.ends())
    road_ids: set[str] = set()
    for batch in _chunks(sorted(segments)):
        road_ids.update(
            conn.execute(
                sa.select(orm.RoadSegment.road_id).where(orm.RoadSegment.segment_id.in_(batch))
            ).scalars()
        )
    return RoadNetwork(
        read_places(conn, sorted(place_ids)), found_segments, read_roads(conn, sorted(road_ids))
    )


def _delete(conn: Connection, elements: set[str] | None) -> Counter[str]:
    """Delete the spans of ``elements`` (``None``: every span, and every count of the
    parties they name); how many times the deleted spans named each party, negated."""
    s = orm.StateSpan
    named: Counter[str] = Counter()
    if elements is None:
        conn.execute(sa.delete(s))
        conn.execute(sa.delete(orm.SpanHolder))
        return named
    for batch in _chunks(sorted(elements)):
        # subtract(), not -=: a Counter's -= drops what falls to zero or below.
        named.subtract(_named(conn, s.element_id.in_(batch)))
        conn.execute(sa.delete(s).where(s.element_id.in_(batch)))
    return named


def _named(conn: Connection, where: Any = None) -> Counter[str]:
    """How many of the spans ``where`` selects (default: all) name each party, as
    controller and as the late reading's controller."""
    s = orm.StateSpan
    query = sa.select(s.controller, s.late_controller, sa.func.count()).group_by(
        s.controller, s.late_controller
    )
    if where is not None:
        query = query.where(where)
    named: Counter[str] = Counter()
    for controller, late_controller, count in conn.execute(query):
        for party in (controller, late_controller):
            if party is not None:
                named[party] += count
    return named


def _count_holders(conn: Connection, change: Counter[str]) -> None:
    """Add ``change`` to the count of spans naming each party (the few rows of
    ``span_holders``: a party named by no span has none)."""
    h = orm.SpanHolder
    current = dict(conn.execute(sa.select(h.party_id, h.spans)).all())
    for party, difference in change.items():
        if not difference:
            continue
        before = current.get(party, 0)
        after = before + difference
        if after <= 0:
            conn.execute(sa.delete(h).where(h.party_id == party))
        elif before:
            conn.execute(sa.update(h).where(h.party_id == party).values(spans=after))
        else:
            conn.execute(sa.insert(h).values(party_id=party, spans=after))


def _write(
    conn: Connection,
    spans: Iterable[Span],
    named: Counter[str],
    expected: int = 0,
    *,
    in_day_order: bool = False,
    empty: bool = False,
) -> int:
    """Write spans as plain rows (COPY on PostgreSQL, executemany on SQLite); with
    ``expected`` rows or more into a table emptied first, SQLite's indexes are built
    after (see :func:`~control_graph.store.write.indexes_rebuilt`). ``named`` (what the
    deleted spans named, see :func:`_delete`) is added to the parties' counts with what
    these spans name. ``in_day_order``: many spans, written in runs by their first days'
    months (see :func:`_write_by_month`), and on PostgreSQL with their indexes built
    after when the table was ``empty`` before the transaction (a first load)."""
    count = 0
    # The few distinct states, each turned into its column values once. Keyed by
    # identity, with the state kept alive so that no other object takes its id; and
    # how many spans name each, for the parties' counts.
    texts: dict[int, tuple[str, str | None]] = {}
    kept: list[State] = []
    uses: Counter[int] = Counter()

    def text(state: State, names: bool = True) -> tuple[str, str | None]:
        key = id(state)
        if names:  # the state before a span is another span's
            uses[key] += 1
        found = texts.get(key)
        if found is None:
            found = texts[key] = (state.status.value, state.controller)
            kept.append(state)
        return found

    days = IsoDays()

    def rows() -> Iterator[tuple[str, tuple[Any, ...]]]:
        # SQLite: ``(month, row)``, days as the ISO text SQLAlchemy's Date stores.
        nonlocal count
        for span in spans:
            count += 1
            start, end = span.start, span.end
            first = days[start]
            early, late = span.early, span.late
            yield (
                first[:7],
                (
                    span.element,
                    span.type,
                    first,
                    None if end is None else days[end],
                    None if end is None else (end - start).days,
                    *text(early.state),
                    early.own,
                    *text(late.state),
                    late.own,
                    *text(span.before, names=False),
                    span.disputed,
                ),
            )

    # PostgreSQL: each span as a line of COPY's text format, made here from the few
    # kinds of value a span has (each state's two cells made once) rather than by
    # psycopg's dumper for each of its 14 values: half the client's time per row.
    cells: dict[int, str] = {}

    def copied(state: State, names: bool = True) -> str:
        status, controller = text(state, names)
        found = cells.get(id(state))
        if found is None:
            found = cells[id(state)] = f"{status}\t{copy_cell(controller)}"
        return found

    def lines() -> Iterator[tuple[str, str]]:
        nonlocal count
        element, escaped = "", ""
        for span in spans:
            count += 1
            if span.element != element:
                element, escaped = span.element, copy_cell(span.element)
            start, end = span.start, span.end
            first = days[start]
            if end is None:
                last = length = COPY_NULL
            else:
                last = days[end]
                length = str((end - start).days)
            early, late = span.early, span.late
            yield (
                first[:7],
                (
                    f"{escaped}\t{span.type}\t{first}\t{last}\t{length}\t"
                    f"{copied(early.state)}\t{copy_cell(early.own)}\t"
                    f"{copied(late.state)}\t{copy_cell(late.own)}\t"
                    f"{copied(span.before, names=False)}\t{copy_cell(span.disputed)}\n"
                ),
            )

    dialect = conn.dialect.name
    items: Iterator[tuple[str, Any]]
    if dialect == "postgresql":
        items = lines()

        def write(waiting: list[Any]) -> None:
            copy_lines(conn, "state_spans", _COLUMNS, waiting)
    else:
        items = rows()

        def write(waiting: list[Any]) -> None:
            insert_ready(conn, "state_spans", _COLUMNS, waiting)

    run, held = MONTH_RUN[dialect], MONTHS_HELD[dialect]
    with indexes_rebuilt(conn, "state_spans", expected, empty=empty):
        if in_day_order:
            _write_by_month(items, write, run, held)
        else:
            source = (item for _, item in items)
            while waiting := list(itertools.islice(source, run)):
                write(waiting)
    for state in kept:
        if state.controller is not None:
            named[state.controller] += uses[id(state)]
    _count_holders(conn, named)
    return count


#: A month's spans wait until this many of them can be written together (a run of the
#: table that holds that month's only), by dialect.
MONTH_RUN = {"postgresql": COPY_BATCH, "sqlite": 5_000}
#: At most this many spans wait in memory to be written with their month's (about 110
#: bytes each as PostgreSQL's lines, 200 as SQLite's tuples); beyond it the month with
#: the most is written at once.
MONTHS_HELD = {"postgresql": 500_000, "sqlite": 100_000}


def _write_by_month(
    items: Iterable[tuple[str, _Row]], write: Callable[[list[_Row]], None], run: int, held: int
) -> None:
    """Write many spans a month of first days at a time: ``items`` are ``(month, row)``,
    the month as ``YYYY-MM``; ``write`` writes a list of rows.

    The spans come element by element, so written as they come a day's or a month's
    spans lie on every page of the table: at national scale (PostgreSQL) a month's
    changes read 100,000 pages (800 MB) for 220,000 rows, and a day's spans as many;
    on SQLite a full-size day's 18,000 recent spans took 126 ms to read, 80 ms in month
    runs. Each month's rows wait for ``run`` of them and are written together, so a
    month's spans lie in runs that hold nothing else (and the months held last are
    written in order); at most ``held`` wait. Later imports add spans mostly of recent
    days, which stay together at the end. Neither database keeps an order by itself
    (PostgreSQL's CLUSTER would lock readers out, and took a minute); a temporary
    table copied in day order cost PostgreSQL a second write and a sort, 30 s of a
    national import."""
    months: dict[str, list[_Row]] = {}
    waiting_in_all = 0

    def flush(month: str) -> None:
        nonlocal waiting_in_all
        waiting = months.pop(month)
        waiting_in_all -= len(waiting)
        write(waiting)

    for month, row in items:
        waiting = months.setdefault(month, [])
        waiting.append(row)
        waiting_in_all += 1
        if len(waiting) >= run:
            flush(month)
        elif waiting_in_all >= held:
            flush(max(months, key=lambda m: len(months[m])))
    for month in sorted(months):
        flush(month)


#: How many places (or segments) the engine computes the spans of at once: the events of
#: one slice of the network are held, not the events of all of it. Rewriting every span
#: of the section-4 benchmark (2.1M spans): 218 MB at the peak with 5,000, 156 MB with
#: 2,000, in the same time.
ENGINE_SLICE = 2_000


def _engine_spans(conn: Connection, places: set[str], segments: set[str]) -> Iterator[Span]:
    """The spans of these places and segments, computed by the engine a slice of the
    network at a time (places, then segments with their endpoints and roads): a
    million events with rough dates as objects, all at once, took 800 MB."""
    slices: list[tuple[set[str], set[str]]] = [
        (set(group), set()) for group in _groups(sorted(places))
    ]
    slices += [(set(), set(group)) for group in _groups(sorted(segments))]
    for slice_places, slice_segments in slices:
        network = _slice(conn, slice_places, slice_segments)
        timeline = network.timeline(read_control_events(conn, network))
        for element in sorted(slice_places | slice_segments):
            if element in network.places or element in network.segments:
                yield from span_rows(timeline, element)


def _groups(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), ENGINE_SLICE):
        yield ids[start : start + ENGINE_SLICE]


def materialise(conn: Connection, places: set[str], segments: set[str]) -> int:
    """Recompute and rewrite the spans of these places and segments (reported data,
    every report that counts); returns how many spans were written."""
    if not places and not segments:
        return 0
    named = _delete(conn, places | segments)
    return _write(conn, _engine_spans(conn, places, segments), named)


def _rough(conn: Connection) -> bool:
    """Whether any reported event has a rough date, lapses or is a side's claim: then
    the engine computes the spans (see :mod:`control_graph.model.bulk`, which reads
    neither, nor finds disputes)."""
    e = orm.Event
    query = sa.select(e.id).where(
        e.scenario_id.is_(None),
        sa.or_(e.date_latest.is_not(None), e.until_date.is_not(None), e.claimant_id.is_not(None)),
    )
    return conn.execute(query.limit(1)).first() is not None


def _columns(
    conn: Connection, network: RoadNetwork, every: bool
) -> tuple[EventColumns, list[State]]:
    import numpy as np  # only bulk rebuilds need it; questions start faster without

    from control_graph.model.bulk import EventColumns

    """The events that count for ``network`` (``every``: all reported events), as
    integer columns indexing the network's places, segments and roads."""
    e = orm.Event
    places = {p: i for i, p in enumerate(network.places)}
    segments = {s: i for i, s in enumerate(network.segments)}
    roads = {r: i for i, r in enumerate(network.roads)}
    states: dict[tuple[str, str | None], int] = {}
    text = conn.dialect.name == "sqlite"

    def raw(column: Any) -> Any:
        return sa.type_coerce(column, sa.String()) if text else column

    columns = [
        e.place_id,
        e.segment_id,
        e.road_id,
        raw(e.date),
        raw(e.recorded),
        e.import_id,
        e.position,
        e.status,
        e.party_id,
    ]
    conditions = counted("events", NO_FILTERS, REPORTED_OVERLAY, conn)
    if every:
        queries = [sa.select(*columns).where(*conditions)]
    else:
        queries = [
            sa.select(*columns).where(column.in_(batch), *conditions)
            for column, ids in ((e.place_id, places), (e.segment_id, segments), (e.road_id, roads))
            for batch in _chunks(sorted(ids))
        ]
    ordinals: dict[Any, int] = {}

    def ordinal(value: Any) -> int:
        found = ordinals.get(value)
        if found is None:
            day = dt.date.fromisoformat(value) if isinstance(value, str) else value
            found = ordinals[value] = day.toordinal()
        return found

    # Machine integers, not lists of Python ints, in 32 bits (the order in 64): a million
    # events take 28 MB, not 250; the import's memory peaks around here.
    kind, target, day, recorded, state = (array("i") for _ in range(5))
    order = array("q")
    for query in queries:
        for rows in conn.execute(query).partitions(50_000):
            for place, segment, road, date, known, import_id, position, status, party in rows:
                if place is not None:
                    kind.append(0)
                    target.append(places[place])
                elif segment is not None:
                    kind.append(1)
                    target.append(segments[segment])
                else:
                    kind.append(2)
                    target.append(roads[road])
                when = ordinal(date)
                day.append(when)
                recorded.append(when if known is None else ordinal(known))
                # The import in the high half: a position takes up to 32 bits.
                order.append((import_id << 32) | position)
                key = (status, party if status == "held" else None)
                code = states.get(key)
                if code is None:
                    code = states[key] = len(states)
                state.append(code)
    table = [_state(status, party) for status, party in states]
    small = [np.frombuffer(c, dtype=np.int32) for c in (kind, target, day, recorded, state)]
    ordered = np.frombuffer(order, dtype=np.int64)
    return EventColumns(small[0], small[1], small[2], small[3], ordered, small[4]), table


def materialise_bulk(
    conn: Connection,
    places: set[str],
    segments: set[str],
    every: bool = False,
    whole: bool = False,
) -> int:
    """:func:`materialise` for many elements at once (an import of many events): the
    events are read as integer columns and the spans computed over them
    (:mod:`control_graph.model.bulk`), unless some event has a rough date, lapses or is
    a claim.

    ``every``: these are all the places and segments there are; ``whole``: they are
    most of them, so the whole network and all its events are read (in a few large
    queries rather than many batches of ids) and only their spans kept."""
    from control_graph.model.bulk import bulk_spans

    if _rough(conn):
        return materialise_all(conn) if every else materialise(conn, places, segments)
    whole = whole or every
    network = read_network(conn) if whole else _slice(conn, places, segments)
    events, states = _columns(conn, network, whole)
    expected = len(events.day) if every else 0
    place_index = {p: i for i, p in enumerate(network.places)}
    segment_index = {s: i for i, s in enumerate(network.segments)}
    spans = bulk_spans(
        list(network.places),
        [(s.id, place_index[s.start], place_index[s.end]) for s in network.segments.values()],
        [
            [segment_index[s] for s in road.segments if s in segment_index]
            for road in network.roads.values()
        ],
        states,
        events,
    )
    del events  # the spans are written next; the columns are not needed for that
    wanted = None if every else places | segments
    empty = _empty(conn)  # before the delete, which empties the table for this transaction
    named = _delete(conn, wanted)
    return _write(
        conn,
        (span for span in spans if wanted is None or span.element in wanted),
        named,
        expected,
        in_day_order=True,
        empty=empty,
    )


def materialise_all(conn: Connection) -> int:
    """Rewrite every span from the events (a new schema, or ``check --deep --repair``)."""
    places = set(
        conn.execute(sa.select(orm.Place.id).where(orm.Place.scenario_id.is_(None))).scalars()
    )
    segments = set(
        conn.execute(sa.select(orm.Segment.id).where(orm.Segment.scenario_id.is_(None))).scalars()
    )
    events = conn.execute(sa.select(sa.func.count()).select_from(orm.Event)).scalar_one()
    empty = _empty(conn)
    named = _delete(conn, None)
    return _write(
        conn,
        _engine_spans(conn, places, segments),
        named,
        events,
        in_day_order=True,
        empty=empty,
    )


def _empty(conn: Connection) -> bool:
    """Whether no span is stored (as this transaction sees the table)."""
    return conn.execute(sa.select(orm.StateSpan.id).limit(1)).first() is None


# -- reading --------------------------------------------------------------------------------


def _spans(conn: Connection, query: Any) -> list[Span]:
    """The spans a query selects (its columns: :data:`_COLUMNS`, days as text on SQLite),
    read as plain tuples with each distinct day and state made once."""
    convert = Converter()
    found: list[Span] = []
    for rows in conn.execute(query).partitions(20_000):
        found.extend(convert.spans(rows))
    return found


_COLUMNS_SELECTED = [getattr(orm.StateSpan, name) for name in _COLUMNS]


def _selected(conn: Connection) -> list[Any]:
    """The span columns, days as text on SQLite (parsed once each in :func:`_spans`)."""
    text = conn.dialect.name == "sqlite"
    return [
        sa.type_coerce(column, sa.String()) if text and name.endswith("_day") else column
        for name, column in zip(_COLUMNS, _COLUMNS_SELECTED, strict=True)
    ]


def _direct(conn: Connection) -> DirectReader:
    # The spans of a day or a window are read with the direct questions' plain SQL
    # (store/direct.py), on this transaction's own driver connection: one query text
    # for both, and tuples without SQLAlchemy's result processing.
    return reader_on(conn.connection.driver_connection, conn.dialect.name)


def read_day(conn: Connection, day: dt.date) -> DayReadings:
    """What the spans containing ``day`` say of each place and segment: those that
    started in the month up to it (a short range of the start-day index) and the long
    ones that started before (their own, partial index). A span containing ``day`` that
    started more than a month before is long, so the two parts are the whole answer,
    and no question reads the table. Read into each element's readings, not a
    :class:`Span` per row."""
    return _direct(conn).day_readings(day)


class DayGraphRows(NamedTuple):
    """What a graph of the reported network on one day is made of, read with no record
    of each definition: see :meth:`~control_graph.store.direct.DirectReader.graph_rows`."""

    #: Each place's ``(id, lat, lon, kind)``.
    places: list[Any]
    #: Each segment's ``(id, start, end, length_km)`` (the length given, or ``None``).
    segments: list[Any]
    readings: DayReadings
    access: AccessIndex


def read_day_graph(conn: Connection, day: dt.date) -> DayGraphRows:
    """The reported network's places and segments, what the spans say of each on
    ``day`` (:func:`read_day`) and the access records known by then."""
    reader = _direct(conn)
    places, segments = reader.graph_rows()
    entries = reader.access(None, day)
    # A road's record applies to each of its segments: their order is read only then.
    roads = reader.road_segments() if any(e.target is Target.ROAD for e in entries) else {}
    return DayGraphRows(places, segments, reader.day_readings(day), AccessIndex(entries, roads))


def read_changes(conn: Connection, start: dt.date | None, end: dt.date | None) -> list[Change]:
    """Every change of state by party from ``start`` to ``end`` (both inclusive), by
    date, then element id: the stored spans that start then and start a change."""
    return _direct(conn).changes_starting(start, end)


def read_spans(conn: Connection) -> list[Span]:
    """Every span."""
    return _spans(conn, sa.select(*_selected(conn)))


def stale_spans(conn: Connection) -> tuple[list[Span], list[Span]]:
    """The stored spans that differ from what the events give now: those missing and
    those that should not be there (both empty when all is well)."""
    network = read_network(conn)
    timeline = network.timeline(read_control_events(conn))
    expected = {
        span
        for element in (*network.places, *network.segments)
        for span in span_rows(timeline, element)
    }
    stored = set(read_spans(conn))
    return sorted(expected - stored, key=_order), sorted(stored - expected, key=_order)


def stale_holders(conn: Connection) -> list[tuple[str, int, int]]:
    """The parties whose stored count of spans naming them differs from the spans
    stored: ``(party, stored count, spans naming it)``."""
    h = orm.SpanHolder
    counted_names = _named(conn)
    stored = dict(conn.execute(sa.select(h.party_id, h.spans)).all())
    return [
        (party, stored.get(party, 0), counted_names.get(party, 0))
        for party in sorted(stored.keys() | counted_names.keys())
        if stored.get(party, 0) != counted_names.get(party, 0)
    ]


def _order(span: Span) -> tuple[str, dt.date]:
    return span.element, span.start


def held_ever(conn: Connection) -> set[str]:
    """Every party that holds some place or segment at some time, in either reading."""
    return _direct(conn).held_ever()


def holds_between(conn: Connection, party: str, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether ``party`` holds some place or segment, in either reading, on some day
    from ``start`` to the day before ``end`` (``None``: open)."""
    return _direct(conn).holds_between(party, start, end)


def last_change(conn: Connection) -> dt.date | None:
    """The last day on which any place's or segment's state changes."""
    return _direct(conn).last_change()
