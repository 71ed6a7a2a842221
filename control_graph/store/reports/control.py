"""What the engine reads: the events and access records that count for a question
about a network (or the whole database), and which elements some side claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.model.access import AccessEntry
from control_graph.model.event_table import EventTable
from control_graph.model.network import RoadNetwork
from control_graph.model.records import NO_FILTERS, Filters
from control_graph.store import orm
from control_graph.store.batches import chunks
from control_graph.store.direct import reader_on
from control_graph.store.reports.counting import counted, effective_recorded, layers
from control_graph.store.rows import ACCESS_COLUMNS, CONTROL_EVENT_COLUMNS, Converter
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = ["any_claimant", "claimed_elements", "read_access", "read_control_events"]


def _about(
    table: Any, network: RoadNetwork | None, sections: Iterable[str] = ("place", "segment", "road")
) -> Iterator[Any]:
    """Conditions that split a read into batches of the elements of ``network`` (one
    condition: all rows, without a network)."""
    if network is None:
        yield sa.true()
        return
    ids: dict[str, Iterable[str]] = {
        "place": network.places,
        "segment": network.segments,
        "road": network.roads,
    }
    for kind in sections:
        column = getattr(table, f"{kind}_id")
        for batch in chunks(sorted(ids[kind])):
            yield column.in_(batch)


def any_claimant(conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> bool:
    """Whether any event the overlay sees is a side's claim: without one, nothing can be
    disputed (every report is independent, one claimant)."""
    e = orm.Event
    query = sa.select(e.id).where(e.claimant_id.is_not(None), overlay.visible(e.scenario_id))
    return conn.execute(query.limit(1)).first() is not None


def claimed_elements(
    conn: Connection, *, until: dt.date | None = None, overlay: Overlay = REPORTED_OVERLAY
) -> set[tuple[str, str]]:
    """``(kind, id)`` of every place, segment or road some side claims (an event with a
    claimant dated on or before ``until``)."""
    e = orm.Event
    query = sa.select(e.place_id, e.segment_id, e.road_id).where(
        e.claimant_id.is_not(None), overlay.visible(e.scenario_id)
    )
    if until is not None:
        query = query.where(e.date <= until)
    found: set[tuple[str, str]] = set()
    for place, segment, road in conn.execute(query.distinct()):
        if place is not None:
            found.add(("place", place))
        elif segment is not None:
            found.add(("segment", segment))
        elif road is not None:
            found.add(("road", road))
    return found


#: The day columns of events, read as text on SQLite (see :class:`Converter`).
_DAYS = {"date", "recorded", "date_latest", "until_date"}


def read_control_events(
    conn: Connection,
    network: RoadNetwork | None = None,
    *,
    until: dt.date | None = None,
    filters: Filters = NO_FILTERS,
    overlay: Overlay = REPORTED_OVERLAY,
) -> EventTable:
    """The events that count for the states of ``network``'s elements (default: every
    event), in no particular order, as columns; ``until`` leaves out events dated after
    that day."""
    e = orm.Event
    layer = layers(overlay)
    # A whole-network question reads every event: the rows are read in batches as plain
    # tuples, SQLite's day texts are parsed once per distinct day, and the few distinct
    # states are shared, which halves the time of reading a million events.
    as_text = conn.dialect.name == "sqlite"

    def raw(name: str) -> Any:
        column = getattr(e, name)
        return sa.type_coerce(column, sa.String()) if as_text and name in _DAYS else column

    columns = [raw(name) for name in CONTROL_EVENT_COLUMNS]
    conditions = counted("events", filters, overlay, conn)
    if until is not None:
        conditions.append(e.date <= until)
    convert = Converter(layer)
    found = EventTable()
    for about in _about(e, network):
        query = sa.select(*columns).where(about, *conditions)
        for rows in conn.execute(query).partitions(20_000):
            convert.control_events(rows, found)
    return found


def read_access(
    conn: Connection,
    network: RoadNetwork | None = None,
    *,
    until: dt.date | None = None,
    filters: Filters = NO_FILTERS,
    overlay: Overlay = REPORTED_OVERLAY,
) -> list[AccessEntry]:
    """The access records that count for ``network``'s segments (default: all)."""
    if network is None and filters == NO_FILTERS and overlay == REPORTED_OVERLAY:
        # Every reported record (a day's map or snapshot): the direct questions' SQL
        # (store/direct.py) on this transaction's own driver connection; compiling this
        # query through SQLAlchemy took 20-35 ms of a cold snapshot.
        driver = conn.connection.driver_connection
        return reader_on(driver, conn.dialect.name).access(None, until)
    a = orm.AccessRecord
    layer = layers(overlay)
    conditions = counted("access", filters, overlay, conn)
    if until is not None:
        conditions.append(a.date <= until)
    convert = Converter(layer)
    found: list[AccessEntry] = []
    for about in _about(a, network, ("segment", "road")):
        query = sa.select(
            *(
                effective_recorded(a).label("known") if name == "known" else getattr(a, name)
                for name in ACCESS_COLUMNS
            )
        ).where(about, *conditions)
        found.extend(convert.access_entries(conn.execute(query)))
    return found
