"""Each rule of contract section 2, on small hand-made networks, straight on the engine."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from control_graph.errors import NoPathError, UnknownElementError
from control_graph.model.network import RoadNetwork
from control_graph.model.records import ControlEvent, Membership, Place, Segment, Target
from control_graph.model.states import CONTESTED, UNKNOWN, State, Status, held
from control_graph.model.timeline import ControlTimeline, Interval

D = dt.date
_order = itertools.count()

# a -- ab -- b -- bc -- c ; road "abc" = [ab, bc]
PLACES = ["a", "b", "c"]
SEGMENTS = {"ab": ("a", "b"), "bc": ("b", "c")}
ROADS = {"abc": ["ab", "bc"]}


def ev(
    date: dt.date,
    target: str,
    state: State,
    *,
    recorded: dt.date | None = None,
    import_id: int = 1,
) -> ControlEvent:
    kind = Target.PLACE if target in PLACES else Target.ROAD if target in ROADS else Target.SEGMENT
    return ControlEvent(date, recorded or date, (import_id, next(_order)), kind, target, state)


def engine(
    *events: ControlEvent, memberships: tuple[Membership, ...] = (), as_of: dt.date | None = None
) -> ControlTimeline:
    return ControlTimeline(
        places=PLACES,
        segments=SEGMENTS,
        roads=ROADS,
        events=events,
        memberships=memberships,
        as_of=as_of,
    )


def test_place_is_unknown_before_its_first_event() -> None:
    timeline = engine(ev(D(2024, 1, 5), "a", held("n")))
    assert timeline.state("a", D(2024, 1, 4)) == UNKNOWN
    assert timeline.state("a", D(2024, 1, 5)) == held("n")


def test_same_day_events_last_in_file_order_wins_and_make_one_change() -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 2), "a", CONTESTED),
        ev(D(2024, 1, 2), "a", held("s")),
    )
    assert timeline.state("a", D(2024, 1, 2)) == held("s")
    changes = [c for c in timeline.changes() if c.element == "a"]
    assert [(c.date, c.before, c.after) for c in changes] == [
        (D(2024, 1, 1), UNKNOWN, held("n")),
        (D(2024, 1, 2), held("n"), held("s")),
    ]


def test_same_day_events_are_ordered_by_recorded_date_before_file_order() -> None:
    timeline = engine(
        ev(D(2024, 1, 2), "a", held("late"), recorded=D(2024, 1, 9)),
        ev(D(2024, 1, 2), "a", held("early"), recorded=D(2024, 1, 3)),
    )
    assert timeline.state("a", D(2024, 1, 2)) == held("late")


def test_a_later_import_wins_over_an_earlier_one_on_the_same_day() -> None:
    later = ControlEvent(D(2024, 1, 2), D(2024, 1, 2), (2, 0), Target.PLACE, "a", held("s"))
    earlier = ControlEvent(D(2024, 1, 2), D(2024, 1, 2), (1, 99), Target.PLACE, "a", held("n"))
    assert engine(later, earlier).state("a", D(2024, 1, 2)) == held("s")


def test_as_of_counts_only_events_recorded_by_then() -> None:
    events = (
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 5), "a", held("s"), recorded=D(2024, 1, 9)),
    )
    assert engine(*events, as_of=D(2024, 1, 8)).state("a", D(2024, 1, 6)) == held("n")
    assert engine(*events, as_of=D(2024, 1, 9)).state("a", D(2024, 1, 6)) == held("s")
    assert engine(*events).state("a", D(2024, 1, 6)) == held("s")


def test_segment_derives_from_endpoints() -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 1), "b", held("n")),
        ev(D(2024, 1, 1), "c", held("s")),
    )
    assert timeline.state("ab", D(2024, 1, 1)) == held("n")
    assert timeline.state("bc", D(2024, 1, 1)) == CONTESTED


def test_segment_with_one_unknown_end_and_no_event_is_unknown() -> None:
    timeline = engine(ev(D(2024, 1, 1), "a", held("n")))
    assert timeline.state("ab", D(2024, 1, 3)) == UNKNOWN


def test_segments_own_event_wins_until_an_endpoint_changes() -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 1), "b", held("n")),
        ev(D(2024, 1, 3), "ab", CONTESTED),
        ev(D(2024, 1, 6), "b", held("s")),
    )
    assert timeline.state("ab", D(2024, 1, 5)) == CONTESTED
    assert timeline.state("ab", D(2024, 1, 6)) == CONTESTED  # derived: n and s
    assert timeline.state("ab", D(2024, 1, 2)) == held("n")


def test_same_day_segment_event_beats_an_endpoint_change() -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 3), "ab", held("n")),
        ev(D(2024, 1, 3), "b", held("s")),
    )
    assert timeline.state("ab", D(2024, 1, 3)) == held("n")


def test_an_endpoint_reassertion_that_changes_nothing_is_not_a_change() -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 1), "b", held("n")),
        ev(D(2024, 1, 3), "ab", CONTESTED),
        ev(D(2024, 1, 5), "b", held("n")),  # re-assertion: b was already held by n
    )
    assert timeline.state("ab", D(2024, 1, 6)) == CONTESTED


def test_a_segment_event_is_kept_while_an_endpoint_is_unknown() -> None:
    timeline = engine(
        ev(D(2024, 1, 2), "ab", held("n")),
        ev(D(2024, 1, 4), "a", held("s")),  # b still unknown
    )
    assert timeline.state("ab", D(2024, 1, 5)) == held("n")
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 1), "b", held("n")),
        ev(D(2024, 1, 2), "ab", CONTESTED),
        ev(D(2024, 1, 4), "b", UNKNOWN),  # a change, but to unknown
    )
    assert timeline.state("ab", D(2024, 1, 5)) == CONTESTED


def test_an_event_on_a_road_is_an_event_on_each_of_its_segments() -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 1), "b", held("n")),
        ev(D(2024, 1, 1), "c", held("n")),
        ev(D(2024, 1, 4), "abc", CONTESTED),
    )
    assert timeline.state("ab", D(2024, 1, 4)) == CONTESTED
    assert timeline.state("bc", D(2024, 1, 4)) == CONTESTED
    assert timeline.state("b", D(2024, 1, 4)) == held("n")


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        (held("n"), held("n"), held("n"), held("n")),
        (held("n"), CONTESTED, held("n"), CONTESTED),
        (held("n"), held("n"), UNKNOWN, UNKNOWN),
        (held("n"), held("n"), held("s"), CONTESTED),  # bc derived contested
    ],
)
def test_road_summary(a: State, b: State, c: State, expected: State) -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "a", a), ev(D(2024, 1, 1), "b", b), ev(D(2024, 1, 1), "c", c)
    )
    assert timeline.state("abc", D(2024, 1, 1)) == expected


def test_road_held_by_two_parties_is_divided() -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "ab", held("n")),
        ev(D(2024, 1, 1), "bc", held("s")),
    )
    assert timeline.state("abc", D(2024, 1, 1)) == State(Status.DIVIDED, None)


def test_by_bloc_uses_membership_on_the_day_from_inclusive_to_exclusive() -> None:
    members = (Membership("e", "coal", D(2024, 1, 10), D(2024, 1, 20)), Membership("s", "coal"))
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("e")), ev(D(2024, 1, 1), "b", held("s")), memberships=members
    )
    assert timeline.state("a", D(2024, 1, 9), "bloc") == held("e")
    assert timeline.state("a", D(2024, 1, 10), "bloc") == held("coal")
    assert timeline.state("a", D(2024, 1, 20), "bloc") == held("e")
    assert timeline.state("ab", D(2024, 1, 15), "bloc") == held("coal")
    assert timeline.state("ab", D(2024, 1, 15), "party") == CONTESTED
    assert [(i.start, i.state) for i in timeline.intervals("ab", by="bloc")] == [
        (D(2024, 1, 1), CONTESTED),
        (D(2024, 1, 10), held("coal")),
        (D(2024, 1, 20), CONTESTED),
    ]


def test_recency_is_decided_on_parties_before_mapping_to_blocs() -> None:
    # b moves between two members of one bloc: still a change, so it beats the older
    # segment event even though the bloc view of b did not change.
    members = (Membership("n", "coal"), Membership("m", "coal"))
    timeline = engine(
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 1), "b", held("n")),
        ev(D(2024, 1, 2), "ab", CONTESTED),
        ev(D(2024, 1, 3), "b", held("m")),
        memberships=members,
    )
    assert timeline.state("ab", D(2024, 1, 3), "bloc") == held("coal")
    assert timeline.state("ab", D(2024, 1, 3), "party") == CONTESTED


def test_timeline_starts_when_known_includes_later_unknown_and_clips() -> None:
    timeline = engine(
        ev(D(2024, 1, 3), "a", held("n")),
        ev(D(2024, 1, 6), "a", UNKNOWN),
        ev(D(2024, 1, 9), "a", held("s")),
    )
    assert timeline.intervals("a") == [
        Interval(D(2024, 1, 3), D(2024, 1, 6), held("n")),
        Interval(D(2024, 1, 6), D(2024, 1, 9), UNKNOWN),
        Interval(D(2024, 1, 9), None, held("s")),
    ]
    assert timeline.intervals("a", start=D(2024, 1, 7), end=D(2024, 1, 8)) == [
        Interval(D(2024, 1, 7), D(2024, 1, 9), UNKNOWN),
    ]
    assert timeline.intervals("a", start=D(2024, 1, 6), end=D(2024, 1, 6)) == [
        Interval(D(2024, 1, 6), D(2024, 1, 9), UNKNOWN),
    ]
    assert timeline.intervals("b") == []


def test_changes_window_is_inclusive_and_sorted_by_date_then_element() -> None:
    timeline = engine(
        ev(D(2024, 1, 1), "b", held("n")),
        ev(D(2024, 1, 1), "a", held("n")),
        ev(D(2024, 1, 4), "a", held("s")),
    )
    found = [
        (c.date, c.element, c.type)
        for c in timeline.changes(start=D(2024, 1, 1), end=D(2024, 1, 4))
    ]
    assert found == [
        (D(2024, 1, 1), "a", "place"),
        (D(2024, 1, 1), "ab", "segment"),
        (D(2024, 1, 1), "b", "place"),
        (D(2024, 1, 4), "a", "place"),
        (D(2024, 1, 4), "ab", "segment"),
    ]
    assert timeline.changes(start=D(2024, 1, 2), end=D(2024, 1, 3)) == []


def test_unknown_element() -> None:
    with pytest.raises(UnknownElementError):
        engine().state("nowhere", D(2024, 1, 1))


# -- paths ---------------------------------------------------------------------------------

NETWORK = RoadNetwork(
    [Place(p) for p in ("a", "b", "c", "d")],
    [
        Segment("ab", "a", "b", 1.0),
        Segment("bc", "b", "c", 1.0),
        Segment("ad", "a", "d", 1.0),
        Segment("dc", "d", "c", 5.0),
        Segment("bc2", "b", "c", 0.5),
    ],
)


def path_engine(*events: ControlEvent) -> ControlTimeline:
    return ControlTimeline(
        places=["a", "b", "c", "d"],
        segments={
            "ab": ("a", "b"),
            "bc": ("b", "c"),
            "ad": ("a", "d"),
            "dc": ("d", "c"),
            "bc2": ("b", "c"),
        },
        events=events,
    )


def place_events(**holders: State) -> list[ControlEvent]:
    return [
        ControlEvent(D(2024, 1, 1), D(2024, 1, 1), (0, i), Target.PLACE, p, s)
        for i, (p, s) in enumerate(holders.items())
    ]


def test_shortest_path_takes_the_shorter_of_parallel_segments() -> None:
    route = NETWORK.shortest_path("a", "c")
    assert route.places == ("a", "b", "c")
    assert route.segments == ("ab", "bc2")
    assert route.length_km == pytest.approx(1.5)


def test_path_under_control_avoids_ground_the_party_does_not_hold() -> None:
    timeline = path_engine(*place_events(a=held("n"), b=held("s"), c=held("n"), d=held("n")))
    route = NETWORK.shortest_path("a", "c", timeline=timeline, day=D(2024, 1, 2), controller="n")
    assert route.places == ("a", "d", "c")
    assert route.length_km == pytest.approx(6.0)


def test_no_path_when_an_end_is_not_held() -> None:
    timeline = path_engine(*place_events(a=held("n"), c=CONTESTED))
    with pytest.raises(NoPathError, match="c is contested"):
        NETWORK.shortest_path("a", "c", timeline=timeline, day=D(2024, 1, 2), controller="n")


def test_no_path_when_the_ground_between_is_lost() -> None:
    timeline = path_engine(*place_events(a=held("n"), b=held("s"), c=held("n"), d=held("s")))
    with pytest.raises(NoPathError):
        NETWORK.shortest_path("a", "c", timeline=timeline, day=D(2024, 1, 2), controller="n")
