"""Records as the rows that store them: tuples of values in the order of their fields'
database columns (:data:`~control_graph.dataset.fields.EVENT_TABLE_COLUMNS`).

The bulk of every large import is events, written as plain tuples below the ORM; the
CSV reader makes these tuples straight from the cells, everything else makes them from
validated records here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from enum import Enum
from typing import Any

from control_graph.dataset.fields import RECORD_KINDS, Field, FieldType
from control_graph.model.records import (
    Access,
    AccessLevel,
    Confidence,
    Event,
    Incident,
    Retraction,
    Target,
)
from control_graph.model.states import State, Status

__all__ = [
    "EventRow",
    "access_row",
    "attributes_of",
    "event_of_row",
    "event_row",
    "incident_row",
    "record_from",
    "retraction_row",
]

#: An event or incident as the values of its table's columns.
EventRow = tuple[Any, ...]


def _getter(field: Field) -> Callable[[Any], Any]:
    if field.type is FieldType.REFERENCE and field.key in {t.value for t in Target}:
        target = Target(field.key)
        return lambda record: record.target_id if record.target is target else None
    if field.key == "status":
        return lambda record: record.state.status.value
    name = field.name

    def get(record: Any) -> Any:
        value = getattr(record, name)
        if isinstance(value, Enum):
            return value.value
        if field.type is FieldType.ATTRIBUTES and not value:
            return None
        return value

    return get


def _getters(section: str) -> tuple[Callable[[Any], Any], ...]:
    return tuple(_getter(f) for f in RECORD_KINDS[section].fields if f.column)


_EVENT_GETTERS = _getters("events")
_INCIDENT_GETTERS = _getters("incidents")
_ACCESS_GETTERS = _getters("access")
_RETRACTION_GETTERS = _getters("retractions")


def event_row(event: Event) -> EventRow:
    """An event as the values of its columns, in the order of its fields.

    >>> import datetime as dt
    >>> from control_graph.model.states import held
    >>> event_row(Event(dt.date(2026, 2, 5), Target.PLACE, "lonton", held("kia"), "kia"))[:6]
    (datetime.date(2026, 2, 5), 'lonton', None, None, 'kia', 'held')
    """
    return tuple(get(event) for get in _EVENT_GETTERS)


def attributes_of(text: str | dict[str, Any] | None) -> dict[str, Any]:
    """A record's or definition's ``attributes`` from its JSON column (or none)."""
    # psycopg decodes JSON columns itself, whatever SQLAlchemy is told; SQLite gives text.
    if isinstance(text, dict):
        return text
    if text is None or text == "{}" or text == "null":
        return {}
    found = json.loads(text)
    return found if isinstance(found, dict) else {}


_TARGETS = {t.value: t for t in Target}


def record_from(section: str, value_of: Callable[[str], Any]) -> Event | Incident | Access:
    """An event, incident or access record from the value of each of its fields' columns
    (``value_of(column)``), field by field as the format's table says. Days may come as
    ``date`` or as ISO text, attributes as a mapping, JSON text or ``None``."""
    values: dict[str, Any] = {}
    target: tuple[Target, str] | None = None
    for field in RECORD_KINDS[section].fields:
        if field.column is None:
            continue
        value = value_of(field.column)
        if field.key in _TARGETS:
            if value is not None:
                target = (_TARGETS[field.key], value)
            continue
        if field.type is FieldType.ATTRIBUTES:
            value = attributes_of(value)
        elif field.type is FieldType.DATE and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        elif field.key == "confidence" and value is not None:
            value = Confidence(value)
        values[field.name] = value
    if target is None:
        raise ValueError(f"a row of {section} names no place, segment or road")
    values["target"], values["target_id"] = target
    if section == "events":
        status = values.pop("status")
        values["state"] = State(Status(status), values["party"] if status == "held" else None)
        return Event(**values)
    if section == "access":
        values["access"] = AccessLevel(values["access"])
        return Access(**values)
    return Incident(**values)


_EVENT_POSITIONS = {
    field.column: i for i, field in enumerate(f for f in RECORD_KINDS["events"].fields if f.column)
}


def event_of_row(row: EventRow) -> Event:
    """The event a row stands for: the inverse of :func:`event_row`.

    >>> import datetime as dt
    >>> from control_graph.model.states import held
    >>> event = Event(dt.date(2026, 2, 5), Target.PLACE, "lonton", held("kia"), "kia")
    >>> event_of_row(event_row(event)) == event
    True
    """
    event = record_from("events", lambda column: row[_EVENT_POSITIONS[column]])
    assert isinstance(event, Event)
    return event


def incident_row(incident: Incident) -> EventRow:
    """An incident as the values of its columns, in the order of its fields."""
    return tuple(get(incident) for get in _INCIDENT_GETTERS)


def access_row(access: Access) -> EventRow:
    """An access record as the values of its columns, in the order of its fields."""
    return tuple(get(access) for get in _ACCESS_GETTERS)


def retraction_row(retraction: Retraction) -> EventRow:
    """A retraction as the values of its columns, in the order of its fields."""
    return tuple(get(retraction) for get in _RETRACTION_GETTERS)
