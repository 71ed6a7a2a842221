"""Answers made from what a question read: the network, the engine over its events and
the access records. No database here, so that the Model and the direct questions
(:mod:`control_graph.query.direct`) give one answer, made in one place.

Claims and explanations name whole reports, which only the Model reads: the answer
leaves them empty and :func:`claim_keys` and :func:`explain_keys` say which it needs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from control_graph.errors import InvalidArgumentError
from control_graph.model import disputes
from control_graph.model.access import AccessIndex, most_restrictive
from control_graph.model.dates import DateLike, to_optional_day
from control_graph.model.network import RoadNetwork
from control_graph.model.records import Confidence, Filters, Membership
from control_graph.model.states import State
from control_graph.model.stored import DayReadings, DayStates
from control_graph.model.timeline import (
    By,
    Change,
    ControlTimeline,
    ElementType,
    MembershipIndex,
    StatesOnDays,
)
from control_graph.query.results import (
    ChangesResult,
    DayView,
    PathResult,
    SegmentState,
    Share,
    TimelineResult,
    WhoHeldResult,
)

__all__ = [
    "ReportKey",
    "claim_keys",
    "day_states",
    "dispute_window",
    "explain_keys",
    "held_controllers",
    "make_filters",
    "path",
    "shares_of",
    "stored_changes",
    "stored_day",
    "timeline",
    "who_held",
]

#: A report an answer names: ``(element, event key, role)``.
ReportKey = tuple[str, int | None, disputes.Role | None]


_CONFIDENCE = {c.value: c for c in Confidence}


def make_filters(
    as_of: DateLike | None, min_confidence: str | None, independent_only: bool
) -> Filters:
    """The filters of a question, from its arguments (checked here, once)."""
    confidence = None
    if min_confidence is not None:
        confidence = _CONFIDENCE.get(min_confidence)
        if confidence is None:
            raise InvalidArgumentError(
                f"min_confidence must be one of low, medium, high, not {min_confidence!r}"
            )
    return Filters(to_optional_day(as_of, "as_of"), confidence, bool(independent_only))


def dispute_window(days: int) -> int:
    """The dispute window of a question, checked."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidArgumentError(f"dispute_window must be a whole number of days >= 0: {days!r}")
    return days


def day_states(day: dt.date, readings: DayReadings, network: RoadNetwork) -> DayStates:
    """Every element's state on ``day``, from what the stored spans containing it say."""
    return DayStates(day, readings, network.segment_ends, network.memberships)


def stored_day(
    day: dt.date, view: By, network: RoadNetwork, readings: DayReadings, access: AccessIndex
) -> DayView:
    """The day view from what the stored spans containing ``day`` say, with the
    disputes they keep (those of the default window)."""
    states = day_states(day, readings, network)
    # A segment without a span of its own that day is unknown from its ends: derived too.
    segments = states.segments
    derived = frozenset(
        s for s in network.segments if (found := segments.get(s)) is None or not found[0].own
    )
    return DayView(day, view, network, states, access, readings.disputed, derived)


def held_controllers(
    view: By,
    parties: set[str],
    memberships: Callable[[], list[Membership]],
    holds_between: Callable[[str, dt.date | None, dt.date | None], bool],
) -> set[str]:
    """What a legend lists from the stored spans: the ``parties`` that hold something at
    some time, or by bloc each bloc such a party is in while it holds something, and the
    party itself while it holds something outside every bloc."""
    if view == "party":
        return parties
    index = MembershipIndex(memberships())
    found: set[str] = set()
    for party in sorted(parties):
        for start, end, shown in index.periods(party):
            if shown not in found and holds_between(party, start, end):
                found.add(shown)
    return found


