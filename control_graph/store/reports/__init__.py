"""Reading reports: events, incidents, access records and retractions.

Which reports count for an answer is decided in SQL (:mod:`.counting`), so that only
those leave the database: what a scenario sees (its rows and its bases', less the events
it supposes false), what was recorded by ``--as-of``, ``--min-confidence``,
``--independent-only``, and retractions (contract sections 2 and 4.3). :mod:`.control`
reads what the engine needs, :mod:`.records` whole records and :mod:`.events` the events
a listing shows; every public name is imported from here.
"""

from control_graph.store.reports.control import (
    any_claimant,
    claimed_elements,
    read_access,
    read_control_events,
)
from control_graph.store.reports.counting import (
    counted,
    effective_recorded,
    layers,
    retracted,
    standing,
)
from control_graph.store.reports.events import EventRecord, read_events
from control_graph.store.reports.records import (
    Record,
    holds_record_ids,
    read_event_records,
    read_incidents,
    read_records,
    read_retractions,
    record_ids,
    record_of,
)

__all__ = [
    "EventRecord",
    "Record",
    "any_claimant",
    "claimed_elements",
    "counted",
    "effective_recorded",
    "holds_record_ids",
    "layers",
    "read_access",
    "read_control_events",
    "read_event_records",
    "read_events",
    "read_incidents",
    "read_records",
    "read_retractions",
    "record_ids",
    "record_of",
    "retracted",
    "standing",
]
