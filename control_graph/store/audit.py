"""Reading what a data-quality check needs about events and incidents.

:class:`Audit` answers each question about the whole database with one query (a few
for the union of events and incidents), grouped or filtered in SQL so that only the rows
that may be findings leave the database: on a database of a million events the checks
transfer the suspicious rows and a few aggregates, not every event. Everything here is
SQLAlchemy Core over the ORM tables and runs on SQLite and PostgreSQL alike.

An audit reads what one overlay sees: by default the reported data; with a scenario's
overlay, the reported data, the scenario's own rows and its bases', less the events it
supposes false -- the data that the scenario's answers come from. A retracted record
(contract section 4.3) counts in no answer without ``--as-of``, so the readings about what
records say leave it out; the retractions themselves are read by :meth:`Audit.retractions`,
and what records name (parties, sources) counts retracted records too.
:meth:`control_graph.query.Model.audit` opens one on the data a model sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.store import orm
from control_graph.store.reports import CHUNK, retracted
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = [
    "Audit",
    "DatedRecord",
    "DuplicateGroup",
    "EarlyReports",
    "FutureRetraction",
    "LateCitation",
    "RetractionRow",
    "SameDayReport",
    "StoredEvent",
]

Record = Literal["event", "incident", "access"]
Withdrawal = Literal["retraction", "correction", "undo"]

EVENTS = orm.Event.__table__
INCIDENTS = orm.Incident.__table__
ACCESS = orm.AccessRecord.__table__
RETRACTIONS = orm.Retraction.__table__
IMPORTS = orm.Import.__table__
ROAD_SEGMENTS = orm.RoadSegment.__table__
SEGMENTS = orm.Segment.__table__
SOURCES = orm.Source.__table__
RECORD_TABLES: tuple[tuple[Record, sa.FromClause], ...] = (
    ("event", EVENTS),
    ("incident", INCIDENTS),
    ("access", ACCESS),
)
#: The ORM class of each table whose rows a retraction can name.
_CLASSES: dict[sa.FromClause, Any] = {
    EVENTS: orm.Event,
    INCIDENTS: orm.Incident,
    ACCESS: orm.AccessRecord,
}
#: The event columns that name its element, with the name of that kind of element.
TARGETS = (
    ("place", EVENTS.c.place_id),
    ("segment", EVENTS.c.segment_id),
    ("road", EVENTS.c.road_id),
)


class DatedRecord(NamedTuple):
    """An event, incident or access record whose dates are suspicious (see
    :meth:`Audit.dated_problems`); ``recorded`` as given, ``date_latest`` where the
    record has one."""

    record: Record
    import_id: int
    position: int
    file: str
    target_type: str
    target_id: str
    date: dt.date
    recorded: dt.date | None
    source: str | None
    date_latest: dt.date | None = None


class SameDayReport(NamedTuple):
    """One report about an element on a day on which reports disagree.

    ``via_road`` is set when the report is an event on a road, counted for one of its
    segments (``target_type`` is then ``"segment"``). ``date_latest``, ``until``,
    ``claimant`` and ``record_id`` are the section 4 keys, as given.
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
    date_latest: dt.date | None = None
    until: dt.date | None = None
    claimant: str | None = None
    record_id: str | None = None


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
    """Records citing a source but dated after it was published."""

    source: str
    published: dt.date
    record: Record
    reports: int
    first: dt.date
    last: dt.date


class DuplicateGroup(NamedTuple):
    """Identical events: same element, date, recorded date, state, party and source, and
    the same section 4 keys (``date_latest``, ``until``, ``claimant``, ``confidence``)."""

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
    date_latest: dt.date | None = None
    until: dt.date | None = None
    claimant: str | None = None
    confidence: str | None = None


class StoredEvent(NamedTuple):
    """What a finding says about an event the engine found: its row id (``key``), the
    keys a person recognises it by, and where it was imported from."""

    key: int
    record_id: str | None
    party: str | None
    source: str | None
    confidence: str | None
    kind: str | None
    import_id: int
    position: int
    file: str


class RetractionRow(NamedTuple):
    """One retraction withdrawing one stored version of a record that a retraction by id
    names (see :meth:`Audit.retractions`).

    ``version`` is the row id of that version in its table (``record`` says which);
    ``record_date`` its date and ``record_known`` the day it became known (its
    ``recorded``, else ``date_latest``, else its date). ``how`` is ``retraction`` (by
    id: from a file's ``retractions`` or ``control-graph retract``), ``correction`` (a
    re-import that replaced the version) or ``undo`` (its whole import undone);
    ``recorded``, ``source`` and where it was imported from are the retraction's own.
    """

    record_id: str
    record: Record
    version: int
    target_type: str
    target_id: str
    record_date: dt.date
    record_known: dt.date
    how: Withdrawal
    recorded: dt.date
    source: str | None
    import_id: int
    position: int
    file: str


