"""The engine's columns of events: every event comes back as it went in, in the order
the early reading sorts them, whatever its numbers."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from control_graph.model import UNKNOWN, ControlEvent, ControlTimeline, Target, event_table, held
from control_graph.model.event_table import EventTable
from control_graph.model.reading import EventsByElement
from control_graph.model.states import CONTESTED

days = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))
optional_days = st.none() | days
# Orders and keys as the store makes them (small), and numbers beyond 32 and 64 bits.
numbers = st.integers(0, 2**31 - 1) | st.integers(-(2**70), 2**70)
ids = st.sampled_from(["a", "b", "c", "ab", "bc", "road"])
states = st.sampled_from([UNKNOWN, CONTESTED, held("north"), held("east")])

events = st.builds(
    ControlEvent,
    date=days,
    recorded=days,
    order=st.lists(numbers, min_size=1, max_size=4).map(tuple),
    target=st.sampled_from(list(Target)),
    target_id=ids,
    state=states,
    date_latest=optional_days,
    until=optional_days,
    claimant=st.none() | st.sampled_from(["north", "east", "a"]),
    key=st.none() | numbers,
)
# Orders all of one width, as read from a database: the columns are sorted at once.
stored_events = st.builds(
    ControlEvent,
    date=days,
    recorded=days,
    order=st.tuples(st.integers(0, 3), st.integers(1, 9), st.integers(0, 50)),
    target=st.sampled_from(list(Target)),
    target_id=ids,
    state=states,
    key=st.integers(1, 10**6),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(events, max_size=30) | st.lists(stored_events, max_size=30))
def test_events_come_back_as_they_went_in(given_events: list[ControlEvent]) -> None:
    table = EventTable(given_events)
    assert len(table) == len(given_events)
    assert list(table) == given_events
    assert [table[i] for i in range(-len(table), 0)] == given_events
    assert table[1:3] == given_events[1:3]
    assert table.claims == sum(e.claimant is not None for e in given_events)
    for index, event in enumerate(given_events):
        assert table.state_of(index) == event.state
        assert table.id_of(index) == event.target_id
        assert table.order(index) == event.order


@settings(max_examples=200, deadline=None)
@given(st.lists(events, max_size=30) | st.lists(stored_events, min_size=2, max_size=60))
def test_the_early_order_is_day_recorded_then_order(given_events: list[ControlEvent]) -> None:
    table = EventTable(given_events)
    expected = sorted(given_events, key=lambda e: (e.date, e.recorded, e.order))
    # Sorted in Python (a few events), and as columns with numpy (from many on).
    for numpy_from in (10**9, 2):
        with mock.patch.object(event_table, "NUMPY_SORT_FROM", numpy_from):
            assert [given_events[i] for i in table.early_order()] == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(events, max_size=30), st.none() | days)
def test_each_element_has_its_events_in_the_early_order(
    given_events: list[ControlEvent], as_of: dt.date | None
) -> None:
    roads = {"road": ["ab", "bc"]}
    by_element = EventsByElement(EventTable(given_events), roads, as_of)
    counted = [e for e in given_events if as_of is None or e.recorded <= as_of]
    key = lambda e: (e.date, e.recorded, e.order)  # noqa: E731
    for element in ("a", "b", "c"):
        expected = sorted(
            (e for e in counted if e.target is Target.PLACE and e.target_id == element), key=key
        )
        assert by_element.places.get(element, []) == expected
    for segment in ("ab", "bc"):
        expected = sorted(
            (
                e
                for e in counted
                if (e.target is Target.SEGMENT and e.target_id == segment)
                or (e.target is Target.ROAD and e.target_id == "road")
            ),
            key=key,
        )
        assert by_element.segments.get(segment, []) == expected
    rough = {
        element
        for e in counted
        if e.date_latest is not None
        for element in (roads.get(e.target_id, []) if e.target is Target.ROAD else [e.target_id])
    }
    assert by_element.rough == rough


def test_a_timeline_from_a_table_is_the_timeline_from_its_events() -> None:
    day = dt.date
    given = [
        ControlEvent(day(2024, 1, 1), day(2024, 1, 1), (0, 1, 1), Target.PLACE, "a", held("n")),
        ControlEvent(day(2024, 1, 1), day(2024, 1, 1), (0, 1, 2), Target.PLACE, "b", held("n")),
        ControlEvent(day(2024, 2, 1), day(2024, 2, 3), (0, 1, 3), Target.ROAD, "r", held("e")),
        ControlEvent(day(2024, 3, 1), day(2024, 3, 1), (0, 1, 4), Target.PLACE, "a", held("e")),
    ]
    network = {"places": ["a", "b"], "segments": {"ab": ("a", "b")}, "roads": {"r": ["ab"]}}
    from_list = ControlTimeline(**network, events=given)  # type: ignore[arg-type]
    from_table = ControlTimeline(**network, events=EventTable(given))  # type: ignore[arg-type]
    for element in ("a", "b", "ab", "r"):
        assert from_table.intervals(element) == from_list.intervals(element)
    assert from_table.early.place_deciders("a") == from_list.early.place_deciders("a")
    assert from_table.early.bases("ab").values == [
        (held("n"), held("n")),
        given[2],
        (held("e"), held("n")),
    ]
