"""Whole records: events, incidents and access records as a dataset holds them, by row
id or record id, the record ids stored, and the retractions by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.model.records import (
    NO_FILTERS,
    Event,
    Filters,
    Incident,
    Retraction,
)
from control_graph.store import orm, rows
from control_graph.store.batches import chunks
from control_graph.store.reports.counting import TABLES, counted
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

Record = rows.Record

__all__ = [
    "Record",
    "read_event_records",
    "read_incidents",
    "read_records",
    "read_retractions",
    "record_ids",
    "record_of",
]


def record_of(section: str, row: Any) -> Record:
    """An event, incident or access record from its row (see :func:`rows.record_of`)."""
    return rows.record_of(section, row._mapping)


def read_event_records(conn: Connection, keys: Iterable[int]) -> dict[int, Event]:
    """Whole events by their row ids (the ``key`` of a :class:`ControlEvent`)."""
    e = orm.Event
    found: dict[int, Event] = {}
    for batch in chunks(sorted(set(keys))):
        for row in conn.execute(sa.select(*e.__table__.columns).where(e.id.in_(batch))):
            record = record_of("events", row)
            assert isinstance(record, Event)
            found[row.id] = record
    return found


def read_records(
    conn: Connection, ids: Iterable[str], overlay: Overlay = REPORTED_OVERLAY
) -> dict[str, Record]:
    """The latest stored version of the events, incidents and access records with these
    record ids (a correction stores a new version after the old ones)."""
    wanted = list(dict.fromkeys(ids))
    latest: dict[str, tuple[tuple[int, int], Record]] = {}
    for section, table in TABLES.items():
        for batch in chunks(wanted):
            query = sa.select(*table.__table__.columns).where(
                table.record_id.in_(batch), overlay.visible(table.scenario_id)
            )
            for row in conn.execute(query):
                order = (row.import_id, row.position)
                if row.record_id not in latest or latest[row.record_id][0] < order:
                    latest[row.record_id] = (order, record_of(section, row))
    return {ident: record for ident, (_, record) in latest.items()}


def holds_record_ids(conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> bool:
    """Whether any event, incident or access record an overlay sees has a record id."""
    for table in TABLES.values():
        query = sa.select(table.id).where(
            table.record_id.is_not(None), overlay.visible(table.scenario_id)
        )
        if conn.execute(query.limit(1)).first() is not None:
            return True
    return False


def record_ids(conn: Connection, overlay: Overlay | None = REPORTED_OVERLAY) -> set[str]:
    """Every record id an overlay sees (``None``: every record id in the database)."""
    found: set[str] = set()
    for table in TABLES.values():
        query = sa.select(table.record_id).where(table.record_id.is_not(None))
        if overlay is not None:
            query = query.where(overlay.visible(table.scenario_id))
        found.update(conn.execute(query).scalars())
    return found


def read_retractions(conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> list[Retraction]:
    """Every retraction of records by id that an overlay sees, in the order they were
    imported (corrections and undone imports are not retractions a file holds)."""
    r = orm.Retraction
    query = (
        sa.select(r.record_id, r.recorded, r.source_id, r.note, r.attributes)
        .where(overlay.visible(r.scenario_id), r.record_id.is_not(None), r.before_import.is_(None))
        .order_by(r.import_id, r.position)
    )
    return [
        Retraction(row.record_id, row.recorded, row.source_id, row.note, row.attributes or {})
        for row in conn.execute(query)
    ]


def read_incidents(
    conn: Connection,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    filters: Filters = NO_FILTERS,
    overlay: Overlay = REPORTED_OVERLAY,
) -> list[Incident]:
    """Incidents dated from ``start`` to ``end`` (both inclusive) that count, oldest
    first."""
    i = orm.Incident
    query = (
        sa.select(*i.__table__.columns)
        .where(*counted("incidents", filters, overlay, conn))
        .order_by(i.date, i.import_id, i.position)
    )
    if start is not None:
        query = query.where(i.date >= start)
    if end is not None:
        query = query.where(i.date <= end)
    found = []
    for row in conn.execute(query):
        record = record_of("incidents", row)
        assert isinstance(record, Incident)
        found.append(record)
    return found
