"""Stored state spans never disagree with the events (issue "Scale").

Hypothesis imports random datasets in several files, retracts, undoes and corrects, and
after every step checks that the stored spans are exactly what the engine computes from
the events, and that the questions answered from spans (a day's states, paths, changes)
equal the engine's answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import control_graph as cg
from control_graph import NoPathError
from control_graph.model import disputes
from control_graph.model.states import UNKNOWN, State, held
from control_graph.model.stored import DayStates, span_rows
from control_graph.store import importer, spans, write
from tests.conftest import index_definitions
from tests.reference import Report, World
from tests.test_trust_property import DAYS, dataset_of, worlds


def same_answers(model: cg.Model, world: World) -> None:
    assert model.stale_spans() == ([], [])
    assert model.stale_holders() == []
    network, timeline, _ = model.history()
    engine_changes = timeline.changes()
    assert model.changes().changes == tuple(engine_changes)
    for day in DAYS[::5]:
        view = model.day(day)
        for element in (*world.places, *world.segments, *world.roads):
            assert view.state(element) == timeline.state(element, day), (element, day)
            assert view.otherwise(element) == timeline.otherwise(element, day), (element, day)
            if element not in world.roads:
                expected_dispute = disputes.is_disputed(timeline, element, day)
                assert view.is_disputed(element) == expected_dispute, (element, day)
        if len(world.places) >= 2:
            a, b = world.places[0], world.places[-1]
            for party in ("p1", None):
                try:
                    got = model.path(a, b, day, party=party).length_km
                except NoPathError:
                    got = None
                try:
                    expected = network.shortest_path(
                        a, b, timeline=timeline, day=day, controller=party
                    ).length_km
                except NoPathError:
                    expected = None
                assert got == expected, (a, b, day, party)


def parts(document: dict[str, Any], cut: int) -> list[dict[str, Any]]:
    """The dataset as two files: the network and the first events, then the rest."""
    first = {**document, "events": document["events"][:cut], "retractions": []}
    second = {
        "events": document["events"][cut:],
        "access": [],
        "retractions": document["retractions"],
    }
    first["access"] = document["access"]
    return [first, second]


@pytest.mark.parametrize("bulk", [False, True], ids=["by-element", "bulk"])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), data=st.data())
def test_spans_follow_every_change_of_the_data(
    world: World, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory, bulk: bool
) -> None:
    """``bulk``: every import, however small, takes the path of a large one: spans over
    integer columns (store.spans.materialise_bulk) and SQLite's indexes rebuilt after.
    Either way the engine's spans are made a slice of two places or segments at a time
    (store.spans.ENGINE_SLICE), so that the slices' seams are crossed."""
    folder = Path(tmp_path_factory.mktemp("spans"))
    document = dataset_of(world)
    cut = data.draw(st.integers(0, len(document["events"])))
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(spans, "ENGINE_SLICE", 2))
        if bulk:
            stack.enter_context(mock.patch.object(importer, "BULK_SPANS_FROM", 0))
            stack.enter_context(mock.patch.object(write, "REBUILD_INDEXES_FROM", 0))
        changed_step_by_step(world, data, folder, document, cut)


def changed_step_by_step(
    world: World, data: st.DataObject, folder: Path, document: dict[str, Any], cut: int
) -> None:
    with cg.open("sqlite://") as model:
        for i, part in enumerate(parts(document, cut)):
            path = folder / f"part{i}.json"
            path.write_text(json.dumps(part), encoding="utf-8")
            model.import_file(path)
            same_answers(model, world)
        ids = [e["id"] for e in document["events"]]
        if ids:
            model.retract(data.draw(st.sampled_from(ids)), recorded="2024-01-10")
            same_answers(model, world)
            changed = data.draw(st.sampled_from(document["events"]))
            corrected = {**changed, "status": "contested"}
            corrected.pop("party", None)
            path = folder / "correction.json"
            path.write_text(json.dumps({"events": [corrected]}), encoding="utf-8")
            if corrected != changed:
                model.import_file(path, replace_changed=True, recorded="2024-01-12")
                same_answers(model, world)
        imports = model.imports()
        model.undo_import(imports[-1].id)
        same_answers(model, world)


