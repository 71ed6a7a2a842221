"""Questions answered on the database driver alone give the Model's answers (issue "Scale").

``who-held``, ``timeline``, ``path``, ``changes`` and ``plot map`` read the reported
data through ``sqlite3`` or psycopg without importing SQLAlchemy
(control_graph.query.direct). They must answer exactly as the Model does, or not at all
(``None`` or ModelNeeded: the Model answers): on random data with rough dates, lapsing
reports, claims, access records, retractions, corrections and undone imports, on both
backends.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import control_graph as cg
from control_graph import NoPathError
from control_graph.query.direct import ModelNeeded, open_maps, open_questions
from tests.conftest import VALLEY
from tests.reference import World
from tests.test_spans import parts
from tests.test_trust_property import DAYS, dataset_of, worlds


def same_answers(url: str, names: list[str], days: list[Any], parties: list[str]) -> int:
    """Compare every answer the direct questions give with the Model's (claims and
    explanations included); how many were compared."""
    answered = 0
    with cg.open(url) as model, open_questions(url) as direct:
        for element in names:
            for day in days:
                for by, explain in (("party", False), ("bloc", False), ("party", True)):
                    expected = model.who_held(element, day, by=by, explain=explain)
                    got = direct.who_held(element, day, by=by, explain=explain)
                    assert got is not None, (element, day, by, explain)
                    assert got.as_dict() == expected.as_dict(), (element, day, by, explain)
                    answered += 1
            for start, end in ((None, None), (days[len(days) // 2], days[-1])):
                expected_timeline = model.timeline(element, start=start, end=end)
                got_timeline = direct.timeline(element, start=start, end=end)
                assert got_timeline is not None
                assert got_timeline.as_dict() == expected_timeline.as_dict(), element
                answered += 1
        for start, end in ((None, None), (days[1], days[len(days) // 2])):
            got_changes = direct.changes(start=start, end=end)
            assert got_changes is not None
            assert got_changes.as_dict() == model.changes(start=start, end=end).as_dict()
            answered += 1
        places = sorted(model.network().places)
        for day in days[::2]:
            for party, passable in ((None, False), (None, True), (parties[0], False)):
                expected_path, got_path = (
                    _path(q, places[0], places[-1], day, party, passable) for q in (model, direct)
                )
                assert got_path == expected_path, (day, party, passable)
                answered += 1
    return answered + same_map_reads(url, days)


def same_map_reads(url: str, days: list[Any]) -> int:
    """Compare what a map reads directly (DirectMaps) with what it reads from the Model:
    sources, the legend's parties and blocs, the last change, and each day's states,
    late readings, disputes and access; how many were compared."""
    answered = 0
    with cg.open(url) as model, open_maps(url) as maps:
        assert maps.sources() == model.sources()
        assert maps.last_change() == model.last_change()
        network = model.network()
        elements = [*network.places, *network.segments, *network.roads]
        for by in ("party", "bloc"):
            assert maps.controllers(by=by) == model.controllers(by=by), by
            for day in days:
                got, expected = maps.day(day, by=by), model.day(day, by=by)
                assert (got.disputed, got.derived) == (expected.disputed, expected.derived)
                for element in elements:
                    assert got.state(element) == expected.state(element), (element, day)
                    assert got.otherwise(element) == expected.otherwise(element)
                    for own in (False, True):
                        assert got.is_disputed(element, own=own) == expected.is_disputed(
                            element, own=own
                        ), (element, day, own)
                for segment in network.segments:
                    on = got.day
                    assert got.access.on(segment, on) == expected.access.on(segment, on)
                answered += 1
    return answered


def _path(
    questions: Any, start: str, end: str, day: Any, party: str | None, passable: bool
) -> dict[str, Any] | str:
    """A path's JSON, or the message that there is none."""
    try:
        return dict(questions.path(start, end, day, party=party, passable=passable).as_dict())
    except NoPathError as error:
        return str(error)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), data=st.data())
def test_direct_answers_are_the_models_through_every_change(
    world: World,
    data: st.DataObject,
    tmp_path_factory: pytest.TempPathFactory,
    empty_sqlite: Path,
) -> None:
    folder = tmp_path_factory.mktemp("direct")
    shutil.copyfile(empty_sqlite, folder / "db.sqlite")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    document = dataset_of(world)
    names = [*world.places, *world.segments, *world.roads]
    days = DAYS[::7]
    cut = data.draw(st.integers(0, len(document["events"])))
    with cg.open(url) as model:
        for i, part in enumerate(parts(document, cut)):
            path = folder / f"part{i}.json"
            path.write_text(json.dumps(part), encoding="utf-8")
            model.import_file(path)
    same_answers(url, names, days, ["p1"])
    ids = [e["id"] for e in document["events"]]
    if ids:
        with cg.open(url) as model:
            model.retract(data.draw(st.sampled_from(ids)), recorded="2024-01-10")
            changed = data.draw(st.sampled_from(document["events"]))
            corrected = {**changed, "status": "contested"}
            corrected.pop("party", None)
            path = folder / "correction.json"
            path.write_text(json.dumps({"events": [corrected]}), encoding="utf-8")
            model.import_file(path, replace_changed=True, recorded="2024-01-12")
        same_answers(url, names, days, ["p1"])
    with cg.open(url) as model:
        model.undo_import(model.imports()[-1].id)
    same_answers(url, names, days, ["p1"])