class FutureRetraction(NamedTuple):
    """A retraction recorded after a day: of a record by id (``record_id``), or of a
    whole import (``undone``)."""

    record_id: str | None
    undone: int | None
    recorded: dt.date
    source: str | None
    import_id: int
    position: int
    file: str


def _constant(text: str) -> Any:
    # Rendered inline, not bound: PostgreSQL cannot always infer the type of a bound
    # parameter inside CASE or UNION. Only fixed words of ours go through here.
    return sa.literal_column(f"'{text}'", sa.String)


def _targets(table: sa.FromClause) -> list[tuple[str, Any]]:
    """The columns of ``table`` that name an element (access records have no place)."""
    return [
        (name, table.c[f"{name}_id"])
        for name in ("place", "segment", "road")
        if f"{name}_id" in table.c
    ]


def _target_type(table: sa.FromClause) -> Any:
    *named, (last, _) = _targets(table)
    return sa.case(
        *((column.is_not(None), _constant(name)) for name, column in named),
        else_=_constant(last),
    )


def _target_id(table: sa.FromClause) -> Any:
    return sa.func.coalesce(*(column for _, column in _targets(table)))


def _latest(table: sa.FromClause) -> Any:
    """``date_latest`` where the table has it, else null."""
    return table.c.date_latest if "date_latest" in table.c else sa.null()


def _known(table: sa.FromClause) -> Any:
    """The day a record became known: ``recorded``, else ``date_latest``, else its date."""
    days = [table.c.recorded, table.c.date]
    if "date_latest" in table.c:
        days.insert(1, table.c.date_latest)
    # Typed, so that SQLite's text comes back as a day.
    return sa.type_coerce(sa.func.coalesce(*days), sa.Date)


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