def test_the_sample_answers_the_same_from_spans() -> None:
    with cg.open("sqlite://") as model:
        model.import_file(cg.sample_path())
        assert model.stale_spans() == ([], [])
        assert model.stale_holders() == []
        network, timeline, _ = model.history()
        for day in ("2025-06-01", "2025-12-01", "2026-02-01", "2026-02-06"):
            view = model.day(day)
            assert isinstance(view.states, DayStates)
            for element in (*network.places, *network.segments):
                assert view.is_disputed(element) == disputes.is_disputed(
                    timeline, element, view.day
                ), (element, day)
            for element in (*network.places, *network.segments, *network.roads):
                assert view.state(element) == timeline.state(element, view.day)
        assert model.changes().changes == tuple(timeline.changes())


def test_deep_check_finds_and_repairs_spans_out_of_step(valley: cg.Model) -> None:
    from control_graph.check import check_dataset

    assert check_dataset(valley, deep=True, only=["stale-spans"]).counts() == {"stale-spans": 0}
    with valley.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM state_spans WHERE element_id = 'gate'")
    report = check_dataset(valley, deep=True, only=["stale-spans"])
    # The gate's spans, and the count of the spans naming each party they named.
    assert report.findings[0].element == "gate"
    assert {f.type for f in report.findings[1:]} == {"party"}
    assert len(report.findings) > 1
    valley.rebuild_spans()
    assert valley.stale_spans() == ([], [])
    assert valley.stale_holders() == []
    with valley.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE span_holders SET spans = spans + 1 WHERE party_id = 'south'")
        conn.exec_driver_sql("INSERT INTO span_holders VALUES ('nobody', 3)")
    report = check_dataset(valley, deep=True, only=["stale-spans"])
    assert sorted(
        (f.element, f.details["stored"] - f.details["counted"]) for f in report.findings
    ) == [
        ("nobody", 3),
        ("south", 1),
    ]
    assert "nobody" in valley.controllers()  # what the legend would wrongly list
    valley.rebuild_spans()
    assert valley.stale_holders() == []
    assert "nobody" not in valley.controllers()


def test_a_span_knows_its_change() -> None:
    with cg.open("sqlite://") as model:
        model.import_file(cg.sample_path())
        timeline = model.history().timeline
        spans = span_rows(timeline, "lonton")
        assert spans and spans[0].before.status.value == "unknown"
        assert all(s.end is None or s.start < s.end for s in spans)


def _world(*events: tuple[int, str, str, State]) -> World:
    """Two places joined by one segment, on one road, with events (day of January
    2024, target kind, target, state) in file order."""
    return World(
        places=["a", "b"],
        segments={"ab": ("a", "b")},
        roads={"r": ["ab"]},
        memberships=[],
        events=[
            Report(position, dt.date(2024, 1, day), kind, target, state)
            for position, (day, kind, target, state) in enumerate(events, start=1)
        ],
    )


NORTH, EAST = held("north"), held("east")


@settings(max_examples=300, deadline=None)
@given(world=worlds())
# Cases random worlds seldom make: its own event and an endpoint's change on one day
# (its own wins), an own "unknown" with both ends unknown (news all the same), an end's
# change after its own event (derived again), and its own event while an end is unknown.
@example(world=_world((1, "place", "a", NORTH), (1, "place", "b", NORTH), (1, "road", "r", EAST)))
@example(world=_world((3, "segment", "ab", UNKNOWN), (5, "place", "a", NORTH)))
@example(
    world=_world(
        (1, "place", "a", NORTH),
        (1, "place", "b", NORTH),
        (2, "segment", "ab", EAST),
        (4, "place", "b", EAST),
        (4, "place", "a", EAST),
        (6, "place", "a", NORTH),
    )
)
@example(
    world=_world((1, "place", "a", NORTH), (2, "segment", "ab", EAST), (3, "place", "a", EAST))
)
def test_bulk_spans_are_the_engines(world: World) -> None:
    """The columnar reading of an import (model/bulk.py) gives the engine's spans, for
    events without rough dates or lapses (the others always go through the engine)."""
    import numpy as np

    from control_graph.model import bulk
    from control_graph.model.bulk import EventColumns, bulk_spans
    from control_graph.model.records import ControlEvent, Target

    events = [e for e in world.events if e.date_latest is None and e.until is None]
    places = list(world.places)
    segments = list(world.segments)
    roads = list(world.roads)
    states = list(dict.fromkeys(e.state for e in events))
    index = {"place": places, "segment": segments, "road": roads}
    columns = EventColumns(
        *(
            np.asarray(values, dtype=np.int64)
            for values in (
                [("place", "segment", "road").index(e.target) for e in events],
                [index[e.target].index(e.target_id) for e in events],
                [e.date.toordinal() for e in events],
                [e.known.toordinal() for e in events],
                [e.position for e in events],
                [states.index(e.state) for e in events],
            )
        )
    )
    # Two segments a batch, so that every world spans several.
    with mock.patch.object(bulk, "SEGMENT_BATCH", 2):
        got = set(
            bulk_spans(
                places,
                [(s, places.index(a), places.index(b)) for s, (a, b) in world.segments.items()],
                [[segments.index(s) for s in world.roads[r]] for r in roads],
                states,
                columns,
            )
        )
    timeline = cg.model.ControlTimeline(
        places=places,
        segments=world.segments,
        roads=world.roads,
        events=[
            ControlEvent(e.date, e.known, (e.position,), Target(e.target), e.target_id, e.state)
            for e in events
        ],
    )
    expected = {span for element in (*places, *segments) for span in span_rows(timeline, element)}
    assert got == expected