def shares_of(states: list[tuple[State, float]]) -> tuple[Share, ...]:
    """Road-km per state, rounded after summing, by km descending, then status, then
    controller (contract section 4.6)."""
    km: dict[State, float] = defaultdict(float)
    for state, length in states:
        km[state] += length
    found = [Share(state, round(total, 1)) for state, total in km.items()]
    found.sort(key=lambda s: (-s.km, s.state.status.value, s.state.controller or ""))
    return tuple(found)


def who_held(
    kind: ElementType,
    ident: str,
    day: dt.date,
    *,
    view: By,
    window: int,
    filters: Filters,
    network: RoadNetwork,
    engine: ControlTimeline,
    access: AccessIndex,
) -> WhoHeldResult:
    """The state of one element on ``day`` from its slice of the network, without its
    claims and explanation."""
    segment_ids: tuple[str, ...] = ()
    if kind == "road":
        segment_ids = network.roads[ident].segments
    elif kind == "segment":
        segment_ids = (ident,)
    segments = tuple(
        SegmentState(
            sid,
            *network.ends_of(sid),
            engine.segment_state(sid, day, view),
            engine.otherwise(sid, day, view),
            disputes.is_disputed(engine, sid, day, window),
            access.on(sid, day),
        )
        for sid in segment_ids
    )
    return WhoHeldResult(
        ident,
        kind,
        day,
        engine.state(ident, day, view),
        segments,
        filters.as_of,
        view,
        network.name_of(ident),
        otherwise=engine.otherwise(ident, day, view),
        disputed=disputes.is_disputed(engine, ident, day, window),
        access=most_restrictive(s.access for s in segments),
        shares=shares_of([(s.state, network.length_of(s.id)) for s in segments])
        if kind == "road"
        else (),
        filters=filters,
    )


def claim_keys(
    kind: ElementType, ident: str, day: dt.date, window: int, engine: ControlTimeline
) -> list[ReportKey]:
    """The rival claims about a place or segment on ``day`` (a road has none of its own)."""
    if kind == "road":
        return []
    return [(ident, event.key, None) for event in disputes.claims(engine, ident, day, window)]


def explain_keys(ident: str, day: dt.date, view: By, engine: ControlTimeline) -> list[ReportKey]:
    """The reports behind an answer, with their roles."""
    return [(x.element, x.event.key, x.role) for x in disputes.explain(engine, ident, day, view)]


def path(
    start: str,
    end: str,
    day: dt.date,
    *,
    controller: str | None,
    view: By,
    passable: bool,
    filters: Filters,
    network: RoadNetwork,
    states: StatesOnDays,
    access: AccessIndex,
) -> PathResult:
    """The shortest path between two places on ``day`` (see ``Model.path``).

    Raises
    ------
    NoPathError
        When there is none.
    """

    def blocked(segment: str) -> bool:
        return access.blocked(segment, day)

    route = network.shortest_path(
        start,
        end,
        timeline=states,
        day=day,
        controller=controller,
        by=view,
        blocked=blocked if passable else None,
    )
    return PathResult(
        start,
        end,
        day,
        route.places,
        route.segments,
        route.length_km,
        controller,
        view,
        filters.as_of,
        passable,
        filters,
    )


def stored_changes(
    changes: list[Change], start: dt.date | None, end: dt.date | None, filters: Filters
) -> ChangesResult:
    """The changes by party the stored spans start in the window (see
    :func:`control_graph.store.spans.read_changes`), as an answer."""
    return ChangesResult(tuple(changes), start, end, filters.as_of, "party", filters)


def timeline(
    kind: ElementType,
    ident: str,
    *,
    start: dt.date | None,
    end: dt.date | None,
    view: By,
    filters: Filters,
    network: RoadNetwork,
    engine: ControlTimeline,
) -> TimelineResult:
    """The intervals of one element's state, from its slice of the network."""
    return TimelineResult(
        ident,
        kind,
        tuple(engine.intervals(ident, start=start, end=end, by=view)),
        start,
        end,
        filters.as_of,
        view,
        network.name_of(ident),
        filters,
    )
