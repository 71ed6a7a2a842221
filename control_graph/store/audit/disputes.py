"""Reports that contradict each other: about the same element, dated alike, by one
claimant, asserting different states (what ``contradictory-reports`` reads)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from control_graph.store.audit.base import AuditBase
from control_graph.store.audit.rows import SameDayReport
from control_graph.store.audit.tables import (
    EVENTS,
    IMPORTS,
    ROAD_SEGMENTS,
    TARGETS,
    constant,
    disagree,
    state_key,
    varies,
)
from control_graph.store.reports import counting

__all__ = ["DisputeReadings"]


def _disagreeing(rows: list[Any]) -> bool:
    """:func:`~control_graph.store.audit.tables.disagree` on rows already read
    (``state``, ``source`` and ``via``), and, on a segment, not only the events on one
    road (those are the road's finding)."""
    sources = [r.source_id for r in rows]
    vias = [r.via for r in rows]
    return (
        len({r.state for r in rows}) > 1
        and (len(set(sources) - {None}) > 1 or None in sources)
        and (rows[0].kind != "segment" or None in vias or len(set(vias)) > 1)
    )


class DisputeReadings(AuditBase):
    """:meth:`same_day_reports`, and the disputed days it starts from."""

    def _disputed_days(self) -> sa.CTE:
        """``(kind, id, date)`` of every element and day on which reports of one
        claimant (independent reports are one), dated alike, contradict."""
        e, rs = EVENTS, ROAD_SEGMENTS
        seen = self._seen(e)
        latest = sa.func.coalesce(e.c.date_latest, e.c.date)
        # Grouped on the (element, date) indexes.
        disputed_days = [
            sa.select(constant(name).label("kind"), column.label("id"), e.c.date.label("date"))
            .where(column.is_not(None), *seen)
            .group_by(column, e.c.date, latest, e.c.claimant_id)
            .having(disagree(state_key(e), e.c.source_id))
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
                state_key(e).label("state"),
                e.c.source_id.label("source"),
                sa.null().label("via"),
            ).where(e.c.segment_id.is_not(None), *seen),
            sa.select(
                rs.c.segment_id,
                e.c.date,
                latest,
                e.c.claimant_id,
                state_key(e),
                e.c.source_id,
                e.c.road_id,
            )
            .join(rs, rs.c.road_id == e.c.road_id)
            .where(e.c.road_id.is_not(None), *seen),
        ).subquery("on_segments")
        o = on_segments.c
        disputed_days.append(
            sa.select(constant("segment"), o.id, o.date)
            .group_by(o.id, o.date, o.latest, o.claimant)
            .having(
                sa.and_(
                    disagree(o.state, o.source),
                    sa.or_(sa.func.count(o.via) < sa.func.count(), varies(o.via)),
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
            state_key(e).label("state"),
            e.c.id.label("event_id"),
            e.c.scenario_id,
        ]
        # The overlay's rows (and retractions) are picked in Python, not in these
        # lookups: a condition on scenario_id there tempts PostgreSQL, when its statistics
        # on that column are missing (right after the migration that added it), into a
        # plan that probes the scenario_id index once per disputed day.
        reports = [
            sa.select(
                constant(name).label("kind"), column.label("id"), *columns, sa.null().label("via")
            ).where(column.is_not(None), sa.tuple_(column, e.c.date).in_(days_of(name)))
            for name, column in TARGETS
        ]
        reports.append(
            sa.select(
                constant("segment").label("kind"),
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
        layers = counting.layers(self.overlay)
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