def test_a_large_import_builds_the_indexes_again(tmp_path: Path) -> None:
    """An import taking the bulk path drops SQLite's indexes and builds them after, in
    its transaction: the same indexes afterwards, and none lost when it fails."""
    from tests.conftest import VALLEY

    url = f"sqlite:///{tmp_path / 'bulk.db'}"

    with cg.open(url) as model:
        model.import_file(VALLEY)
    before = index_definitions(url)
    assert any(name == "ix_events_place_date" for name, _ in before)
    # More rows than the table holds, so that the indexes are rebuilt.
    rows = "".join(f"2024-05-{day:02},gate,north\n" for day in range(1, 29)) * 2
    broken = tmp_path / "broken.csv"
    broken.write_text(f"date,place,party\n{rows}2024-05-02,nowhere,north\n")
    good = tmp_path / "good.csv"
    good.write_text(f"date,place,party\n{rows}")
    dropped: list[str] = []
    rebuilt = write.indexes_rebuilt

    @contextlib.contextmanager
    def watched(conn: Any, table: str, count: int, keep: Any = ()) -> Any:
        with rebuilt(conn, table, count, keep):
            # Every index dropped but those the insert looks rows up through.
            left = {
                name
                for (name,) in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND sql IS NOT NULL",
                    (table,),
                )
            }
            if left == set(keep):
                dropped.append(table)
            yield

    with (
        mock.patch.object(write, "indexes_rebuilt", watched),
        mock.patch.object(importer, "BULK_SPANS_FROM", 0),
        mock.patch.object(write, "REBUILD_INDEXES_FROM", 0),
        cg.open(url) as model,
    ):
        with pytest.raises(cg.DatasetError, match="nowhere"):
            model.import_file(broken)
        assert index_definitions(url) == before
        model.import_file(good)
        assert model.stale_spans() == ([], [])
        assert model.stale_holders() == []
    assert index_definitions(url) == before
    assert dropped == ["events", "events"]  # by both imports


