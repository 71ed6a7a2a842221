"""Reading reports: events, incidents, access records and retractions.

Which reports count for an answer is decided here, in SQL, so that only those leave
the database: what a scenario sees (its rows and its bases', less the events it
supposes false), what was recorded by ``--as-of``, ``--min-confidence``,
``--independent-only``, and retractions (contract sections 2 and 4.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.engine import Connection

from control_graph.dataset.fields import RECORD_KINDS, FieldType
from control_graph.model.access import AccessEntry
from control_graph.model.network import RoadNetwork
from control_graph.model.records import (
    NO_FILTERS,
    Access,
    AccessLevel,
    Confidence,
    ControlEvent,
    Event,
    Filters,
    Incident,
    Retraction,
    Target,
)
from control_graph.model.states import State, Status
from control_graph.store import orm
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = [
    "EventRecord",
    "Record",
    "any_claimant",
    "claimed_elements",
    "counted",
    "read_access",
    "read_control_events",
    "read_event_records",
    "read_events",
    "read_incidents",
    "read_records",
    "read_retractions",
    "record_ids",
    "retracted",
    "standing",
]

#: Ids per IN (...) list; well under every backend's limit on bound parameters.
CHUNK = 900
Record = Event | Incident | Access
_TABLES: dict[str, Any] = {
    "events": orm.Event,
    "incidents": orm.Incident,
    "access": orm.AccessRecord,
}
_TARGET_KEYS = {t.value: t for t in Target}


def _chunks(ids: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for ident in ids:
        batch.append(ident)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def layers(overlay: Overlay) -> dict[int, int]:
    """Each scenario of the overlay and its layer in the order of events: reported data
    is layer 0, then each base scenario, the scenario itself on top (it wins ties)."""
    return {sid: len(overlay.scenarios) - i for i, sid in enumerate(overlay.scenarios)}


def effective_recorded(table: Any) -> Any:
    """When a report became known: ``recorded``, else ``date_latest``, else ``date``."""
    if hasattr(table, "date_latest"):
        return sa.func.coalesce(table.recorded, table.date_latest, table.date)
    return sa.func.coalesce(table.recorded, table.date)


def _retracted_at_all(
    conn: Connection, overlay: Overlay, as_of: dt.date | None
) -> tuple[bool, list[int]]:
    """Whether any record is retracted by id, and the imports undone (as of ``as_of``)."""
    r = orm.Retraction
    conditions = [overlay.visible(r.scenario_id)]
    if as_of is not None:
        conditions.append(r.recorded <= as_of)
    # Any retraction by id matters, also one recorded after ``as_of``: a correction's
    # new version does not count before it.
    by_id = conn.execute(
        sa.select(r.id).where(r.record_id.is_not(None), overlay.visible(r.scenario_id)).limit(1)
    )
    undone = conn.execute(
        sa.select(r.import_ref).where(r.import_ref.is_not(None), *conditions).distinct()
    ).scalars()
    return by_id.first() is not None, sorted(i for i in undone if i is not None)


def standing(r: Any, overlay: Overlay, as_of: dt.date | None) -> list[Any]:
    """Conditions for a retraction ``r`` (an alias of the table) that counts as of
    ``as_of`` (``None``: as things stand): the overlay sees it, it was recorded by then,
    and the import that holds it was not undone by then. Undoing an import undoes what
    it withdrew as well as what it added: undoing a correction brings the corrected
    version back. An undo itself cannot be undone (see ``undo_import``), so one level
    is the whole rule."""
    undo = sa.orm.aliased(orm.Retraction)
    undo_when = [undo.import_ref == r.import_id, overlay.visible(undo.scenario_id)]
    conditions = [overlay.visible(r.scenario_id)]
    if as_of is not None:
        conditions.append(r.recorded <= as_of)
        undo_when.append(undo.recorded <= as_of)
    conditions.append(~sa.exists().where(*undo_when))
    return conditions


def _retracted_by_id(table: Any, overlay: Overlay, as_of: dt.date | None) -> Any:
    r = sa.orm.aliased(orm.Retraction)
    when = standing(r, overlay, as_of)
    return sa.and_(
        table.record_id.is_not(None),
        sa.exists().where(
            r.record_id == table.record_id,
            sa.or_(r.before_import.is_(None), table.import_id < r.before_import),
            *when,
        ),
    )


def retracted(table: Any, overlay: Overlay, as_of: dt.date | None) -> Any:
    """A condition: the row has been retracted (by ``as_of``, when given) -- by its
    record id, or with its whole import. For queries that cannot look at the
    retractions first (see :func:`counted`)."""
    r = orm.Retraction
    when = [overlay.visible(r.scenario_id)]
    if as_of is not None:
        when.append(r.recorded <= as_of)
    undone = sa.exists().where(r.import_ref == table.import_id, *when)
    return sa.or_(_retracted_by_id(table, overlay, as_of), undone)


def counted(section: str, filters: Filters, overlay: Overlay, conn: Connection) -> list[Any]:
    """Conditions for the rows of ``section`` (events, incidents, access) that count.

    Retracted rows do not: by their record id (every version, or those imported before
    a correction), or with their whole import (undone). The retractions are looked at
    first, so that a database without any pays nothing for them per row.
    """
    table = _TABLES[section]
    conditions = [overlay.visible(table.scenario_id)]
    any_by_id, undone = _retracted_at_all(conn, overlay, filters.as_of)
    if undone:
        conditions.append(table.import_id.not_in(undone))
    if any_by_id:
        conditions.append(~_retracted_by_id(table, overlay, filters.as_of))
        if filters.as_of is not None:
            # A correction's new version counts from the day the correction was
            # recorded, as the versions it replaces count until then.
            r = orm.Retraction
            conditions.append(
                ~sa.exists().where(
                    r.record_id == table.record_id,
                    r.before_import == table.import_id,
                    r.recorded > filters.as_of,
                    overlay.visible(r.scenario_id),
                )
            )
    if section == "events":
        conditions.append(overlay.not_suppressed(table.id))
    if filters.as_of is not None:
        conditions.append(effective_recorded(table) <= filters.as_of)
    allowed = filters.confidences()
    if allowed is not None:
        conditions.append(sa.func.coalesce(table.confidence, "medium").in_(allowed))
    if filters.independent_only and hasattr(table, "claimant_id"):
        conditions.append(table.claimant_id.is_(None))
    return conditions


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
        for batch in _chunks(sorted(ids[kind])):
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


# -- whole records ----------------------------------------------------------------------------


def record_of(section: str, row: Any) -> Record:
    """An event, incident or access record from its row, field by field as the format's
    table says."""
    values: dict[str, Any] = {}
    target: tuple[Target, str] | None = None
    for field in RECORD_KINDS[section].fields:
        if field.column is None:
            continue
        value = getattr(row, field.column)
        if field.key in _TARGET_KEYS:
            if value is not None:
                target = (_TARGET_KEYS[field.key], value)
            continue
        if field.type is FieldType.ATTRIBUTES:
            value = value or {}
        elif field.key == "confidence" and value is not None:
            value = Confidence(value)
        values[field.name] = value
    assert target is not None
    values["target"], values["target_id"] = target
    if section == "events":
        status = values.pop("status")
        values["state"] = State(Status(status), values["party"] if status == "held" else None)
        return Event(**values)
    if section == "access":
        values["access"] = AccessLevel(values["access"])
        return Access(**values)
    return Incident(**values)


def read_event_records(conn: Connection, keys: Iterable[int]) -> dict[int, Event]:
    """Whole events by their row ids (the ``key`` of a :class:`ControlEvent`)."""
    e = orm.Event
    found: dict[int, Event] = {}
    for batch in _chunks(sorted(set(keys))):
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
    for section, table in _TABLES.items():
        for batch in _chunks(wanted):
            query = sa.select(*table.__table__.columns).where(
                table.record_id.in_(batch), overlay.visible(table.scenario_id)
            )
            for row in conn.execute(query):
                order = (row.import_id, row.position)
                if row.record_id not in latest or latest[row.record_id][0] < order:
                    latest[row.record_id] = (order, record_of(section, row))
    return {ident: record for ident, (_, record) in latest.items()}


def record_ids(conn: Connection, overlay: Overlay | None = REPORTED_OVERLAY) -> set[str]:
    """Every record id an overlay sees (``None``: every record id in the database)."""
    found: set[str] = set()
    for table in _TABLES.values():
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


@dataclass(frozen=True)
class EventRecord:
    """A stored event with its row id (which ``scenario suppress`` takes).

    ``record`` is the event as a dataset holds it; ``retracted`` the day of its earliest
    retraction, if any.
    """

    id: int
    record: Event
    scenario: str | None
    suppressed: bool = False
    retracted: dt.date | None = None

    @property
    def date(self) -> dt.date:
        return self.record.date

    @property
    def target(self) -> Target:
        return self.record.target

    @property
    def target_id(self) -> str:
        return self.record.target_id

    @property
    def status(self) -> str:
        return self.record.state.status.value

    @property
    def party(self) -> str | None:
        return self.record.party

    @property
    def kind(self) -> str | None:
        return self.record.kind

    @property
    def source(self) -> str | None:
        return self.record.source

    @property
    def note(self) -> str | None:
        return self.record.note

    def as_dict(self) -> dict[str, Any]:
        e = self.record
        return {
            "id": self.id,
            "record_id": e.id,
            "date": e.date.isoformat(),
            "date_latest": e.date_latest.isoformat() if e.date_latest else None,
            "until": e.until.isoformat() if e.until else None,
            "recorded": e.recorded.isoformat() if e.recorded else None,
            e.target.value: e.target_id,
            "status": e.state.status.value,
            "party": e.party,
            "claimant": e.claimant,
            "kind": e.kind,
            "source": e.source,
            "confidence": e.confidence.value if e.confidence else None,
            "note": e.note,
            "scenario": self.scenario,
            "suppressed": self.suppressed,
            "retracted": self.retracted.isoformat() if self.retracted else None,
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
    segments'), or all, in the contract's order; suppressed and retracted ones are
    marked, not left out."""
    e = orm.Event
    r = orm.Retraction
    retracted_on = (
        sa.select(sa.func.min(r.recorded))
        .where(
            sa.or_(
                sa.and_(
                    r.record_id == e.record_id,
                    sa.or_(r.before_import.is_(None), e.import_id < r.before_import),
                ),
                r.import_ref == e.import_id,
            ),
            *standing(r, overlay, None),
        )
        .scalar_subquery()
    )
    query = (
        sa.select(
            *e.__table__.columns,
            orm.Scenario.name.label("scenario_name"),
            retracted_on.label("retracted_on"),
        )
        .join(orm.Scenario, orm.Scenario.id == e.scenario_id, isouter=True)
        .where(overlay.visible(e.scenario_id))
        .order_by(e.date, effective_recorded(e), e.import_id, e.position)
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
    found = []
    for row in conn.execute(query):
        record = record_of("events", row)
        assert isinstance(record, Event)
        when = row.retracted_on
        if isinstance(when, str):
            when = dt.date.fromisoformat(when)
        found.append(EventRecord(row.id, record, row.scenario_name, row.id in suppressed, when))
    return found
