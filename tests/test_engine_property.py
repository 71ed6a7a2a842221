"""The timeline engine against a straightforward day-by-day reading of the contract.

The reference below re-reads every event for every day and element, exactly as
contract section 2 words it; it is slow and obviously right. Hypothesis generates
random networks and events (same-day reports, late reports, road events, bloc
memberships that start and end) and checks that the engine agrees on every day:
states by party and by bloc, road summaries, timelines and changes, with and without
``as_of``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from control_graph.model.records import ControlEvent, Membership, Target
from control_graph.model.states import CONTESTED, UNKNOWN, State, Status, held
from control_graph.model.timeline import ControlTimeline, summarise_road

DAY0 = dt.date(2024, 1, 1)
SPAN = 24
PARTIES = ["p1", "p2", "p3", "p4"]
BLOCS = ["b1", "b2"]


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@dataclass
class World:
    places: list[str]
    segments: dict[str, tuple[str, str]]
    roads: dict[str, list[str]]
    events: list[ControlEvent]
    memberships: list[Membership]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    places = [f"x{i}" for i in range(draw(st.integers(2, 5)))]
    segments: dict[str, tuple[str, str]] = {}
    for i in range(draw(st.integers(1, 6))):
        # Parallel segments and the odd self-loop are allowed by the format.
        start = draw(st.sampled_from(places))
        end = draw(st.sampled_from(places))
        segments[f"s{i}"] = (start, end)
    segment_ids = list(segments)
    roads = {
        f"r{i}": draw(st.lists(st.sampled_from(segment_ids), min_size=1, max_size=4, unique=True))
        for i in range(draw(st.integers(0, 2)))
    }
    targets = [(Target.PLACE, p) for p in places] + [(Target.SEGMENT, s) for s in segment_ids]
    targets += [(Target.ROAD, r) for r in roads]
    states = st.one_of(st.sampled_from(PARTIES).map(held), st.just(CONTESTED), st.just(UNKNOWN))
    events = []
    for position in range(draw(st.integers(0, 25))):
        date = draw(st.integers(0, SPAN - 4))
        late = draw(st.sampled_from([0, 0, 0, 1, 3]))
        target, target_id = draw(st.sampled_from(targets))
        import_id = draw(st.integers(1, 2))
        events.append(
            ControlEvent(
                day(date),
                day(date + late),
                (import_id, position),
                target,
                target_id,
                draw(states),
            )
        )
    memberships = []
    for party in PARTIES[:3]:
        if draw(st.booleans()):
            start = draw(st.one_of(st.none(), st.integers(0, SPAN)))
            end = draw(st.one_of(st.none(), st.integers(0, SPAN)))
            if start is not None and end is not None and start >= end:
                start, end = end - 1, start + 1
            memberships.append(
                Membership(
                    party,
                    draw(st.sampled_from(BLOCS)),
                    None if start is None else day(start),
                    None if end is None else day(end),
                )
            )
    return World(places, segments, roads, events, memberships)


class Reference:
    """Contract section 2, read literally, one day at a time."""

    def __init__(self, world: World, as_of: dt.date | None) -> None:
        self.world = world
        self.events = sorted(e for e in world.events if as_of is None or e.recorded <= as_of)

    def bloc_of(self, party: str, on: dt.date) -> str:
        for m in self.world.memberships:
            if (
                m.party == party
                and (m.start is None or m.start <= on)
                and (m.end is None or on < m.end)
            ):
                return m.bloc
        return party

    def view(self, state: State, on: dt.date, by: str) -> State:
        if by == "bloc" and state.status is Status.HELD:
            assert state.controller is not None
            return held(self.bloc_of(state.controller, on))
        return state

    def place(self, place: str, on: dt.date) -> State:
        found = [
            e
            for e in self.events
            if e.target is Target.PLACE and e.target_id == place and e.date <= on
        ]
        return found[-1].state if found else UNKNOWN

    def last_change(self, place: str, on: dt.date) -> dt.date | None:
        t = on
        while t >= day(-1):
            if self.place(place, t) != self.place(place, t - dt.timedelta(days=1)):
                return t
            t -= dt.timedelta(days=1)
        return None

    def own_events(self, segment: str, on: dt.date) -> list[ControlEvent]:
        roads = {r for r, segs in self.world.roads.items() if segment in segs}
        return [
            e
            for e in self.events
            if e.date <= on
            and (
                (e.target is Target.SEGMENT and e.target_id == segment)
                or (e.target is Target.ROAD and e.target_id in roads)
            )
        ]

    def segment(self, segment: str, on: dt.date, by: str) -> State:
        start, end = self.world.segments[segment]
        own = self.own_events(segment, on)
        changes = [c for c in (self.last_change(start, on), self.last_change(end, on)) if c]
        last_change = max(changes) if changes else None
        a, b = self.place(start, on), self.place(end, on)
        if own and (last_change is None or own[-1].date >= last_change):
            return self.view(own[-1].state, on, by)
        if own and not (a.is_known and b.is_known):
            return self.view(own[-1].state, on, by)
        a, b = self.view(a, on, by), self.view(b, on, by)
        if a.status is Status.HELD and a == b:
            return a
        if a.is_known and b.is_known:
            return CONTESTED
        return UNKNOWN

    def state(self, element: str, on: dt.date, by: str) -> State:
        if element in self.world.places:
            return self.view(self.place(element, on), on, by)
        if element in self.world.segments:
            return self.segment(element, on, by)
        return summarise_road(self.segment(s, on, by) for s in self.world.roads[element])


def engine_for(world: World, as_of: dt.date | None) -> ControlTimeline:
    return ControlTimeline(
        places=world.places,
        segments=world.segments,
        roads=world.roads,
        events=world.events,
        memberships=world.memberships,
        as_of=as_of,
    )


DAYS = [day(n) for n in range(-1, SPAN + 1)]


@settings(max_examples=150, deadline=None)
@given(worlds(), st.one_of(st.none(), st.integers(0, SPAN).map(day)))
def test_engine_matches_day_by_day_reference(world: World, as_of: dt.date | None) -> None:
    engine = engine_for(world, as_of)
    reference = Reference(world, as_of)
    elements = [*world.places, *world.segments, *world.roads]
    for by in ("party", "bloc"):
        for element in elements:
            expected = [reference.state(element, d, by) for d in DAYS]
            got = [engine.state(element, d, by) for d in DAYS]
            assert got == expected, (element, by)
            # Timelines: intervals are the runs of equal states, from the first known day.
            intervals = engine.intervals(element, by=by)
            for interval in intervals:
                stop = interval.end or DAYS[-1] + dt.timedelta(days=1)
                for d in DAYS:
                    if interval.start <= d < stop:
                        assert reference.state(element, d, by) == interval.state
            for first, second in itertools.pairwise(intervals):
                assert first.end == second.start and first.state != second.state
            if intervals:
                first_known = next(d for d, s in zip(DAYS, expected, strict=True) if s != UNKNOWN)
                assert intervals[0].start == first_known
            else:
                assert all(s == UNKNOWN for s in expected)
    changes = engine.changes()
    expected_changes = [
        (d, element)
        for d in DAYS[1:]
        for element in sorted([*world.places, *world.segments])
        if reference.state(element, d, "party")
        != reference.state(element, d - dt.timedelta(days=1), "party")
    ]
    assert [(c.date, c.element) for c in changes] == expected_changes


@settings(max_examples=100, deadline=None)
@given(worlds(), st.integers(0, SPAN - 4))
def test_an_event_after_a_day_never_changes_the_answer_on_it(world: World, cut: int) -> None:
    before = engine_for(world, None)
    later = [e for e in world.events if e.date > day(cut)]
    earlier_only = World(
        world.places,
        world.segments,
        world.roads,
        [e for e in world.events if e not in later],
        world.memberships,
    )
    without = engine_for(earlier_only, None)
    for element in [*world.places, *world.segments, *world.roads]:
        for d in DAYS:
            if d <= day(cut):
                assert before.state(element, d) == without.state(element, d)