def test_only_a_first_load_into_postgresql_builds_the_indexes_after(
    pg_url: str, tmp_path: Path
) -> None:
    """On PostgreSQL, dropping an index locks its table against readers until the
    transaction ends: a large import drops the events' and the spans' indexes (not
    those of constraints, nor the one it looks ids up through) only when the table was
    empty, and builds them after; a failed one leaves every index as it was; a later
    large import keeps them up to date row by row."""
    import sqlalchemy as sa
    import yaml

    from tests.conftest import VALLEY

    network = yaml.safe_load(VALLEY.read_text(encoding="utf-8"))
    del network["events"], network["incidents"]
    network_file = tmp_path / "network.yaml"
    network_file.write_text(yaml.safe_dump(network), encoding="utf-8")
    rows = "".join(f"2024-05-{day:02},gate,north\n" for day in range(1, 29))
    broken = tmp_path / "broken.csv"
    broken.write_text(f"date,place,party\n{rows}2024-05-02,nowhere,north\n")
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    first.write_text(f"date,place,party\n{rows}")
    later.write_text(f"date,place,party\n{rows.replace('north', 'south')}")
    statements: list[str] = []

    def dropped() -> set[str]:
        found = {s.split(".")[-1].strip('"') for s in statements if s.startswith("DROP INDEX")}
        statements.clear()
        return found

    with (
        mock.patch.object(importer, "BULK_SPANS_FROM", 0),
        mock.patch.object(write, "REBUILD_INDEXES_FROM", 0),
        cg.open(pg_url) as model,
    ):
        model.import_file(network_file)
        before = index_definitions(pg_url)
        sa.event.listen(
            model.engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, *rest: statements.append(statement),
        )
        statements.clear()
        with pytest.raises(cg.DatasetError, match="nowhere"):
            model.import_file(broken)
        assert index_definitions(pg_url) == before
        statements.clear()
        model.import_file(first)
        assert dropped() == {
            "ix_events_place_date",
            "ix_events_segment_date",
            "ix_events_road_date",
            "ix_events_scenario_rows",
            "ix_events_claimant",
            "ix_state_spans_element",
            "ix_state_spans_start_day",
            "ix_state_spans_long",
        }
        assert index_definitions(pg_url) == before
        model.import_file(later)
        assert dropped() == set()
        assert index_definitions(pg_url) == before
        assert model.stale_spans() == ([], [])
        assert model.stale_holders() == []


def test_a_role_that_does_not_own_a_table_keeps_its_indexes(pg_url: str) -> None:
    """A role that may write rows but does not own the table cannot drop its indexes:
    the insert keeps them up to date instead of failing."""
    import uuid

    role = f"cg_writer_{uuid.uuid4().hex[:8]}"
    model = cg.open(pg_url)
    try:
        with model.engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {_schema(conn)} TO {role}")
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {_schema(conn)} TO {role}")
        with model.engine.begin() as conn:
            assert write._postgres_indexes(conn, "events", None)
            conn.exec_driver_sql(f"SET LOCAL ROLE {role}")
            assert write._postgres_indexes(conn, "events", None) == []
            assert write._postgres_indexes(conn, "events", True) == []
    finally:
        with model.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        model.close()


@settings(
    max_examples=30,
    deadline=None,
    # One schema for every example: each writes a temporary table and drops it.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    cells=st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")),
            st.none() | st.text(st.sampled_from("a\\\t\n\r N")),
            st.none() | st.booleans(),
        ),
        max_size=5,
    )
)
def test_copy_lines_store_every_string_and_flag_as_it_was(
    pg_url: str, cells: list[tuple[str, str | None, bool | None]]
) -> None:
    """The spans' rows are written on PostgreSQL as lines of COPY's text format made by
    hand (store.write.copy_cell): backslashes, tabs, line breaks, a literal ``\\N`` and
    NULLs come back as they went in."""
    from control_graph.store.write import copy_cell, copy_lines

    model = cg.open(pg_url)
    try:
        with model.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TEMPORARY TABLE cells (a text, b text, c boolean)")
            copy_lines(
                conn,
                "cells",
                ("a", "b", "c"),
                (f"{copy_cell(a)}\t{copy_cell(b)}\t{copy_cell(c)}\n" for a, b, c in cells),
            )
            stored = [tuple(row) for row in conn.exec_driver_sql("SELECT a, b, c FROM cells")]
            conn.exec_driver_sql("DROP TABLE cells")
    finally:
        model.close()
    assert stored == cells


def _schema(conn: Any) -> str:
    return str(conn.exec_driver_sql("SELECT current_schema()").scalar())


def test_a_snapshot_carries_each_elements_state_access_and_geometry(model: cg.Model) -> None:
    model.import_file(cg.sample_path())
    network, timeline, access = model.history()
    for day in ("2025-06-01", "2026-02-01", "2026-02-06"):
        graph = model.snapshot(day)
        on = graph.graph["date"]
        assert (on, graph.graph["by"], graph.graph["scenario"]) == (day, "party", "reported")
        assert sorted(graph.nodes) == sorted(network.places)
        assert sorted(k for _, _, k in graph.edges(keys=True)) == sorted(network.segments)
        view = model.day(day)
        for place, data in graph.nodes(data=True):
            record = network.places[place]
            assert (data["lat"], data["lon"], data["kind"]) == (record.lat, record.lon, record.kind)
            state = timeline.state(place, view.day)
            assert (data["status"], data["controller"]) == (state.status.value, state.controller)
            other = timeline.otherwise(place, view.day)
            assert data["uncertain"] is (other is not None)
        for start, end, segment, data in graph.edges(keys=True, data=True):
            assert (start, end) in (network.ends_of(segment), network.ends_of(segment)[::-1])
            assert data["length"] == network.length_of(segment)
            state = timeline.state(segment, view.day)
            assert (data["status"], data["controller"]) == (state.status.value, state.controller)
            found = access.on(segment, view.day)
            assert data["access"] == (found.access.value if found else None)
        graph.remove_node(next(iter(graph.nodes)))  # a copy: the model's network is whole
        assert model.snapshot(day).number_of_nodes() == len(network.places)