def _disagreeing(rows: list[Any]) -> bool:
    """:func:`_disagree` on rows already read (``state``, ``source`` and ``via``), and,
    on a segment, not only the events on one road (those are the road's finding)."""
    sources = [r.source_id for r in rows]
    vias = [r.via for r in rows]
    return (
        len({r.state for r in rows}) > 1
        and (len(set(sources) - {None}) > 1 or None in sources)
        and (rows[0].kind != "segment" or None in vias or len(set(vias)) > 1)
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

    def _visible(self, table: sa.FromClause) -> list[Any]:
        """Conditions for the rows of ``table`` that the overlay sees, retracted or not."""
        conditions = [self.overlay.visible(table.c.scenario_id)]
        if table is EVENTS:
            conditions.append(self.overlay.not_suppressed(table.c.id))
        return conditions

    def _seen(self, table: sa.FromClause) -> list[Any]:
        """Conditions for the rows of ``table`` (events, incidents or access records)
        that count: seen by the overlay and not retracted."""
        return [*self._visible(table), ~retracted(_CLASSES[table], self.overlay, None)]

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

    def _withdrawn(self) -> Callable[[str | None, int], bool]:
        """Whether a row (by its record id and import) is retracted, as
        :func:`~control_graph.store.reports.retracted` says in SQL: named by id (every
        version, or a correction's, those imported before it), or its import undone."""
        r = RETRACTIONS
        by_id: dict[str, list[int | None]] = {}
        undone: set[int] = set()
        query = sa.select(r.c.record_id, r.c.before_import, r.c.import_ref, r.c.import_id).where(
            self.overlay.visible(r.c.scenario_id)
        )
        rows = list(self.conn.execute(query))
        undone = {row.import_ref for row in rows if row.import_ref is not None}
        for record_id, before, _import_ref, import_id in rows:
            # Undoing an import undoes the retractions it held too.
            if record_id is not None and import_id not in undone:
                by_id.setdefault(record_id, []).append(before)

        def withdrawn(record_id: str | None, import_id: int) -> bool:
            if import_id in undone:
                return True
            befores = by_id.get(record_id, ()) if record_id is not None else ()
            return any(before is None or import_id < before for before in befores)

        return withdrawn

    def dated_problems(self, today: dt.date) -> list[DatedRecord]:
        """Events, incidents and access records dated (or, with ``date_latest``, possibly
        dated) or recorded after ``today``, or recorded before their date, in file order;
        retracted records left out."""
        found: list[DatedRecord] = []
        for record, table in RECORD_TABLES:
            suspicious = [
                table.c.date > today,
                table.c.recorded > today,
                table.c.recorded < table.c.date,
            ]
            if "date_latest" in table.c:
                suspicious.append(table.c.date_latest > today)
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
                    _latest(table),
                )
                .join(IMPORTS, IMPORTS.c.id == table.c.import_id)
                .where(sa.or_(*suspicious), *self._seen(table))
                .order_by(table.c.import_id, table.c.position)
            )
            found.extend(DatedRecord(record, *row) for row in self.conn.execute(query))
        return found

    def _disputed_days(self) -> sa.CTE:
        """``(kind, id, date)`` of every element and day on which reports of one
        claimant (independent reports are one), dated alike, contradict."""
        e, rs = EVENTS, ROAD_SEGMENTS
        seen = self._seen(e)
        latest = sa.func.coalesce(e.c.date_latest, e.c.date)
        # Grouped on the (element, date) indexes.
        disputed_days = [
            sa.select(_constant(name).label("kind"), column.label("id"), e.c.date.label("date"))
            .where(column.is_not(None), *seen)
            .group_by(column, e.c.date, latest, e.c.claimant_id)
            .having(_disagree(_state_key(e), e.c.source_id))
            for name, column in TARGETS
        ]
        # A segment's own events and the events on its roads, together; days on which
        # only the events on one road disagree are left to that road.
        on_segments = sa.union_all(
            sa.select(
                e.c.segment_id.label("id"),
                e.c.date.label("date"),
                latest.label("latest"),
                e.c.claimant_id.label("claimant"),
                _state_key(e).label("state"),
                e.c.source_id.label("source"),
                sa.null().label("via"),
            ).where(e.c.segment_id.is_not(None), *seen),
            sa.select(
                rs.c.segment_id,
                e.c.date,
                latest,
                e.c.claimant_id,
                _state_key(e),
                e.c.source_id,
                e.c.road_id,
            )
            .join(rs, rs.c.road_id == e.c.road_id)
            .where(e.c.road_id.is_not(None), *seen),
        ).subquery("on_segments")
        o = on_segments.c
        disputed_days.append(
            sa.select(_constant("segment"), o.id, o.date)
            .group_by(o.id, o.date, o.latest, o.claimant)
            .having(
                sa.and_(
                    _disagree(o.state, o.source),
                    sa.or_(sa.func.count(o.via) < sa.func.count(), _varies(o.via)),
                )
            )
        )
        return sa.union(*disputed_days).cte("disputed")

    def same_day_reports(self) -> list[SameDayReport]:
        """Every report in a group of reports about one element that contradict each
        other: reports dated alike (the same ``date`` and the same ``date_latest``, if
        any) by one claimant (independent reports count as one claimant, as in the
        contract's disputes) that assert different states, and come from different
        sources or one has none. Rival claims of different claimants are disputes, not
        contradictions; retracted events are left out.

        Places, segments and roads are checked as written; a segment is also checked with
        the events on every road it belongs to (an event on a road is the same event on
        each of its segments). When the only reports on a segment that day are events on
        one road, a disagreement among them is reported on the road, not again on each
        segment.

        The rows are ordered by element type, element, date, ``date_latest``, claimant,
        and then the order in which the engine applies them (the last one wins); a
        segment's rows include the events on its roads that day.
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
            e.c.date_latest,
            e.c.until_date,
            e.c.claimant_id,
            e.c.record_id,
            _state_key(e).label("state"),
            e.c.id.label("event_id"),
            e.c.scenario_id,
        ]
        # The overlay's rows (and retractions) are picked in Python, not in these
        # lookups: a condition on scenario_id there tempts PostgreSQL, when its statistics
        # on that column are missing (right after the migration that added it), into a
        # plan that probes the scenario_id index once per disputed day.
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
        query = sa.select(found, IMPORTS.c.file_name).join(
            IMPORTS, IMPORTS.c.id == found.c.import_id
        )
        suppressed = self._suppressed()
        withdrawn = self._withdrawn()
        layers = self._layers()
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for row in self.conn.execute(query):
            if (
                (row.scenario_id is not None and row.scenario_id not in layers)
                or row.event_id in suppressed
                or withdrawn(row.record_id, row.import_id)
            ):
                continue
            group = (row.kind, row.id, row.date, row.date_latest or row.date, row.claimant_id or "")
            groups.setdefault(group, []).append(row)
        rows = [
            row
            for group in sorted(groups)
            if _disagreeing(groups[group])
            for row in sorted(
                groups[group],
                # The order in which the engine applies them: the last one wins.
                key=lambda r: (
                    r.recorded or r.date_latest or r.date,
                    layers.get(r.scenario_id, 0),
                    r.import_id,
                    r.position,
                ),
            )
        ]
        return [
            SameDayReport(
                r.kind,
                r.id,
                r.date,
                r.status,
                r.party_id,
                r.source_id,
                r.recorded,
                r.import_id,
                r.position,
                r.file_name,
                r.via,
                r.date_latest,
                r.until_date,
                r.claimant_id,
                r.record_id,
            )
            for r in rows
        ]

    def never_known_places(self) -> list[str]:
        """The places that no event that counts says are held or contested, by id.

        One query; for each place the database looks up its events through the (place,
        date) index and stops at the first one that makes it known.
        """
        e, p = EVENTS, orm.Place.__table__
        known = sa.exists().where(e.c.place_id == p.c.id, e.c.status != "unknown", *self._seen(e))
        query = sa.select(p.c.id).where(~known, self.overlay.visible(p.c.scenario_id))
        return list(self.conn.execute(query.order_by(p.c.id)).scalars())

    def early_segment_reports(self) -> list[EarlyReports]:
        """Segments whose own events, or events on a road through them, are dated before
        the day on which both of the segment's ends are first known, and still in force
        that day (a report whose ``until`` comes first lapses before it is cut short).

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
            e.c.segment_id.label("segment"),
            sa.null().label("via_road"),
            e.c.date.label("date"),
            e.c.until_date.label("until"),
        ).where(e.c.segment_id.is_not(None), *seen)
        through_roads = (
            sa.select(
                rs.c.segment_id.label("segment"),
                e.c.road_id.label("via_road"),
                e.c.date.label("date"),
                e.c.until_date.label("until"),
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
            .where(
                sa.or_(r.date < start.c.day, r.date < end.c.day),
                sa.or_(r.until.is_(None), sa.and_(r.until > start.c.day, r.until > end.c.day)),
            )
            .group_by(
                r.segment, r.via_road, s.c.start_place_id, start.c.day, s.c.end_place_id, end.c.day
            )
            .order_by(r.segment, r.via_road)
        )
        return [EarlyReports(*row) for row in self.conn.execute(query)]

    def used_ids(self) -> tuple[set[str], set[str]]:
        """The parties and the sources that some record names, retracted or not:
        ``(parties, sources)``. A party is named as holder or fighter, as claimant, as
        the actor of an incident or as the side imposing access; a source is cited by an
        event, incident, access record or retraction."""
        parties: set[str] = set()
        sources: set[str] = set()
        wanted: list[tuple[sa.FromClause, set[str], str]] = [
            (EVENTS, parties, "party_id"),
            (EVENTS, parties, "claimant_id"),
            (INCIDENTS, parties, "party_id"),
            (INCIDENTS, parties, "claimant_id"),
            (ACCESS, parties, "party_id"),
            (EVENTS, sources, "source_id"),
            (INCIDENTS, sources, "source_id"),
            (ACCESS, sources, "source_id"),
            (RETRACTIONS, sources, "source_id"),
        ]
        for table, found, name in wanted:
            column = table.c[name]
            conditions = (
                [self.overlay.visible(table.c.scenario_id)]
                if table is RETRACTIONS
                else self._visible(table)
            )
            query = sa.select(column).where(column.is_not(None), *conditions)
            found.update(self.conn.execute(query.distinct()).scalars())
        return parties, sources

    def late_citations(self) -> list[LateCitation]:
        """For each source, the events, incidents and access records that cite it and are
        dated after its publication date, counted (one grouped query per table)."""
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
        """Groups of two or more identical events that count (one grouped query), by
        element and date."""
        e = EVENTS
        same = [e.c.date_latest, e.c.until_date, e.c.claimant_id, e.c.confidence]
        keys = [column for _, column in TARGETS]
        keys += [e.c.date, e.c.status, e.c.party_id, e.c.source_id, e.c.recorded, *same]
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
                *same,
            )
            .where(*self._seen(e))
            .group_by(*keys)
            .having(sa.func.count() > 1)
            .order_by(target_type, target_id, e.c.date)
        )
        return [DuplicateGroup(*row) for row in self.conn.execute(query)]

    def stored_events(self, keys: Iterable[int]) -> dict[int, StoredEvent]:
        """The events with these row ids (the ``key`` of the engine's events), as
        findings describe them."""
        e = EVENTS
        found: dict[int, StoredEvent] = {}
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), CHUNK):
            query = (
                sa.select(
                    e.c.id,
                    e.c.record_id,
                    e.c.party_id,
                    e.c.source_id,
                    e.c.confidence,
                    e.c.kind,
                    e.c.import_id,
                    e.c.position,
                    IMPORTS.c.file_name,
                )
                .join(IMPORTS, IMPORTS.c.id == e.c.import_id)
                .where(e.c.id.in_(wanted[start : start + CHUNK]))
            )
            found.update((row[0], StoredEvent(*row)) for row in self.conn.execute(query))
        return found

    def retractions(self) -> list[RetractionRow]:
        """What withdraws each stored version of the records that some retraction by id
        names: those retractions (and the corrections that name them too), and the undo
        of the version's import, if any. By record id, then by ``recorded`` day and where
        the retraction was imported (so the one that counts, the earliest, comes first).

        The versions of imports undone that no retraction names by id are not read:
        nothing here is about them.
        """
        r = RETRACTIONS
        how = sa.case(
            (r.c.before_import.is_(None), _constant("retraction")), else_=_constant("correction")
        )
        # A retraction whose own import is undone does not count.
        undoer = RETRACTIONS.alias("undoer")
        found: list[RetractionRow] = []
        imports: dict[tuple[str, int], int] = {}
        for record, table in RECORD_TABLES:
            query = (
                sa.select(
                    r.c.record_id,
                    _constant(record),
                    table.c.id,
                    _target_type(table),
                    _target_id(table),
                    table.c.date,
                    _known(table),
                    how,
                    r.c.recorded,
                    r.c.source_id,
                    r.c.import_id,
                    r.c.position,
                    IMPORTS.c.file_name,
                    table.c.import_id.label("version_import"),
                )
                .join(
                    table,
                    sa.and_(
                        table.c.record_id == r.c.record_id,
                        sa.or_(r.c.before_import.is_(None), table.c.import_id < r.c.before_import),
                    ),
                )
                .join(IMPORTS, IMPORTS.c.id == r.c.import_id)
                .where(
                    self.overlay.visible(r.c.scenario_id),
                    *self._visible(table),
                    ~sa.exists().where(undoer.c.import_ref == r.c.import_id),
                )
            )
            for row in self.conn.execute(query):
                found.append(RetractionRow(*row[:-1]))
                imports[(record, row.id)] = row.version_import
        undo = (
            sa.select(
                r.c.import_ref,
                r.c.recorded,
                r.c.source_id,
                r.c.import_id,
                r.c.position,
                IMPORTS.c.file_name,
            )
            .join(IMPORTS, IMPORTS.c.id == r.c.import_id)
            .where(r.c.import_ref.is_not(None), self.overlay.visible(r.c.scenario_id))
        )
        undone: dict[int, list[Any]] = {}
        for undoing in self.conn.execute(undo):
            undone.setdefault(undoing.import_ref, []).append(undoing)
        versions = {(x.record, x.version): x for x in found}
        for (record, version), x in versions.items():
            for u in undone.get(imports[(record, version)], ()):
                found.append(
                    x._replace(
                        how="undo",
                        recorded=u.recorded,
                        source=u.source_id,
                        import_id=u.import_id,
                        position=u.position,
                        file=u.file_name,
                    )
                )
        found.sort(key=lambda x: (x.record_id, x.recorded, x.import_id, x.position, x.version))
        return found

    def future_retractions(self, today: dt.date) -> list[FutureRetraction]:
        """Retractions (by id, corrections, undone imports) recorded after ``today``, in
        the order they were imported."""
        r = RETRACTIONS
        query = (
            sa.select(
                r.c.record_id,
                r.c.import_ref,
                r.c.recorded,
                r.c.source_id,
                r.c.import_id,
                r.c.position,
                IMPORTS.c.file_name,
            )
            .join(IMPORTS, IMPORTS.c.id == r.c.import_id)
            .where(r.c.recorded > today, self.overlay.visible(r.c.scenario_id))
            .order_by(r.c.import_id, r.c.position)
        )
        return [FutureRetraction(*row) for row in self.conn.execute(query)]
