"""Rows to records and to what the engine reads, without SQLAlchemy: shared by the
reads through SQLAlchemy (:mod:`control_graph.store.read`) and on the driver
(:mod:`control_graph.store.direct`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from control_graph.dataset.fields import RECORD_KINDS, FieldType
from control_graph.dataset.rows import attributes_of, record_from
from control_graph.model.access import AccessEntry
from control_graph.model.event_table import EventTable
from control_graph.model.records import (
    Access,
    AccessLevel,
    Event,
    Incident,
    Target,
)
from control_graph.model.states import State, Status
from control_graph.model.stored import DayReadings, Reading, Span
from control_graph.model.timeline import Change

__all__ = [
    "ACCESS_COLUMNS",
    "CHANGE_COLUMNS",
    "CONTROL_EVENT_COLUMNS",
    "DAY_COLUMNS",
    "DAY_ID_SEPARATOR",
    "LONG_SPANS",
    "LONG_SPAN_DAYS",
    "SPAN_COLUMNS",
    "Converter",
    "Record",
    "attributes_of",
    "record_of",
    "records_of",
]

#: A whole record of the three sections that hold reports.
Record = Event | Incident | Access


def _plan(section: str) -> list[tuple[str, str | None]]:
    """Each field's attribute name and the column that holds it (``None``: aliases)."""
    return [
        (field.name, field.column)
        for field in RECORD_KINDS[section].fields
        if field.column is not None or field.type is FieldType.NAMES
    ]


_PLANS = {section: _plan(section) for section in RECORD_KINDS}
_DAY_FIELDS = {
    section: [f.name for f in kind.fields if f.column is not None and f.type is FieldType.DATE]
    for section, kind in RECORD_KINDS.items()
}


def records_of(
    section: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    aliases: dict[str, tuple[str, ...]],
) -> Iterator[dict[str, Any]]:
    """Each definition's fields from its row (the table's ``columns``, in order), column
    by column as the format's table says; rows are plain tuples, read by position. A
    day comes as ``date`` through SQLAlchemy and psycopg, and as ISO text from sqlite3."""
    if not rows:
        return
    position = {name: i for i, name in enumerate(columns)}
    plan = [(name, position[column] if column else None) for name, column in _PLANS[section]]
    days = _DAY_FIELDS[section]
    ident, attributes = position["id"], position["attributes"]
    for row in rows:
        values: dict[str, Any] = {
            name: row[i] if i is not None else aliases.get(row[ident], ()) for name, i in plan
        }
        values["attributes"] = attributes_of(row[attributes])
        for name in days:
            if isinstance(values[name], str):
                values[name] = dt.date.fromisoformat(values[name])
        yield values


def record_of(section: str, row: Mapping[str, Any]) -> Record:
    """An event, incident or access record from its row (column name to value), as
    :func:`~control_graph.dataset.rows.record_from` makes it."""
    return record_from(section, row.__getitem__)