@pytest.mark.parametrize("min_confidence", [None, "low"], ids=["stored", "engine"])
def test_a_snapshot_is_the_graph_networkx_itself_would_build(
    model: cg.Model, min_confidence: str | None
) -> None:
    """The snapshot fills networkx's dicts itself: the result must be the graph that
    add_nodes_from and add_edges_from make of the same nodes and edges, with one key
    dict shared by both ends of an edge, and work with networkx's own algorithms."""
    import networkx as nx

    model.import_file(cg.sample_path())
    graph = model.snapshot("2026-02-06", min_confidence=min_confidence)
    built = nx.MultiGraph(**graph.graph)
    built.add_nodes_from(graph.nodes(data=True))
    built.add_edges_from(graph.edges(keys=True, data=True))
    assert nx.utils.graphs_equal(graph, built)
    assert list(graph.nodes) == list(built.nodes)
    assert dict(graph.degree) == dict(built.degree)
    assert graph.number_of_edges() == built.number_of_edges() == len(model.history()[0].segments)
    for start, end, segment in graph.edges(keys=True):
        assert graph[end][start][segment] == graph[start][end][segment]
        assert graph.has_edge(end, start, segment)
    start, end, segment = next(iter(graph.edges(keys=True)))
    graph.edges[start, end, segment]["status"] = "changed"
    assert graph[end][start][segment]["status"] == "changed"
    assert nx.shortest_path(graph, "hpakant", "lonton", weight="length") == nx.shortest_path(
        built, "hpakant", "lonton", weight="length"
    )
    graph.remove_node(end)
    assert not graph.has_node(end) and all(end not in graph[n] for n in graph)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds())
def test_claims_without_rough_dates_keep_their_disputes_in_a_large_import(
    world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Spans carry whether a claim disputes what decides them; model/bulk.py finds no
    disputes, so an import with claims must not take it even when no date is rough."""
    folder = Path(tmp_path_factory.mktemp("claims"))
    document = dataset_of(world)
    for event in document["events"]:
        event.pop("date_latest", None)
        event.pop("until", None)
    path = folder / "claims.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with (
        mock.patch.object(importer, "BULK_SPANS_FROM", 0),
        mock.patch.object(write, "REBUILD_INDEXES_FROM", 0),
        cg.open("sqlite://") as model,
    ):
        model.import_file(path)
        same_answers(model, world)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), days=st.lists(st.sampled_from(DAYS), min_size=1, max_size=3))
def test_snapshots_from_spans_are_the_engines(
    world: World, days: list[Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Model.snapshot() from the stored spans (its attributes made once per pair of
    readings) gives every node and edge the state the engine gives it, by party and by
    bloc, and uncertain ones their other reading."""
    folder = Path(tmp_path_factory.mktemp("snapshot"))
    path = folder / "world.json"
    path.write_text(json.dumps(dataset_of(world)), encoding="utf-8")

    def expected(timeline: Any, element: str, day: Any, by: str) -> dict[str, Any]:
        state, other = timeline.state(element, day, by), timeline.otherwise(element, day, by)
        found = {"status": state.status.value, "controller": state.controller}
        found["uncertain"] = other is not None
        if other is not None:
            found.update(otherwise_status=other.status.value, otherwise_controller=other.controller)
        return found

    with cg.open("sqlite://") as model:
        model.import_file(path)
        network, timeline, access = model.history()
        for day in days:
            for by in ("party", "bloc"):
                graph, on = model.snapshot(day, by=by), day
                assert graph.graph["date"] == day.isoformat()
                for place, data in graph.nodes(data=True):
                    record = network.places[place]
                    assert data == {
                        "lat": record.lat,
                        "lon": record.lon,
                        "kind": record.kind,
                        **expected(timeline, place, on, by),
                    }
                for _, _, segment, data in graph.edges(keys=True, data=True):
                    found = access.on(segment, on)
                    assert data == {
                        "length": network.length_of(segment),
                        "access": found.access.value if found else None,
                        **expected(timeline, segment, on, by),
                    }
            # Each element has its own attributes, not the dict shared by its pair.
            first, *others = [data for _, data in graph.nodes(data=True)]
            first["status"] = "changed"
            assert all(data["status"] != "changed" for data in others)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds())
