"""Records as the rows that store them: tuples of values in the order of their fields'
database columns (:data:`~control_graph.dataset.fields.EVENT_TABLE_COLUMNS`).

The bulk of every large import is events, written as plain tuples below the ORM; the
CSV reader makes these tuples straight from the cells, everything else makes them from
validated records here.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from control_graph.dataset.fields import RECORD_KINDS, Field, FieldType
from control_graph.model.records import Access, Confidence, Event, Incident, Retraction, Target
from control_graph.model.states import State, Status

__all__ = [
    "EventRow",
    "access_row",
    "event_of_row",
    "event_row",
    "incident_row",
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


_EVENT_FIELDS = tuple(f for f in RECORD_KINDS["events"].fields if f.column)
_TARGETS = {t.value: t for t in Target}


def event_of_row(row: EventRow) -> Event:
    """The event a row stands for: the inverse of :func:`event_row`.

    >>> import datetime as dt
    >>> from control_graph.model.states import held
    >>> event = Event(dt.date(2026, 2, 5), Target.PLACE, "lonton", held("kia"), "kia")
    >>> event_of_row(event_row(event)) == event
    True
    """
    values: dict[str, Any] = {}
    for field, value in zip(_EVENT_FIELDS, row, strict=True):
        if field.key in _TARGETS:
            if value is not None:
                values["target"], values["target_id"] = _TARGETS[field.key], value
        elif field.type is FieldType.ATTRIBUTES:
            values[field.name] = value or {}
        elif field.key == "confidence" and value is not None:
            values[field.name] = Confidence(value)
        else:
            values[field.name] = value
    status = Status(values.pop("status"))
    values["state"] = State(status, values["party"] if status is Status.HELD else None)
    return Event(**values)


def incident_row(incident: Incident) -> EventRow:
    """An incident as the values of its columns, in the order of its fields."""
    return tuple(get(incident) for get in _INCIDENT_GETTERS)


def access_row(access: Access) -> EventRow:
    """An access record as the values of its columns, in the order of its fields."""
    return tuple(get(access) for get in _ACCESS_GETTERS)


def retraction_row(retraction: Retraction) -> EventRow:
    """A retraction as the values of its columns, in the order of its fields."""
    return tuple(get(retraction) for get in _RETRACTION_GETTERS)
