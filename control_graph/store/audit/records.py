"""Readings about what records say and name: suspicious dates, places never known,
reports before a segment's ends are known, the parties and sources named, late
citations, identical events, and the events a finding is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from control_graph.store import orm
from control_graph.store.audit.base import AuditBase
from control_graph.store.audit.rows import (
    DatedRecord,
    DuplicateGroup,
    EarlyReports,
    LateCitation,
    StoredEvent,
)
from control_graph.store.audit.tables import (
    ACCESS,
    EVENTS,
    IMPORTS,
    INCIDENTS,
    RECORD_TABLES,
    RETRACTIONS,
    ROAD_SEGMENTS,
    SEGMENTS,
    SOURCES,
    TARGETS,
    latest_of,
    target_id_of,
    target_type_of,
)
from control_graph.store.batches import chunks

__all__ = ["RecordReadings"]


class RecordReadings(AuditBase):
    """The readings about events, incidents and access records, and what they name."""

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
                    target_type_of(table),
                    target_id_of(table),
                    table.c.date,
                    table.c.recorded,
                    table.c.source_id,
                    latest_of(table),
                )
                .join(IMPORTS, IMPORTS.c.id == table.c.import_id)
                .where(sa.or_(*suspicious), *self._seen(table))
                .order_by(table.c.import_id, table.c.position)
            )
            found.extend(DatedRecord(record, *row) for row in self.conn.execute(query))
        return found

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
        target_type = target_type_of(e).label("target_type")
        target_id = target_id_of(e).label("target_id")
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
        for batch in chunks(sorted(set(keys))):
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
                .where(e.c.id.in_(batch))
            )
            found.update((row[0], StoredEvent(*row)) for row in self.conn.execute(query))
        return found