def test_the_legends_parties_and_blocs_from_spans_are_the_engines(
    world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Model.controllers() lists who holds anything at any time, in either reading: from
    the stored spans (and, by bloc, the memberships' periods) as the engine finds it
    (``min_confidence="low"`` keeps every report and asks the engine)."""
    folder = Path(tmp_path_factory.mktemp("legend"))
    path = folder / "world.json"
    path.write_text(json.dumps(dataset_of(world)), encoding="utf-8")
    with cg.open("sqlite://") as model:
        model.import_file(path)
        for by in ("party", "bloc"):
            assert model.controllers(by=by) == model.controllers(by=by, min_confidence="low"), by


@pytest.mark.parametrize(
    ("batch", "held"), [(20_000, 500_000), (3, 500_000), (20_000, 5)], ids=["whole", "runs", "held"]
)
def test_a_whole_rewrite_of_the_spans_lies_by_month(db_url: str, batch: int, held: int) -> None:
    """A day's or a month's spans are read together, so a bulk write of spans (a large
    import, a rebuild) writes each month's together: a month's spans lie in runs that
    hold nothing else, no more of them than its batches (every month in one run, in
    order, when none fills a batch); they are still the engine's, and the parties'
    counts still theirs. ``held``: when more wait than that, the month with the most
    is written at once, in more runs."""

    def months_on_disk(model: cg.Model) -> list[str]:
        with model.engine.connect() as conn:
            order = "rowid" if conn.dialect.name == "sqlite" else "ctid"
            days = conn.exec_driver_sql(f"SELECT start_day FROM state_spans ORDER BY {order}")
            return [str(day)[:7] for (day,) in days]

    dialect = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    with (
        mock.patch.object(importer, "BULK_SPANS_FROM", 0),
        mock.patch.dict(spans.MONTH_RUN, {dialect: batch}),
        mock.patch.dict(spans.MONTHS_HELD, {dialect: held}),
        cg.open(db_url) as model,
    ):
        model.import_file(cg.sample_path())
        model.rebuild_spans()  # every span, through the engine (rough dates)
        assert model.stale_spans() == ([], []) and model.stale_holders() == []
        stored = months_on_disk(model)
    runs = [month for i, month in enumerate(stored) if i == 0 or stored[i - 1] != month]
    assert len(stored) > 50 and len(set(stored)) >= 5
    if batch > len(stored) and held > len(stored):
        assert runs == sorted(set(stored))
    elif held > len(stored):
        for month in set(stored):
            assert runs.count(month) <= -(-stored.count(month) // batch), month
        assert len(runs) > len(set(stored))  # written as batches filled, not all at the end
    else:
        assert len(runs) > len(set(stored))


def test_a_large_import_leaves_postgresql_fresh_statistics(pg_url: str) -> None:
    """Without them the planner took a month's spans (a quarter of a million rows at
    national scale) for a few thousand and read them through a lossy bitmap of the
    whole table. ANALYZE sets ``reltuples`` (-1 on a table never analysed)."""
    with (
        mock.patch.object(importer, "ANALYZE_AFTER", 12),
        mock.patch.object(importer, "BULK_SPANS_FROM", 0),
        cg.open(pg_url) as model,
    ):
        model.import_file(cg.sample_path())
        with model.engine.connect() as conn:
            tuples = dict(
                conn.exec_driver_sql(
                    "SELECT relname, reltuples FROM pg_class WHERE relnamespace ="
                    " current_schema()::regnamespace AND relkind = 'r'"
                ).all()
            )
    assert tuples["state_spans"] > 0 and tuples["events"] > 0 and tuples["places"] > 0
    assert tuples["incidents"] == -1  # the sample's 11 incidents are not "many"
