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
from control_graph.model.records import Access, Event, Incident, Retraction, Target

__all__ = ["EventRow", "access_row", "event_row", "incident_row", "retraction_row"]

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


def incident_row(incident: Incident) -> EventRow:
    """An incident as the values of its columns, in the order of its fields."""
    return tuple(get(incident) for get in _INCIDENT_GETTERS)


def access_row(access: Access) -> EventRow:
    """An access record as the values of its columns, in the order of its fields."""
    return tuple(get(access) for get in _ACCESS_GETTERS)


def retraction_row(retraction: Retraction) -> EventRow:
    """A retraction as the values of its columns, in the order of its fields."""
    return tuple(get(retraction) for get in _RETRACTION_GETTERS)
