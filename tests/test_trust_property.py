"""Contract section 4 against a day-by-day reading of it (tests/reference.py).

Hypothesis builds random networks with rough dates, reports that lapse, claims and
counter-claims, confidences, retractions and access records, and checks on every day:
states in both readings, uncertain/otherwise, disputes, claims, explanations, access,
timelines and changes -- first for the engine alone, then through a database and the
Model, where the filters (as-of, min-confidence, independent-only, retractions) are SQL.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import control_graph as cg
from control_graph.model import disputes
from control_graph.model.access import AccessEntry, AccessIndex
from control_graph.model.records import AccessLevel, ControlEvent, Membership, Target
from control_graph.model.states import CONTESTED, UNKNOWN, held
from control_graph.model.timeline import ControlTimeline
from tests.reference import AccessReport as RefAccess
from tests.reference import Ask, Reference, Report, World

DAY0 = dt.date(2024, 1, 1)
SPAN = 20
PARTIES = ["p1", "p2", "p3"]


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


DAYS = [day(n) for n in range(-1, SPAN + 14)]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    places = [f"x{i}" for i in range(draw(st.integers(2, 4)))]
    segments = {
        f"s{i}": (draw(st.sampled_from(places)), draw(st.sampled_from(places)))
        for i in range(draw(st.integers(1, 4)))
    }
    roads = {
        f"r{i}": draw(
            st.lists(st.sampled_from(list(segments)), min_size=1, max_size=3, unique=True)
        )
        for i in range(draw(st.integers(0, 2)))
    }
    targets = [("place", p) for p in places] + [("segment", s) for s in segments]
    targets += [("road", r) for r in roads]
    states = st.one_of(st.sampled_from(PARTIES).map(held), st.just(CONTESTED), st.just(UNKNOWN))
    events = []
    for position in range(draw(st.integers(0, 16))):
        date = draw(st.integers(0, SPAN - 6))
        latest = draw(st.sampled_from([None, None, 0, 2, 4]))
        date_latest = None if latest is None else day(date + latest)
        last = date + (latest or 0)
        until = draw(st.sampled_from([None, None, None, 1, 3, 6]))
        recorded = draw(st.sampled_from([None, None, 0, 2, 5]))
        target, target_id = draw(st.sampled_from(targets))
        state = draw(states)
        party = state.controller if state.controller else draw(st.sampled_from([None, *PARTIES]))
        events.append(
            Report(
                position,
                day(date),
                target,
                target_id,
                state,
                party,
                date_latest,
                None if until is None else day(last + until),
                None if recorded is None else day(last + recorded),
                draw(st.sampled_from([None, None, *PARTIES])),
                draw(st.sampled_from([None, "low", "medium", "high"])),
                f"e{position}",
            )
        )
    access_targets = [("segment", s) for s in segments] + [("road", r) for r in roads]
    access = [
        RefAccess(
            100 + i,
            day(draw(st.integers(0, SPAN))),
            *draw(st.sampled_from(access_targets)),
            draw(st.sampled_from(list(AccessLevel))).value,
            draw(st.sampled_from([None, *PARTIES])),
            draw(st.sampled_from([None, day(draw(st.integers(0, SPAN)))])),
            draw(st.sampled_from([None, "low", "high"])),
            f"a{i}",
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    ids = [e.id for e in events if e.id] + [a.id for a in access if a.id]
    retractions: dict[str, list[dt.date]] = {}
    for ident in draw(st.lists(st.sampled_from(ids), max_size=3)) if ids else []:
        retractions.setdefault(ident, []).append(day(draw(st.integers(0, SPAN + 5))))
    memberships = []
    for party in PARTIES[:2]:
        if draw(st.booleans()):
            start = draw(st.sampled_from([None, day(5)]))
            end = draw(st.sampled_from([None, day(12)]))
            memberships.append((party, "bloc", start, end))
    return World(places, segments, roads, memberships, events, access, retractions)


asks = st.builds(
    Ask,
    as_of=st.sampled_from([None, None, day(3), day(8), day(14), day(30)]),
    min_confidence=st.sampled_from([None, None, "medium", "high"]),
    independent_only=st.booleans(),
    by=st.sampled_from(["party", "bloc"]),
    window=st.sampled_from([0, 2, 7]),
)


def engine_of(world: World, ref: Reference) -> tuple[ControlTimeline, AccessIndex]:
    events = [
        ControlEvent(
            e.date,
            e.known,
            (e.position,),
            Target(e.target),
            e.target_id,
            e.state,
            e.date_latest,
            e.until,
            e.claimant,
            e.position,
        )
        for e in ref.events
    ]
    timeline = ControlTimeline(
        places=world.places,
        segments=world.segments,
        roads=world.roads,
        events=events,
        memberships=[Membership(p, b, s, e) for p, b, s, e in world.memberships],
    )
    access = AccessIndex(
        [
            AccessEntry(
                a.date,
                a.known,
                (a.position,),
                Target(a.target),
                a.target_id,
                AccessLevel(a.access),
                a.party,
            )
            for a in ref.access
        ],
        world.roads,
    )
    return timeline, access


def elements(world: World) -> list[str]:
    return [*world.places, *world.segments, *world.roads]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), ask=asks)
def test_the_engine_reads_section_4_as_the_contract_does(world: World, ask: Ask) -> None:
    ref = Reference(world, ask)
    timeline, access = engine_of(world, ref)
    by = "bloc" if ask.by == "bloc" else "party"
    for element in elements(world):
        for d in DAYS[::2]:
            assert timeline.state(element, d, by) == ref.state(element, d), (element, d)
            assert timeline.otherwise(element, d, by) == ref.otherwise(element, d), (element, d)
            assert disputes.is_disputed(timeline, element, d, ask.window) == ref.disputed(
                element, d
            )
            if element not in world.roads:
                got = [e.key for e in disputes.claims(timeline, element, d, ask.window)]
                assert got == [e.position for e in ref.claims(element, d)], (element, d)
            got_explained = [
                (x.element, x.role, x.event.key) for x in disputes.explain(timeline, element, d, by)
            ]
            assert got_explained == ref.explain(element, d), (element, d)
        expected = ref.intervals(element, DAYS)
        got_intervals = [
            (i.start, i.end, i.state, i.otherwise) for i in timeline.intervals(element, by=by)
        ]
        assert got_intervals == expected, element
    for segment in world.segments:
        for d in DAYS[::3]:
            found = access.on(segment, d)
            assert (None if found is None else (found.access.value, found.party)) == ref.access_on(
                segment, d
            )


# -- the same through a database and the Model ------------------------------------------------


def dataset_of(world: World) -> dict[str, Any]:
    def event(e: Report) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": e.id, "date": e.date.isoformat(), e.target: e.target_id}
        entry["status"] = e.state.status.value
        if e.party:
            entry["party"] = e.party
        for key, value in (
            ("date_latest", e.date_latest),
            ("until", e.until),
            ("recorded", e.recorded),
        ):
            if value is not None:
                entry[key] = value.isoformat()
        if e.claimant:
            entry["claimant"] = e.claimant
        if e.confidence:
            entry["confidence"] = e.confidence
        return entry

    def access(a: RefAccess) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": a.id, "date": a.date.isoformat(), a.target: a.target_id}
        entry["access"] = a.access
        if a.party:
            entry["party"] = a.party
        if a.recorded:
            entry["recorded"] = a.recorded.isoformat()
        if a.confidence:
            entry["confidence"] = a.confidence
        return entry

    blocs = []
    if world.memberships:
        members = []
        for party, _bloc, start, end in world.memberships:
            member: dict[str, Any] = {"party": party}
            if start:
                member["from"] = start.isoformat()
            if end:
                member["to"] = end.isoformat()
            members.append(member)
        blocs = [{"id": "bloc", "members": members}]
    return {
        "parties": [{"id": p} for p in PARTIES],
        "blocs": blocs,
        "places": [{"id": p} for p in world.places],
        "segments": [{"id": s, "from": a, "to": b} for s, (a, b) in world.segments.items()],
        "roads": [{"id": r, "segments": segs} for r, segs in world.roads.items()],
        "events": [event(e) for e in world.events],
        "access": [access(a) for a in world.access],
        "retractions": [
            {"event": ident, "recorded": d.isoformat()}
            for ident, days in world.retractions.items()
            for d in days
        ],
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), ask=asks)
def test_the_model_answers_section_4_as_the_contract_does(
    world: World, ask: Ask, tmp_path_factory: Any
) -> None:
    path = Path(tmp_path_factory.mktemp("trust")) / "world.json"
    path.write_text(json.dumps(dataset_of(world)), encoding="utf-8")
    ref = Reference(world, ask)
    options = {
        "as_of": ask.as_of,
        "min_confidence": ask.min_confidence,
        "independent_only": ask.independent_only,
        "by": ask.by,
    }
    with cg.open("sqlite://") as model:
        model.import_file(path)
        for element in elements(world):
            for d in DAYS[1::4]:
                answer = model.who_held(
                    element, d, dispute_window=ask.window, explain=True, **options
                )
                assert answer.state == ref.state(element, d), (element, d)
                assert answer.otherwise == ref.otherwise(element, d), (element, d)
                assert answer.disputed == ref.disputed(element, d), (element, d)
                claims = [c.event.id for c in answer.claims]
                assert claims == [e.id for e in ref.claims(element, d)], (element, d)
                explained = [(r.element, r.role, r.event.id) for r in answer.explain or ()]
                expected = [(el, role, f"e{pos}") for el, role, pos in ref.explain(element, d)]
                assert explained == expected, (element, d)
                for segment in answer.segments:
                    found = segment.access
                    got = None if found is None else (found.access.value, found.party)
                    assert got == ref.access_on(segment.id, d), (segment.id, d)
            timeline = model.timeline(element, **options)
            got = [(i.start, i.end, i.state, i.otherwise) for i in timeline.intervals]
            assert got == ref.intervals(element, DAYS), element
