"""What the engine reads: the events and access records that count for a question
about a network (or the whole database), and which elements some side claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.model.access import AccessEntry
from control_graph.model.network import RoadNetwork
from control_graph.model.records import NO_FILTERS, AccessLevel, ControlEvent, Filters, Target
from control_graph.model.states import State, Status
from control_graph.store import orm
from control_graph.store.batches import chunks
from control_graph.store.reports.counting import counted, effective_recorded, layers
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


def read_control_events(
    conn: Connection,
    network: RoadNetwork | None = None,
    *,
    until: dt.date | None = None,
    filters: Filters = NO_FILTERS,
    overlay: Overlay = REPORTED_OVERLAY,
) -> list[ControlEvent]:
    """The events that count for the states of ``network``'s elements (default: every
    event), in no particular order; ``until`` leaves out events dated after that day."""
    e = orm.Event
    layer = layers(overlay)
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
        raw(e.date_latest),
        raw(e.until_date),
        e.claimant_id,
        e.id,
    ]
    conditions = counted("events", filters, overlay, conn)
    if until is not None:
        conditions.append(e.date <= until)
    days: dict[Any, dt.date] = {}
    states: dict[tuple[str, str | None], State] = {}

    def day(value: Any) -> dt.date:
        found = days.get(value)
        if found is None:
            found = days[value] = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return found

    found: list[ControlEvent] = []
    for about in _about(e, network):
        query = sa.select(*columns).where(about, *conditions)
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
                latest,
                lapse,
                claimant,
                key,
            ) in rows:
                if place is not None:
                    target, target_id = Target.PLACE, place
                elif segment is not None:
                    target, target_id = Target.SEGMENT, segment
                else:
                    target, target_id = Target.ROAD, road
                state_key = (status, party if status == "held" else None)
                state = states.get(state_key)
                if state is None:
                    state = states[state_key] = State(Status(status), state_key[1])
                when = day(date)
                latest_day = None if latest is None else day(latest)
                found.append(
                    ControlEvent(
                        when,
                        day(recorded) if recorded is not None else (latest_day or when),
                        (layer.get(scenario, 0), import_id, position),
                        target,
                        target_id,
                        state,
                        latest_day,
                        None if lapse is None else day(lapse),
                        claimant,
                        key,
                    )
                )
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
    a = orm.AccessRecord
    layer = layers(overlay)
    conditions = counted("access", filters, overlay, conn)
    if until is not None:
        conditions.append(a.date <= until)
    found = []
    for about in _about(a, network, ("segment", "road")):
        query = sa.select(
            a.scenario_id,
            a.date,
            effective_recorded(a).label("known"),
            a.import_id,
            a.position,
            a.segment_id,
            a.road_id,
            a.access,
            a.party_id,
        ).where(about, *conditions)
        for row in conn.execute(query):
            known = row.known
            if isinstance(known, str):  # SQLite returns COALESCE of days as text
                known = dt.date.fromisoformat(known)
            target = Target.SEGMENT if row.segment_id is not None else Target.ROAD
            found.append(
                AccessEntry(
                    row.date,
                    known,
                    (layer.get(row.scenario_id, 0), row.import_id, row.position),
                    target,
                    row.segment_id or row.road_id,
                    AccessLevel(row.access),
                    row.party_id,
                )
            )
    return found
