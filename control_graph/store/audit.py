"""Reading what a data-quality check needs about events and incidents.

:class:`Audit` answers each question about the whole database with one query (a few
for the union of events and incidents), grouped or filtered in SQL so that only the rows
that may be findings leave the database: on a database of a million events the checks
transfer the suspicious rows and a few aggregates, not every event. Everything here is
SQLAlchemy Core over the ORM tables and runs on SQLite and PostgreSQL alike.

An audit reads what one overlay sees: by default the reported data; with a scenario's
overlay, the reported data, the scenario's own rows and its bases', less the events it
supposes false -- the data that the scenario's answers come from.
:meth:`control_graph.query.Model.audit` opens one on the data a model sees.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.store import orm
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = [
    "Audit",
    "DatedRecord",
    "DuplicateGroup",
    "EarlyReports",
    "LateCitation",
    "SameDayReport",
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
#: The event columns that name its element, with the name of that kind of element.
TARGETS = (
    ("place", EVENTS.c.place_id),
    ("segment", EVENTS.c.segment_id),
    ("road", EVENTS.c.road_id),
)


class DatedRecord(NamedTuple):
    """An event or incident whose dates are suspicious (see :meth:`Audit.dated_problems`)."""

    record: Record
    import_id: int
    position: int
    file: str
    target_type: str
    target_id: str
    date: dt.date
    recorded: dt.date | None
    source: str | None


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


class LateCitation(NamedTuple):
    """Events or incidents citing a source but dated after it was published."""

    source: str
    published: dt.date
    record: Record
    reports: int
    first: dt.date
    last: dt.date


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


def _varies(value: Any) -> Any:
    """In a group, ``value`` takes more than one value (``NULL`` aside); cheaper than
    counting distinct values, which sorts every group."""
    return sa.func.min(value) != sa.func.max(value)


def _disagree(state: Any, source: Any) -> Any:
    """In a group of reports, some pair contradicts: different states, and more than
    one source or a report without one."""
    return sa.and_(
        _varies(state),
        sa.or_(_varies(source), sa.func.count(source) < sa.func.count()),
    )


class Audit:
    """The data-quality readings of what one overlay sees, over one open connection.

    Parameters
    ----------
    conn
        An open connection.
    overlay
        Which rows to read (default: the reported data).
    """

    def __init__(self, conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> None:
        self.conn = conn
        self.overlay = overlay

    def _seen(self, table: sa.FromClause) -> list[Any]:
        """Conditions for the rows of ``table`` (events or incidents) that the overlay sees."""
        conditions = [self.overlay.visible(table.c.scenario_id)]
        if table is EVENTS:
            conditions.append(self.overlay.not_suppressed(table.c.id))
        return conditions

    def _layers(self) -> dict[int, int]:
        """Each scenario of the overlay and its layer, as the engine orders ties: reported
        data is layer 0, then each base scenario, the scenario itself on top."""
        chain = self.overlay.scenarios
        return {sid: len(chain) - i for i, sid in enumerate(chain)}

    def _suppressed(self) -> set[int]:
        """The ids of the events the overlay's scenarios suppose false."""
        if not self.overlay.scenarios:
            return set()
        s = orm.Suppression.__table__
        query = sa.select(s.c.event_id).where(s.c.scenario_id.in_(self.overlay.scenarios))
        return set(self.conn.execute(query).scalars())

    def dated_problems(self, today: dt.date) -> list[DatedRecord]:
        """Events and incidents dated or recorded after ``today``, or recorded before their
        date, in file order."""
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
                    ),
                    *self._seen(table),
                )
                .order_by(table.c.import_id, table.c.position)
            )
            found.extend(DatedRecord(record, *row) for row in self.conn.execute(query))
        return found

    def _disputed_days(self) -> sa.CTE:
        """``(kind, id, date)`` of every element and day on which reports contradict."""
        e, rs = EVENTS, ROAD_SEGMENTS
        seen = self._seen(e)
        # Grouped on the (element, date) indexes.
        disputed_days = [
            sa.select(_constant(name).label("kind"), column.label("id"), e.c.date.label("date"))
            .where(column.is_not(None), *seen)
            .group_by(column, e.c.date)
            .having(_disagree(_state_key(e), e.c.source_id))
            for name, column in TARGETS
        ]
        # A segment's own events and the events on its roads, together; days on which
        # only the events on one road disagree are left to that road.
        on_segments = sa.union_all(
            sa.select(
                e.c.segment_id.label("id"),
                e.c.date.label("date"),
                _state_key(e).label("state"),
                e.c.source_id.label("source"),
                sa.null().label("via"),
            ).where(e.c.segment_id.is_not(None), *seen),
            sa.select(rs.c.segment_id, e.c.date, _state_key(e), e.c.source_id, e.c.road_id)
            .join(rs, rs.c.road_id == e.c.road_id)
            .where(e.c.road_id.is_not(None), *seen),
        ).subquery("on_segments")
        o = on_segments.c
        disputed_days.append(
            sa.select(_constant("segment"), o.id, o.date)
            .group_by(o.id, o.date)
            .having(
                sa.and_(
                    _disagree(o.state, o.source),
                    sa.or_(sa.func.count(o.via) < sa.func.count(), _varies(o.via)),
                )
            )
        )
        return sa.union(*disputed_days).cte("disputed")

    def same_day_reports(self) -> list[SameDayReport]:
        """Every report on an element and day on which two reports contradict each other:
        they assert different states, and come from different sources or one has none.

        Places, segments and roads are checked as written; a segment is also checked with
        the events on every road it belongs to (an event on a road is the same event on
        each of its segments). When the only reports on a segment that day are events on
        one road, a disagreement among them is reported on the road, not again on each
        segment.

        The rows come from one query, ordered by element type, element, date and then the
        order in which the engine applies them (the last one wins); a segment's rows
        include the events on its roads that day.
        """
        e, rs = EVENTS, ROAD_SEGMENTS
        d = self._disputed_days().c

        def days_of(kind: str) -> Any:
            return sa.select(d.id, d.date).where(d.kind == kind)

        columns = [
            e.c.date,
            e.c.status,
            e.c.party_id,
            e.c.source_id,
            e.c.recorded,
            e.c.import_id,
            e.c.position,
            e.c.id.label("event_id"),
            e.c.scenario_id,
        ]
        # The overlay's rows are picked in Python, not in these lookups: a condition on
        # scenario_id there tempts PostgreSQL, when its statistics on that column are
        # missing (right after the migration that added it), into a plan that probes the
        # scenario_id index once per disputed day.
        reports = [
            sa.select(
                _constant(name).label("kind"), column.label("id"), *columns, sa.null().label("via")
            ).where(column.is_not(None), sa.tuple_(column, e.c.date).in_(days_of(name)))
            for name, column in TARGETS
        ]
        reports.append(
            sa.select(
                _constant("segment").label("kind"),
                rs.c.segment_id.label("id"),
                *columns,
                e.c.road_id.label("via"),
            )
            .join(rs, rs.c.road_id == e.c.road_id)
            .where(sa.tuple_(rs.c.segment_id, e.c.date).in_(days_of("segment")))
        )
        found = sa.union_all(*reports).subquery("found")
        f = found.c
        query = sa.select(
            f.kind,
            f.id,
            f.date,
            f.status,
            f.party_id,
            f.source_id,
            f.recorded,
            f.import_id,
            f.position,
            IMPORTS.c.file_name,
            f.via,
            f.event_id,
            f.scenario_id,
        ).join(IMPORTS, IMPORTS.c.id == f.import_id)
        suppressed = self._suppressed()
        layers = self._layers()
        rows = [
            row
            for row in self.conn.execute(query)
            if (row.scenario_id is None or row.scenario_id in layers)
            and row.event_id not in suppressed
        ]
        # The order in which the engine applies them: the last one wins.
        rows.sort(
            key=lambda r: (
                r.kind,
                r.id,
                r.date,
                r.recorded or r.date,
                layers.get(r.scenario_id, 0),
                r.import_id,
                r.position,
            )
        )
        return [SameDayReport(*row[:11]) for row in rows]

    def never_known_places(self) -> list[str]:
        """The places that no event says are held or contested, by id.

        One query; for each place the database looks up its events through the (place,
        date) index and stops at the first one that makes it known.
        """
        e, p = EVENTS, orm.Place.__table__
        known = sa.exists().where(e.c.place_id == p.c.id, e.c.status != "unknown", *self._seen(e))
        query = sa.select(p.c.id).where(~known, self.overlay.visible(p.c.scenario_id))
        return list(self.conn.execute(query.order_by(p.c.id)).scalars())

    def early_segment_reports(self) -> list[EarlyReports]:
        """Segments whose own events, or events on a road through them, are dated before
        the day on which both of the segment's ends are first known.

        Only segments whose ends both become known at some point are considered: while an
        end is unknown a segment keeps its own report, so such a report is never cut
        short. One grouped query; one row per segment and road (``via_road`` ``None`` for
        the segment's own events), by segment.
        """
        e, rs, s = EVENTS, ROAD_SEGMENTS, SEGMENTS
        known = (
            sa.select(e.c.place_id.label("place"), sa.func.min(e.c.date).label("day"))
            .where(e.c.place_id.is_not(None), e.c.status != "unknown", *self._seen(e))
            .group_by(e.c.place_id)
            .cte("known")
        )
        seen = self._seen(e)
        own = sa.select(
            e.c.segment_id.label("segment"), sa.null().label("via_road"), e.c.date.label("date")
        ).where(e.c.segment_id.is_not(None), *seen)
        through_roads = (
            sa.select(
                rs.c.segment_id.label("segment"),
                e.c.road_id.label("via_road"),
                e.c.date.label("date"),
            )
            .join(rs, rs.c.road_id == e.c.road_id)
            .where(e.c.road_id.is_not(None), *seen)
        )
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
        return [EarlyReports(*row) for row in self.conn.execute(query)]

    def used_ids(self) -> tuple[set[str], set[str]]:
        """The parties and the sources that some event or incident names:
        ``(parties, sources)``."""
        parties: set[str] = set()
        sources: set[str] = set()
        for table in (EVENTS, INCIDENTS):
            for found, column in ((parties, table.c.party_id), (sources, table.c.source_id)):
                query = sa.select(column).where(column.is_not(None), *self._seen(table))
                found.update(self.conn.execute(query.distinct()).scalars())
        return parties, sources

    def late_citations(self) -> list[LateCitation]:
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
                .where(
                    SOURCES.c.published.is_not(None),
                    table.c.date > SOURCES.c.published,
                    *self._seen(table),
                )
                .group_by(SOURCES.c.id, SOURCES.c.published)
                .order_by(SOURCES.c.id)
            )
            found.extend(
                LateCitation(source, published, record, reports, first, last)
                for source, published, reports, first, last in self.conn.execute(query)
            )
        return found

    def duplicate_events(self) -> list[DuplicateGroup]:
        """Groups of two or more identical events (one grouped query), by element and date."""
        e = EVENTS
        keys = [column for _, column in TARGETS]
        keys += [e.c.date, e.c.status, e.c.party_id, e.c.source_id, e.c.recorded]
        target_type = _target_type(e).label("target_type")
        target_id = _target_id(e).label("target_id")
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
            .where(*self._seen(e))
            .group_by(*keys)
            .having(sa.func.count() > 1)
            .order_by(target_type, target_id, e.c.date)
        )
        return [DuplicateGroup(*row) for row in self.conn.execute(query)]
