"""The file format in one table, and dumping a dataset as the inverse of loading it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import control_graph as cg
from control_graph.dataset import RECORD_KINDS, dump_dataset, load_dataset
from control_graph.dataset.fields import (
    ACCESS_CSV_COLUMNS,
    EVENT_CSV_COLUMNS,
    EVENT_TABLE_COLUMNS,
    MEMBER_FIELDS,
)
from control_graph.store import orm
from tests.conftest import VALLEY

TABLES = {
    "parties": orm.Party,
    "blocs": orm.Bloc,
    "places": orm.Place,
    "roads": orm.Road,
    "segments": orm.Segment,
    "sources": orm.Source,
    "events": orm.Event,
    "incidents": orm.Incident,
    "access": orm.AccessRecord,
    "retractions": orm.Retraction,
}


@pytest.mark.parametrize("section", list(RECORD_KINDS))
def test_every_field_with_a_column_is_a_column_of_its_table(section: str) -> None:
    columns = set(TABLES[section].__table__.columns.keys())
    for field in RECORD_KINDS[section].fields:
        if field.column is not None:
            assert field.column in columns, (section, field.key)


def test_member_fields_are_columns_of_the_membership_table() -> None:
    columns = set(orm.BlocMembership.__table__.columns.keys())
    assert {f.column for f in MEMBER_FIELDS} <= columns


def test_the_csv_columns_are_the_contracts() -> None:
    assert EVENT_CSV_COLUMNS == (
        "date",
        "place",
        "segment",
        "road",
        "party",
        "status",
        "kind",
        "source",
        "confidence",
        "recorded",
        "note",
        "id",
        "date_latest",
        "until",
        "claimant",
    )
    assert ACCESS_CSV_COLUMNS == (
        "id",
        "date",
        "segment",
        "road",
        "access",
        "party",
        "source",
        "confidence",
        "recorded",
        "note",
    )
    assert "attributes" in EVENT_TABLE_COLUMNS


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize(
    "source",
    [VALLEY, VALLEY.with_name("valley-v2.yaml"), cg.sample_path()],
    ids=["valley", "valley-v2", "kachin"],
)
def test_dump_then_load_gives_the_same_records(source: Path, suffix: str, tmp_path: Path) -> None:
    dataset = load_dataset(source).dataset
    written = dump_dataset(dataset, tmp_path / f"copy{suffix}")
    assert load_dataset(written).dataset == dataset


def test_dump_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(cg.InvalidArgumentError, match=r"\.csv"):
        dump_dataset(load_dataset(VALLEY).dataset, tmp_path / "copy.csv")


# -- export then import answers every question the same ------------------------------------

PLACES = ["ford", "mill", "gate", "town", "hill"]
PARTIES = ["north", "south", "east"]
DAY0 = dt.date(2024, 1, 1)
DAYS = [DAY0 + dt.timedelta(days=n) for n in range(0, 60, 3)]


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    """A small valid dataset: places, a road by places, a chained road, loose segments,
    parties in a bloc for part of the time, events (some recorded late) and incidents."""
    places = [
        {"id": p, "name": p.title(), "lat": 10 + i / 10, "lon": 20 + i / 10}
        for i, p in enumerate(PLACES)
    ]
    segments = [{"id": "short-cut", "from": "ford", "to": "town", "length_km": 3.5}]
    roads = [
        {
            "id": "main",
            "name": "Main Road",
            "places": ["ford", "mill", "gate", "town"],
            "lengths_km": [2.0, None, 4.5],
        },
        {"id": "loop", "segments": ["main/2", "short-cut"]},
    ]
    targets = (
        [("place", p) for p in PLACES]
        + [("segment", s) for s in ("main/1", "main/2", "main/3", "short-cut")]
        + [("road", "main")]
    )
    events = []
    for _ in range(draw(st.integers(0, 25))):
        kind, target = draw(st.sampled_from(targets))
        status = draw(st.sampled_from(["held", "held", "contested", "unknown"]))
        day = DAY0 + dt.timedelta(days=draw(st.integers(0, 60)))
        event: dict[str, Any] = {"date": day.isoformat(), kind: target, "status": status}
        if status == "held" or draw(st.booleans()):
            event["party"] = draw(st.sampled_from(PARTIES))
        if draw(st.booleans()):
            event["recorded"] = (day + dt.timedelta(days=draw(st.integers(0, 9)))).isoformat()
        if draw(st.booleans()):
            event["confidence"] = draw(st.sampled_from(["high", "medium", "low"]))
        if draw(st.booleans()):
            event["note"] = draw(
                st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12)
            )
        if draw(st.booleans()):
            event["attributes"] = {"n": draw(st.integers(0, 9))}
        events.append(event)
    incidents = [
        {"date": (DAY0 + dt.timedelta(days=n)).isoformat(), "place": "mill", "kind": "airstrike"}
        for n in draw(st.lists(st.integers(0, 60), max_size=3))
    ]
    return {
        "format": "control-graph/1",
        "name": "round trip",
        "parties": [{"id": p, "name": p.upper()} for p in PARTIES],
        "blocs": [
            {"id": "pact", "members": [{"party": "north"}, {"party": "east", "from": "2024-01-20"}]}
        ],
        "places": places,
        "segments": segments,
        "roads": roads,
        "sources": [{"id": "radio", "published": "2024-01-05"}],
        "events": events,
        "incidents": incidents,
    }


def answers(model: cg.Model) -> list[Any]:
    """Every question, on every day, in both views; and as known on a few days."""
    found: list[Any] = []
    for element in [*PLACES, "main/1", "main/2", "main/3", "short-cut", "main", "loop"]:
        for by in ("party", "bloc"):
            found.append(model.timeline(element, by=by).as_dict())
            found.extend(model.who_held(element, day, by=by).as_dict() for day in DAYS[::4])
        found.append(model.timeline(element, as_of=DAYS[5]).as_dict())
    found.append(model.changes().as_dict())
    found.append([i.date for i in model.incidents()])
    return found


# Few examples: tests/test_export.py holds the same property over section 4's datasets.
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=datasets(), suffix=st.sampled_from([".yaml", ".json"]))
def test_export_then_import_answers_every_question_the_same(
    document: dict[str, Any], suffix: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("round")
    original = folder / "original.json"
    original.write_text(json.dumps(document), encoding="utf-8")
    with cg.open("sqlite://") as first, cg.open("sqlite://") as second:
        first.import_file(original)
        copy = dump_dataset(first.dataset(), folder / f"copy{suffix}")
        second.import_file(copy)
        assert answers(second) == answers(first)
        assert second.dataset() == first.dataset()


def test_a_dumped_yaml_file_reads_back_with_a_plain_yaml_parser(tmp_path: Path) -> None:
    written = dump_dataset(load_dataset(cg.sample_path()).dataset, tmp_path / "copy.yaml")
    document = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert document["format"] == "control-graph/1"
    assert {"parties", "places", "roads", "events"} <= set(document)