class Converter:
    """Rows of events and access records to what the engine reads.

    SQLite gives days as text: each distinct text is parsed once, and the few distinct
    states are shared, which halves the time of reading a million events. ``layer``
    gives each scenario's layer in the order of events (reported data: 0).
    """

    def __init__(self, layer: dict[int, int] | None = None) -> None:
        self.layer = layer or {}
        self._days: dict[Any, dt.date] = {}
        self._states: dict[tuple[str, str | None], State] = {}
        self._readings: dict[tuple[str, str | None, bool | None], Reading] = {}
        #: Each distinct id once: a driver makes a new string per row, and an engine
        #: over a million events would keep a million copies of a few thousand ids.
        self._ids: dict[str, str] = {}

    def day(self, value: Any) -> dt.date:
        """A day from a column: ``date`` or ISO text."""
        found = self._days.get(value)
        if found is None:
            found = dt.date.fromisoformat(value) if isinstance(value, str) else value
            self._days[value] = found
        return found

    def optional_day(self, value: Any) -> dt.date | None:
        return None if value is None else self.day(value)

    def state(self, status: str, party: str | None) -> State:
        """A state; a party given with a status other than held is no controller."""
        key = (status, party if status == "held" else None)
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = State(Status(status), key[1])
        return found

    def _reading(self, status: str, controller: str | None, own: Any) -> Reading:
        # A span's state as stored (its controller is set only where it is held).
        key = (status, controller, None if own is None else bool(own))
        found = self._readings.get(key)
        if found is None:
            found = self._readings[key] = Reading(State(Status(status), controller), key[2])
        return found

    def spans(self, rows: Iterable[Sequence[Any]]) -> Iterator[Span]:
        """Spans from rows of :data:`SPAN_COLUMNS`."""
        day, reading = self.day, self._reading
        for (
            element,
            kind,
            start,
            end,
            _length,
            status,
            controller,
            own,
            late_status,
            late_controller,
            late_own,
            before_status,
            before_controller,
            disputed,
        ) in rows:
            yield Span(
                element,
                "place" if kind == "place" else "segment",
                day(start),
                None if end is None else day(end),
                reading(status, controller, own),
                reading(late_status, late_controller, late_own),
                reading(before_status, before_controller, None).state,
                bool(disputed),
            )

    def day_readings(self, groups: Iterable[Sequence[Any]]) -> DayReadings:
        """A day's readings from the spans containing it, grouped: rows of
        :data:`DAY_COLUMNS` and then the ids of the elements with those values, joined
        by :data:`DAY_ID_SEPARATOR`."""
        reading = self._reading
        places: dict[str, tuple[Reading, Reading]] = {}
        segments: dict[str, tuple[Reading, Reading]] = {}
        disputed: list[str] = []
        for kind, status, controller, own, late_status, late_controller, late_own, flag, (
            joined
        ) in groups:
            ids = joined.split(DAY_ID_SEPARATOR)
            (places if kind == "place" else segments).update(
                dict.fromkeys(
                    ids,
                    (
                        reading(status, controller, own),
                        reading(late_status, late_controller, late_own),
                    ),
                )
            )
            if flag:
                disputed += ids
        return DayReadings(places, segments, frozenset(disputed))

    def changes(self, rows: Iterable[Sequence[Any]]) -> Iterator[Change]:
        """The changes that spans start, from rows of :data:`CHANGE_COLUMNS` of spans
        whose early state differs from the one before them."""
        day, state_of = self.day, self.state
        for start, element, kind, status, controller, late, late_controller, before, (
            before_controller
        ) in rows:
            state = state_of(status, controller)
            otherwise = state_of(late, late_controller)
            yield Change(
                day(start),
                element,
                "place" if kind == "place" else "segment",
                state_of(before, before_controller),
                state,
                otherwise if otherwise != state else None,
            )

    def control_events(self, rows: Iterable[Sequence[Any]], into: EventTable) -> None:
        """Add to ``into`` the events of rows of :data:`CONTROL_EVENT_COLUMNS` (as
        columns: no :class:`ControlEvent` is made)."""
        layer, day, ids, add = self.layer, self.day, self._ids, into.add
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
                target, target_id = Target.PLACE, ids.setdefault(place, place)
            elif segment is not None:
                target, target_id = Target.SEGMENT, ids.setdefault(segment, segment)
            else:
                target, target_id = Target.ROAD, ids.setdefault(road, road)
            when = day(date)
            latest_day = None if latest is None else day(latest)
            add(
                when,
                day(recorded) if recorded is not None else (latest_day or when),
                (layer.get(scenario, 0), import_id, position),
                target,
                target_id,
                self.state(status, party),
                latest_day,
                None if lapse is None else day(lapse),
                None if claimant is None else ids.setdefault(claimant, claimant),
                key,
            )

    def access_entries(self, rows: Iterable[Sequence[Any]]) -> Iterator[AccessEntry]:
        """Access entries from rows of :data:`ACCESS_COLUMNS` (``known``: when the record
        became known, ``COALESCE(recorded, date)``)."""
        for scenario, date, known, import_id, position, segment, road, access, party in rows:
            yield AccessEntry(
                self.day(date),
                self.day(known),
                (self.layer.get(scenario, 0), import_id, position),
                Target.SEGMENT if segment is not None else Target.ROAD,
                segment or road,
                AccessLevel(access),
                party,
            )


#: The columns of ``events`` a :class:`ControlEvent` is made of, in the order
#: :meth:`Converter.control_events` reads them.
CONTROL_EVENT_COLUMNS = (
    "scenario_id",
    "date",
    "recorded",
    "import_id",
    "position",
    "place_id",
    "segment_id",
    "road_id",
    "status",
    "party_id",
    "date_latest",
    "until_date",
    "claimant_id",
    "id",
)
#: The columns of ``access_records`` an :class:`AccessEntry` is made of (``known`` is
#: ``COALESCE(recorded, date)``).
ACCESS_COLUMNS = (
    "scenario_id",
    "date",
    "known",
    "import_id",
    "position",
    "segment_id",
    "road_id",
    "access",
    "party_id",
)
#: The columns of ``state_spans`` a :class:`Span` is made of, in the order
#: :meth:`Converter.spans` reads them.
SPAN_COLUMNS = (
    "element_id",
    "element_type",
    "start_day",
    "end_day",
    "length_days",
    "status",
    "controller",
    "own",
    "late_status",
    "late_controller",
    "late_own",
    "before_status",
    "before_controller",
    "disputed",
)
#: The columns of ``state_spans`` a day's readings are made of (a
#: :class:`~control_graph.model.stored.DayReadings`), in the order
#: :meth:`Converter.day_readings` reads them: the spans are grouped by these, and each
#: group's element ids read as one text, joined by :data:`DAY_ID_SEPARATOR`.
DAY_COLUMNS = (
    "element_type",
    "status",
    "controller",
    "own",
    "late_status",
    "late_controller",
    "late_own",
    "disputed",
)
#: Joins the ids of a group of a day's spans (ids are slugs: never a comma).
DAY_ID_SEPARATOR = ","
#: The columns of ``state_spans`` a :class:`~control_graph.model.timeline.Change` is
#: made of, in the order :meth:`Converter.changes` reads them.
CHANGE_COLUMNS = (
    "start_day",
    "element_id",
    "element_type",
    "status",
    "controller",
    "late_status",
    "late_controller",
    "before_status",
    "before_controller",
)
#: Spans longer than this many days, or open, are *long*: a partial index holds them,
#: so that the spans containing a day are two short reads (see ``spans.read_day``).
LONG_SPAN_DAYS = 31
#: The partial index's condition, written the same way wherever it is used (SQLite uses
#: a partial index only for a query that repeats its condition literally).
LONG_SPANS = f"length_days IS NULL OR length_days > {LONG_SPAN_DAYS}"