def test_direct_answers_on_each_backend_with_corrections(db_url: str) -> None:
    """The sample (rough dates, claims, access) on SQLite and PostgreSQL, then with a
    report retracted and another dataset imported and undone."""
    with cg.open(db_url) as model:
        model.import_file(cg.sample_path())
        network = model.network()
        names = [*network.places, *network.segments, *network.roads]
        days = ["2025-06-01", "2026-02-01", "2026-02-06"]
        assert same_answers(db_url, names, days, ["kia"]) > len(names)
        first = model.events()[0].record.id
        assert first is not None
        model.retract(first, recorded="2026-03-01")
        model.import_file(VALLEY)
        model.undo_import(model.imports()[-1].id)
    assert same_answers(db_url, names, days, ["kia"]) > len(names)


def test_only_an_existing_database_at_this_revision_is_read_directly(
    sqlite_url: str, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.db"
    assert open_questions(f"sqlite:///{missing}") is None
    assert not missing.exists()  # creating it is the Model's work
    assert open_questions("sqlite://") is None
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("not a database", encoding="utf-8")
    assert open_questions(f"sqlite:///{not_a_database}") is None
    questions = open_questions(sqlite_url)
    assert questions is not None
    questions.close()
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0004'")
    assert open_questions(sqlite_url) is None  # the Model migrates it first


def test_a_name_that_is_not_one_elements_is_left_to_the_model(sqlite_url: str) -> None:
    with cg.open(sqlite_url) as model:
        model.import_file(cg.sample_path())
    with open_questions(sqlite_url) as direct:
        assert direct.who_held("no-such-place", "2026-02-06") is None
        assert direct.timeline("no-such-place") is None
        answer = direct.who_held("Gwaykhar Road", "2026-02-06")  # a name, any case
        assert answer is not None and answer.element == "gwaykhar-road"
        assert direct.timeline("lonton", independent_only=True) is None
        assert direct.path("lonton", "hpakant", "2026-02-06", as_of="2026-02-07") is None


def test_a_map_drawn_directly_is_the_models_map(db_url: str) -> None:
    """The same PNG, byte for byte, by party and by bloc; the reads only the Model does
    (filters, incidents, the engine of an animation, a name it must word an error for)
    are handed back to it."""
    from control_graph.plot import plot_map

    with cg.open(db_url) as model:
        model.import_file(cg.sample_path())

        def png(source: Any, by: str) -> bytes:
            fig, _ = plot_map(source, "2026-02-06", by=by)
            with io.BytesIO() as out:
                fig.savefig(out, format="png", dpi=60, metadata={"Software": None})
                return out.getvalue()

        with open_maps(db_url) as maps:
            for by in ("party", "bloc"):
                assert png(maps, by) == png(model, by), by
            for read in (
                lambda: maps.day("2026-02-06", as_of="2026-02-01"),
                lambda: maps.controllers(min_confidence="high"),
                lambda: maps.last_change(independent_only=True),
                lambda: maps.day("2026-02-06", dispute_window=3),
                lambda: maps.incidents(start="2026-01-01"),
                lambda: maps.history(),
                lambda: maps.resolve("no such road", ("road",)),
            ):
                with pytest.raises(ModelNeeded):
                    read()


def _run(url: str, *args: str) -> dict[str, Any]:
    """Run the command in a fresh interpreter; its JSON and whether it loaded SQLAlchemy."""
    code = (
        "import json, sys\n"
        "from control_graph.cli import main\n"
        "try:\n"
        f"    main({['--db', url, *args, '--json']!r})\n"
        "except SystemExit as stop:\n"
        "    print(json.dumps({'sqlalchemy': 'sqlalchemy' in sys.modules}), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {
        "answer": json.loads(done.stdout),
        "sqlalchemy": json.loads(done.stderr.strip().splitlines()[-1])["sqlalchemy"],
    }


def test_the_commonest_questions_start_without_sqlalchemy(sqlite_url: str) -> None:
    with cg.open(sqlite_url) as model:
        model.import_file(cg.sample_path())
        expected = model.who_held("lonton", "2026-02-06").as_dict()
        expected_as_of = model.who_held("lonton", "2026-02-06", as_of="2026-02-01").as_dict()
    plain = _run(sqlite_url, "who-held", "lonton", "--on", "2026-02-06")
    assert plain == {"answer": expected, "sqlalchemy": False}
    picture = str(Path(sqlite_url.removeprefix("sqlite:///")).with_suffix(".png"))
    for question in (
        ("timeline", "gwaykhar-road"),
        ("path", "hpakant", "indawgyi", "--on", "2025-06-01"),
        ("changes", "--from", "2026-02-01"),
        ("plot", "map", "--on", "2026-02-06", "-o", picture),
    ):
        assert _run(sqlite_url, *question)["sqlalchemy"] is False, question
    # A map with incidents reads them through the Model, and is drawn all the same.
    with_incidents = ("plot", "map", "--on", "2026-02-06", "--incidents", "14d", "-o", picture)
    assert _run(sqlite_url, *with_incidents)["sqlalchemy"] is True
    # --as-of is the Model's question: the same command, answered through SQLAlchemy.
    as_of = _run(sqlite_url, "who-held", "lonton", "--on", "2026-02-06", "--as-of", "2026-02-01")
    assert as_of == {"answer": expected_as_of, "sqlalchemy": True}


def test_the_whole_network_read_on_the_driver_is_read_by_kind_the_same(
    model: cg.Model,
) -> None:
    """read_network reads the whole reported network on the driver (store/direct.py);
    the readers of each kind, through SQLAlchemy, must find the same records."""
    from control_graph.store import read

    model.import_file(cg.sample_path())
    model.import_file(VALLEY)
    network = model.network()
    with model._reading() as (conn, _):
        assert list(network.places.values()) == read.read_places(conn)
        assert list(network.segments.values()) == read.read_segments(conn)
        assert list(network.roads.values()) == read.read_roads(conn)
        assert list(network.parties.values()) == read.read_parties(conn)
        assert list(network.blocs.values()) == read.read_blocs(conn)
    assert network.name == model.dataset_name()
