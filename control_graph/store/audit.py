"""Reading what a data-quality check needs about events and incidents.

Each function answers one question about the whole database with one query (a few for
the union of events and incidents), grouped or filtered in SQL so that only the rows
that may be findings leave the database: on a database of a million events the checks
transfer the suspicious rows and a few aggregates, not every event. Everything here is
SQLAlchemy Core over the ORM tables and runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.store import orm

__all__ = [
    "DatedRecord",
    "DuplicateGroup",
    "EarlyReports",
    "LateCitation",
    "SameDayReport",
    "read_dated_problems",
    "read_duplicate_events",
    "read_early_segment_reports",
    "read_first_known",
    "read_late_citations",
    "read_same_day_reports",
    "read_used_ids",
]

Record = Literal["event", "incident"]

EVENTS = orm.Event.__table__
INCIDENTS = orm.Incident.__table__
IMPORTS = orm.Import.__table__
ROAD_SEGMENTS = orm.RoadSegment.__table__
SEGMENTS = orm.Segment.__table__
SOURCES = orm.Source.__table__
RECORD_TABLES: tuple[tuple[Record, sa.FromClause], ...] = (
    ("event", EVENTS),
    ("incident", INCIDENTS),
)


def _constant(text: str) -> Any:
    # Rendered inline, not bound: PostgreSQL cannot always infer the type of a bound
    # parameter inside CASE or UNION. Only fixed words of ours go through here.
    return sa.literal_column(f"'{text}'", sa.String)


def _target_type(table: sa.FromClause) -> Any:
    return sa.case(
        (table.c.place_id.is_not(None), _constant("place")),
        (table.c.segment_id.is_not(None), _constant("segment")),
        else_=_constant("road"),
    )


def _target_id(table: sa.FromClause) -> Any:
    return sa.func.coalesce(table.c.place_id, table.c.segment_id, table.c.road_id)


def _state_key(table: sa.FromClause) -> Any:
    """What an event asserts, as one comparable value: the party matters only when held
    (a party on a contested or unknown event names who is fighting, not who holds)."""
    return sa.case(
        (table.c.status == "held", _constant("held:") + table.c.party_id),
        else_=table.c.status,
    )


class DatedRecord(NamedTuple):
    """An event or incident whose dates are suspicious (see :func:`read_dated_problems`)."""

    record: Record
    import_id: int
    position: int
    file: str
    target_type: str
    target_id: str
    date: dt.date
    recorded: dt.date | None
    source: str | None


def read_dated_problems(conn: Connection, today: dt.date) -> list[DatedRecord]:
    """Events and incidents dated or recorded after ``today``, or recorded before their
    date, in file order.

    Parameters
    ----------
    conn
        An open connection.
    today
        The day after which a date is in the future.
    """
    found: list[DatedRecord] = []
    for record, table in RECORD_TABLES:
        query = (
            sa.select(
                table.c.import_id,
                table.c.position,
                IMPORTS.c.file_name,
                _target_type(table),
                _target_id(table),
                table.c.date,
                table.c.recorded,
                table.c.source_id,
            )
            .join(IMPORTS, IMPORTS.c.id == table.c.import_id)
            .where(
                sa.or_(
                    table.c.date > today,
                    table.c.recorded > today,
                    table.c.recorded < table.c.date,
                )
            )
            .order_by(table.c.import_id, table.c.position)
        )
        found.extend(DatedRecord(record, *row) for row in conn.execute(query))
    return found


class SameDayReport(NamedTuple):
    """One report about an element on a day on which reports disagree.

    ``via_road`` is set when the report is an event on a road, counted for one of its
    segments (``target_type`` is then ``"segment"``).
    """

    target_type: str
    target_id: str
    date: dt.date
    status: str
    party: str | None
    source: str | None
    recorded: dt.date | None
    import_id: int
    position: int
    file: str
    via_road: str | None


def read_same_day_reports(conn: Connection) -> list[SameDayReport]:
    """Every report on an element and day on which reports assert different states and
    do not all come from one and the same source.

    Places, segments and roads are checked as written; a segment is also checked against
    the events on every road it belongs to (an event on a road is the same event on each
    of its segments). A disagreement between events on one road alone is reported on
    the road, not again on each of its segments.

    The rows come in one query, ordered by element type, element, date and then the
    order in which the engine applies them (the last one wins).
    """
    e, rs = EVENTS, ROAD_SEGMENTS
    common = [
        e.c.date.label("date"),
        _state_key(e).label("state_key"),
        e.c.status.label("status"),
        e.c.party_id.label("party"),
        e.c.source_id.label("source"),
        e.c.recorded.label("recorded"),
        e.c.import_id.label("import_id"),
        e.c.position.label("position"),
    ]
    as_written = sa.select(
        _target_type(e).label("target_type"),
        _target_id(e).label("target_id"),
        *common,
        sa.null().label("via_road"),
        sa.literal_column("1", sa.Integer).label("own"),
    )
    through_roads = sa.select(
        _constant("segment").label("target_type"),
        rs.c.segment_id.label("target_id"),
        *common,
        e.c.road_id.label("via_road"),
        sa.literal_column("0", sa.Integer).label("own"),
    ).join(rs, rs.c.road_id == e.c.road_id)
    reports = sa.union_all(as_written, through_roads).cte("reports")
    r = reports.c
    disputed = (
        sa.select(r.target_type, r.target_id, r.date)
        .group_by(r.target_type, r.target_id, r.date)
        .having(
            sa.and_(
                sa.func.count(sa.distinct(r.state_key)) > 1,
                # Different sources, or a report without one: one source correcting
                # itself on a day is a sequence, not a contradiction.
                sa.or_(
                    sa.func.count(sa.distinct(r.source)) > 1,
                    sa.func.count(r.source) < sa.func.count(),
                ),
                # Events on a single road disagreeing are reported on the road only.
                sa.or_(sa.func.sum(r.own) > 0, sa.func.count(sa.distinct(r.via_road)) > 1),
            )
        )
        .cte("disputed")
    )
    d = disputed.c
    query = (
        sa.select(
            r.target_type,
            r.target_id,
            r.date,
            r.status,
            r.party,
            r.source,
            r.recorded,
            r.import_id,
            r.position,
            IMPORTS.c.file_name,
            r.via_road,
        )
        .join(
            disputed,
            sa.and_(d.target_type == r.target_type, d.target_id == r.target_id, d.date == r.date),
        )
        .join(IMPORTS, IMPORTS.c.id == r.import_id)
        .order_by(
            r.target_type,
            r.target_id,
            r.date,
            sa.func.coalesce(r.recorded, r.date),
            r.import_id,
            r.position,
        )
    )
    return [SameDayReport(*row) for row in conn.execute(query)]


def read_first_known(conn: Connection) -> dict[str, dt.date]:
    """For each place with an event asserting ``held`` or ``contested``, the first day
    of such an event: the day from which its state is known."""
    return {place: day for place, day in conn.execute(_first_known())}


def _first_known() -> sa.Select[Any]:
    e = EVENTS
    return (
        sa.select(e.c.place_id.label("place"), sa.func.min(e.c.date).label("day"))
        .where(e.c.place_id.is_not(None), e.c.status != "unknown")
        .group_by(e.c.place_id)
    )


class EarlyReports(NamedTuple):
    """Reports on a segment (its own, or on a road through it) dated before both of its
    ends are known."""

    segment: str
    via_road: str | None
    reports: int
    first: dt.date
    last: dt.date
    start: str
    start_known: dt.date
    end: str
    end_known: dt.date


def read_early_segment_reports(conn: Connection) -> list[EarlyReports]:
    """Segments whose own events, or events on a road through them, are dated before
    the day on which both of the segment's ends are first known.

    Only segments whose ends both become known at some point are considered: while an
    end is unknown a segment keeps its own report, so such a report is never cut short.
    One grouped query; one row per segment and road (``via_road`` ``None`` for the
    segment's own events), by segment.
    """
    e, rs, s = EVENTS, ROAD_SEGMENTS, SEGMENTS
    known = _first_known().cte("known")
    own = sa.select(
        e.c.segment_id.label("segment"), sa.null().label("via_road"), e.c.date.label("date")
    ).where(e.c.segment_id.is_not(None))
    through_roads = sa.select(
        rs.c.segment_id.label("segment"), e.c.road_id.label("via_road"), e.c.date.label("date")
    ).join(rs, rs.c.road_id == e.c.road_id)
    reports = sa.union_all(own, through_roads).subquery("reports")
    start, end = known.alias("start_known"), known.alias("end_known")
    r = reports.c
    query = (
        sa.select(
            r.segment,
            r.via_road,
            sa.func.count(),
            sa.func.min(r.date),
            sa.func.max(r.date),
            s.c.start_place_id,
            start.c.day,
            s.c.end_place_id,
            end.c.day,
        )
        .join(s, s.c.id == r.segment)
        .join(start, start.c.place == s.c.start_place_id)
        .join(end, end.c.place == s.c.end_place_id)
        .where(sa.or_(r.date < start.c.day, r.date < end.c.day))
        .group_by(
            r.segment, r.via_road, s.c.start_place_id, start.c.day, s.c.end_place_id, end.c.day
        )
        .order_by(r.segment, r.via_road)
    )
    return [EarlyReports(*row) for row in conn.execute(query)]


def read_used_ids(conn: Connection) -> tuple[set[str], set[str]]:
    """The parties and the sources that some event or incident names:
    ``(parties, sources)``."""
    parties: set[str] = set()
    sources: set[str] = set()
    for table in (EVENTS, INCIDENTS):
        parties.update(
            conn.execute(
                sa.select(table.c.party_id).where(table.c.party_id.is_not(None)).distinct()
            ).scalars()
        )
        sources.update(
            conn.execute(
                sa.select(table.c.source_id).where(table.c.source_id.is_not(None)).distinct()
            ).scalars()
        )
    return parties, sources


class LateCitation(NamedTuple):
    """Events or incidents citing a source but dated after it was published."""

    source: str
    published: dt.date
    record: Record
    reports: int
    first: dt.date
    last: dt.date


def read_late_citations(conn: Connection) -> list[LateCitation]:
    """For each source, the events and incidents that cite it and are dated after its
    publication date, counted (one grouped query per table)."""
    found: list[LateCitation] = []
    for record, table in RECORD_TABLES:
        query = (
            sa.select(
                SOURCES.c.id,
                SOURCES.c.published,
                sa.func.count(),
                sa.func.min(table.c.date),
                sa.func.max(table.c.date),
            )
            .join(table, table.c.source_id == SOURCES.c.id)
            .where(SOURCES.c.published.is_not(None), table.c.date > SOURCES.c.published)
            .group_by(SOURCES.c.id, SOURCES.c.published)
            .order_by(SOURCES.c.id)
        )
        found.extend(
            LateCitation(source, published, record, reports, first, last)
            for source, published, reports, first, last in conn.execute(query)
        )
    return found


class DuplicateGroup(NamedTuple):
    """Identical events: same element, date, recorded date, state, party and source."""

    target_type: str
    target_id: str
    date: dt.date
    status: str
    party: str | None
    source: str | None
    recorded: dt.date | None
    copies: int
    first_import: int
    last_import: int


def read_duplicate_events(conn: Connection) -> list[DuplicateGroup]:
    """Groups of two or more identical events (one grouped query), by element and date."""
    e = EVENTS
    keys = [
        e.c.place_id,
        e.c.segment_id,
        e.c.road_id,
        e.c.date,
        e.c.status,
        e.c.party_id,
        e.c.source_id,
        e.c.recorded,
    ]
    target_type, target_id = _target_type(e).label("target_type"), _target_id(e).label("target_id")
    query = (
        sa.select(
            target_type,
            target_id,
            e.c.date,
            e.c.status,
            e.c.party_id,
            e.c.source_id,
            e.c.recorded,
            sa.func.count(),
            sa.func.min(e.c.import_id),
            sa.func.max(e.c.import_id),
        )
        .group_by(*keys)
        .having(sa.func.count() > 1)
        .order_by(target_type, target_id, e.c.date)
    )
    return [DuplicateGroup(*row) for row in conn.execute(query)]
