"""The pure domain: dates, states, dataset records, the timeline engine and path search.

Nothing here imports SQLAlchemy, click or matplotlib; the engine can be fed from the
database, from a file, or from a scenario overlay alike.
"""

from control_graph.model.dates import DateLike, parse_date, parse_days, to_day, to_optional_day
from control_graph.model.network import RoadNetwork
from control_graph.model.paths import Route
from control_graph.model.records import (
    Bloc,
    Confidence,
    ControlEvent,
    Dataset,
    Event,
    Incident,
    Membership,
    Party,
    Place,
    Road,
    Segment,
    Source,
    Target,
)
from control_graph.model.states import CONTESTED, UNKNOWN, State, Status, held
from control_graph.model.timeline import (
    By,
    Change,
    ControlTimeline,
    ElementType,
    Interval,
    MembershipIndex,
    RoadState,
    check_by,
    summarise_road,
)

__all__ = [
    "CONTESTED",
    "UNKNOWN",
    "Bloc",
    "By",
    "Change",
    "Confidence",
    "ControlEvent",
    "ControlTimeline",
    "Dataset",
    "DateLike",
    "ElementType",
    "Event",
    "Incident",
    "Interval",
    "Membership",
    "MembershipIndex",
    "Party",
    "Place",
    "Road",
    "RoadNetwork",
    "RoadState",
    "Route",
    "Segment",
    "Source",
    "State",
    "Status",
    "Target",
    "check_by",
    "held",
    "parse_date",
    "parse_days",
    "summarise_road",
    "to_day",
    "to_optional_day",
]
