"""Exports, each read back with the library a user of that format would use: GDAL
(pyogrio) for GeoJSON and GeoPackage, an XML parser for KML, networkx for GraphML and
GEXF, the csv module for CSV; and the dataset export (YAML/JSON) imported into a new
database answers every question the same (a property)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import control_graph as cg
from control_graph.dataset.export import FORMATS
from control_graph.dataset.export.kml import KML_NAMESPACE
from tests.conftest import VALLEY, Cli

pyogrio = pytest.importorskip("pyogrio")
raw = pytest.importorskip("pyogrio.raw")

# Longitudes (20.x) and latitudes (10.x) differ, so a swapped pair cannot pass.
RIDGE = """\
format: control-graph/1
name: Ridge road (export tests)
parties:
  - {id: north, name: Northern Army, color: "#1f77b4"}
  - {id: south, name: Southern Front, color: "#d62728"}
  - {id: east, name: Eastern Militia}
blocs:
  - id: coalition
    name: Southern coalition
    members: [{party: south}, {party: east, from: 2024-03-01}]
places:
  - {id: ford, name: Ford, kind: village, lat: 10.0, lon: 20.0}
  - {id: mill, name: Mill, kind: village, lat: 10.1, lon: 20.3}
  - {id: gate, name: Gate, kind: checkpoint, lat: 10.2, lon: 20.6}
  - {id: town, name: Town, kind: town, lat: 10.3, lon: 20.9}
  - {id: well, name: Well, kind: village}
roads:
  - {id: ridge-road, name: Ridge Road, places: [ford, mill, gate, town]}
segments:
  - {id: well-path, from: well, to: mill}
sources:
  - {id: radio, name: Valley Radio}
  - {id: north-tv, name: Northern television}
events:
  - {date: 2024-01-01, place: ford, party: north, source: radio}
  - {date: 2024-01-01, place: mill, party: north, source: north-tv}
  - {date: 2024-01-01, place: gate, party: north, source: radio}
  - {date: 2024-01-01, place: town, party: south, source: radio}
  - {date: 2024-01-01, place: well, party: north}
  - {id: gate-fight, date: 2024-02-10, place: gate, status: contested, source: north-tv}
  - {id: gate-taken, date: 2024-02-12, date_latest: 2024-02-16, place: gate, party: east,
     source: radio}
  - {id: mill-claim, date: 2024-03-05, place: mill, party: east, claimant: east,
     confidence: low, source: north-tv}
  - {id: rumour, date: 2024-03-10, place: ford, party: south, source: radio}
retractions:
  - {event: rumour, recorded: 2024-03-20}
access:
  - {id: toll, date: 2024-02-01, segment: ridge-road/2, access: taxed, party: east}
incidents:
  - {id: strike, date: 2024-02-11, place: gate, kind: airstrike, party: north, source: radio}
  - {date: 2024-03-01, road: ridge-road, kind: clash}
  - {date: 2024-03-02, place: well, kind: shelling}
"""
LOCATED_PLACES = {
    "ford": (20.0, 10.0),
    "mill": (20.3, 10.1),
    "gate": (20.6, 10.2),
    "town": (20.9, 10.3),
}
LOCATED_SEGMENTS = {
    "ridge-road/1": ("ford", "mill"),
    "ridge-road/2": ("mill", "gate"),
    "ridge-road/3": ("gate", "town"),
}
ELEMENTS = ["ford", "mill", "gate", "town", "well", *LOCATED_SEGMENTS, "well-path"]
#: The last day with data is mill-claim's (03-05); the retracted rumour does not count.
OPEN_END = "2024-03-06"
DAY = dt.date(2024, 2, 13)


@pytest.fixture(scope="module")
def ridge_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding RIDGE, made once: copied, it opens at once."""
    folder = tmp_path_factory.mktemp("ridge")
    source = folder / "ridge.yaml"
    source.write_text(RIDGE, encoding="utf-8")
    with cg.open(f"sqlite:///{folder / 'ridge.db'}") as model:
        model.import_file(source)
    return folder / "ridge.db"


@pytest.fixture
def ridge_url(db_url: str, ridge_template: Path) -> str:
    """A database on each backend holding RIDGE."""
    if db_url.startswith("sqlite:///"):
        shutil.copyfile(ridge_template, db_url.removeprefix("sqlite:///"))
    else:
        with cg.open(db_url) as model:
            model.import_file(ridge_template.with_name("ridge.yaml"))
    return db_url


@pytest.fixture
def ridge(ridge_url: str) -> Iterator[cg.Model]:
    with cg.open(ridge_url) as model:
        yield model


@pytest.fixture
def ridge_cli(ridge_url: str) -> Cli:
    return Cli(ridge_url)


def intervals(model: cg.Model, element: str, **options: Any) -> list[dict[str, Any]]:
    """The timeline's intervals, as the contract's JSON gives them."""
    found: list[dict[str, Any]] = model.timeline(element, **options).as_dict()["intervals"]
    return found


def wkb_shape(blob: bytes) -> tuple[str, list[tuple[float, float]]]:
    """Geometry type and coordinates of a little-endian WKB Point or LineString."""
    order, kind = struct.unpack_from("<BI", blob)
    assert order == 1
    if kind == 1:
        return "Point", [struct.unpack_from("<dd", blob, 5)]
    assert kind == 2, kind
    (count,) = struct.unpack_from("<I", blob, 5)
    return "LineString", [struct.unpack_from("<dd", blob, 9 + 16 * i) for i in range(count)]


def gdal_features(
    path: Path, layer: str | None = None
) -> list[tuple[str, list[Any], dict[str, Any]]]:
    """Every feature as GDAL reads it: geometry type, coordinates, properties."""
    meta, _, geometry, values = raw.read(path, layer=layer)
    names = list(meta["fields"])
    return [
        (*wkb_shape(blob), {name: column[i] for name, column in zip(names, values, strict=True)})
        for i, blob in enumerate(geometry)
    ]


def day_text(value: Any) -> str | None:
    """A GDAL date (numpy datetime64, NaT for null) as ISO text."""
    text = str(value)
    return None if text == "NaT" else text


# -- GeoJSON -------------------------------------------------------------------------------


def test_geojson_read_with_gdal_has_one_feature_per_state_interval(
    ridge: cg.Model, tmp_path: Path
) -> None:
    path = ridge.export(tmp_path / "ridge.geojson")
    features = gdal_features(path)
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326"
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    assert types["start"] == types["end"] == "OFTDate"  # QGIS's temporal controller wants dates

    expected = {e: intervals(ridge, e) for e in [*LOCATED_PLACES, *LOCATED_SEGMENTS]}
    assert len(features) == sum(len(found) for found in expected.values())
    for kind, points, properties in features:
        element = properties["element"]
        if element in LOCATED_PLACES:
            assert (kind, points) == ("Point", [LOCATED_PLACES[element]])
        else:
            ends = LOCATED_SEGMENTS[element]
            assert (kind, points) == ("LineString", [LOCATED_PLACES[p] for p in ends])
        match = [i for i in expected[element] if i["from"] == day_text(properties["start"])]
        assert len(match) == 1, (element, properties)
        interval = match[0]
        assert properties["status"] == interval["status"]
        assert properties["controller"] == interval["controller"]
        assert bool(properties["uncertain"]) == interval["uncertain"]
        assert bool(properties["open"]) == (interval["to"] is None)
        assert day_text(properties["end"]) == (interval["to"] or OPEN_END)

    by_element = {(p["element"], day_text(p["start"])): p for _, _, p in features}
    gate = by_element["gate", "2024-02-12"]
    assert (gate["controller"], gate["controller_name"]) == ("east", "Eastern Militia")
    # East has no colour of its own: it gets a fallback one, not north's or south's.
    assert gate["color"].startswith("#") and gate["color"] not in ("#1f77b4", "#d62728")
    assert gate["uncertain"] and gate["otherwise_status"] == "contested"
    assert by_element["ford", "2024-01-01"]["color"] == "#1f77b4"
    assert by_element["ford", "2024-01-01"]["open"]  # the retracted rumour counts for nothing
    assert by_element["gate", "2024-02-10"]["sources"] == 1  # north-tv, on 02-10
    assert by_element["gate", "2024-01-01"]["reports"] == 1
    assert not any(p["element"] in ("well", "well-path") for _, _, p in features)


def test_geojson_is_rfc_7946(ridge: cg.Model, tmp_path: Path) -> None:
    document = json.loads(ridge.export(tmp_path / "ridge.geojson").read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document  # RFC 7946 removed it: WGS 84, longitude first
    place = next(f for f in document["features"] if f["properties"]["element"] == "mill")
    assert place["geometry"] == {"type": "Point", "coordinates": [20.3, 10.1]}


def test_geojson_of_one_day_has_one_feature_per_element_with_access(
    ridge: cg.Model, tmp_path: Path
) -> None:
    path = ridge.export(tmp_path / "day.geojson", on=DAY)
    features = {p["element"]: (kind, p) for kind, _, p in gdal_features(path)}
    assert set(features) == {*LOCATED_PLACES, *LOCATED_SEGMENTS}
    for element, (_, properties) in features.items():
        answer = ridge.who_held(element, DAY).as_dict()
        assert (properties["status"], properties["controller"]) == (
            answer["status"],
            answer["controller"],
        )
        assert bool(properties["uncertain"]) == answer["uncertain"]
        assert day_text(properties["date"]) == DAY.isoformat()
    assert features["ridge-road/2"][1]["access"] == "taxed"
    assert features["ridge-road/2"][1]["access_by"] == "east"
    assert day_text(features["gate"][1]["since"]) == "2024-02-12"


def test_geojson_follows_the_filters_and_the_bloc_view(ridge: cg.Model, tmp_path: Path) -> None:
    for options in (
        {"as_of": "2024-03-15"},
        {"min_confidence": "medium"},
        {"independent_only": True},
        {"by": "bloc"},
    ):
        path = ridge.export(tmp_path / "filtered.geojson", **options)
        found = sorted(
            (p["element"], day_text(p["start"]), p["controller"]) for _, _, p in gdal_features(path)
        )
        expected = sorted(
            (e, i["from"], i["controller"])
            for e in [*LOCATED_PLACES, *LOCATED_SEGMENTS]
            for i in intervals(ridge, e, **options)
        )
        assert found == expected, options


def test_open_states_end_the_day_after_the_last_day_with_data(
    ridge: cg.Model, tmp_path: Path
) -> None:
    done = ridge.export_file(tmp_path / "ridge.geojson")
    assert done.open_end == dt.date.fromisoformat(OPEN_END)
    # As known on 03-15 the rumour (03-10) counted: the data then run to 03-10.
    done = ridge.export_file(tmp_path / "ridge.geojson", as_of="2024-03-15")
    assert done.open_end == dt.date(2024, 3, 11)


# -- GeoPackage ----------------------------------------------------------------------------


def test_geopackage_read_with_gdal_has_the_four_layers(ridge: cg.Model, tmp_path: Path) -> None:
    path = ridge.export(tmp_path / "ridge.gpkg", on=DAY)
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert layers == {
        "places": "Point",
        "segments": "LineString",
        "intervals": "Unknown",  # points and lines: QGIS lists one layer per type
        "incidents": "Point",
    }
    places = gdal_features(path, "places")
    assert {p["element"]: points[0] for _, points, p in places} == LOCATED_PLACES
    segments = {p["element"]: p for _, _, p in gdal_features(path, "segments")}
    assert set(segments) == set(LOCATED_SEGMENTS)
    assert segments["ridge-road/2"]["access"] == "taxed"
    assert all(day_text(p["date"]) == DAY.isoformat() for _, _, p in places)

    history = gdal_features(path, "intervals")
    geojson = gdal_features(ridge.export(tmp_path / "ridge.geojson"))
    assert sorted((k, p["element"], day_text(p["start"])) for k, _, p in history) == sorted(
        (k, p["element"], day_text(p["start"])) for k, _, p in geojson
    )
    info = pyogrio.read_info(path, layer="intervals")
    assert dict(zip(info["fields"], info["ogr_types"], strict=True))["end"] == "OFTDate"

    meta, _, geometry, values = raw.read(path, layer="incidents")
    incidents = dict(zip(meta["fields"], values, strict=True))
    assert list(incidents["kind"]) == ["airstrike", "clash", "shelling"]
    # The road's clash is drawn at its middle segment's middle; the well has no coordinates.
    assert wkb_shape(geometry[0])[1] == [LOCATED_PLACES["gate"]]
    assert wkb_shape(geometry[1])[1] == [pytest.approx((20.45, 10.15))]
    assert geometry[2] is None


def test_geopackage_layers_default_to_the_last_day_with_data(
    ridge: cg.Model, tmp_path: Path
) -> None:
    done = ridge.export_file(tmp_path / "ridge.gpkg")
    assert done.day == dt.date(2024, 3, 5)
    assert done.written["incidents"] == 3
    assert done.left_out == {"places": 1, "segments": 1}


def test_geopackage_without_pyogrio_names_the_extra(
    ridge: cg.Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyogrio", None)
    with pytest.raises(cg.InvalidArgumentError, match=r"control-graph\[geo\]"):
        ridge.export(tmp_path / "ridge.gpkg")
    assert not list(tmp_path.glob("*.gpkg"))


# -- KML -----------------------------------------------------------------------------------

K = {"k": KML_NAMESPACE}


def test_kml_has_a_timespan_per_interval_and_a_style_per_party(
    ridge: cg.Model, tmp_path: Path
) -> None:
    root = ET.parse(ridge.export(tmp_path / "ridge.kml")).getroot()
    assert root.tag == f"{{{KML_NAMESPACE}}}kml"
    styles = {
        s.get("id"): s.find("k:LineStyle/k:color", K).text for s in root.iterfind(".//k:Style", K)
    }
    # KML colours are aabbggrr: north's #1f77b4 is ffb4771f.
    assert styles["held-north"] == "ffb4771f"
    assert styles["held-south"] == "ff2827d6"
    assert {"contested", "held-east"} <= set(styles)

    marks = root.findall(".//k:Placemark", K)
    expected = {e: intervals(ridge, e) for e in [*LOCATED_PLACES, *LOCATED_SEGMENTS]}
    assert len(marks) == sum(len(found) for found in expected.values())
    for mark in marks:
        data = {d.get("name"): d.find("k:value", K).text for d in mark.iterfind(".//k:Data", K)}
        element = data["element"]
        begin = mark.find("k:TimeSpan/k:begin", K).text
        end = mark.find("k:TimeSpan/k:end", K)
        (interval,) = [i for i in expected[element] if i["from"] == begin]
        assert (None if end is None else end.text) == interval["to"]  # open: no end
        assert mark.find("k:styleUrl", K).text[1:] in styles
        if interval["controller"]:
            assert mark.find("k:styleUrl", K).text == f"#held-{interval['controller']}"
        shape = (
            mark.find("k:Point", K) if element in LOCATED_PLACES else mark.find("k:LineString", K)
        )
        first = shape.find("k:coordinates", K).text.split()[0]
        start = element if element in LOCATED_PLACES else LOCATED_SEGMENTS[element][0]
        assert tuple(float(v) for v in first.split(",")) == LOCATED_PLACES[start]


def test_kml_of_one_day_has_no_timespans(ridge: cg.Model, tmp_path: Path) -> None:
    root = ET.parse(ridge.export(tmp_path / "day.kml", on=DAY)).getroot()
    marks = root.findall(".//k:Placemark", K)
    assert len(marks) == len(LOCATED_PLACES) + len(LOCATED_SEGMENTS)
    assert root.find(".//k:TimeSpan", K) is None


# -- GraphML and GEXF ----------------------------------------------------------------------


def test_graphml_read_with_networkx_holds_the_days_states(ridge: cg.Model, tmp_path: Path) -> None:
    path = ridge.export(tmp_path / "day.graphml", on=DAY)
    graph = nx.read_graphml(path, force_multigraph=True)
    assert set(graph.nodes) == {"ford", "mill", "gate", "town", "well"}
    assert {key for _, _, key in graph.edges(keys=True)} == {*LOCATED_SEGMENTS, "well-path"}
    assert graph.graph["date"] == DAY.isoformat()
    for place, data in graph.nodes(data=True):
        answer = ridge.who_held(place, DAY).as_dict()
        assert (data["status"], data.get("controller")) == (answer["status"], answer["controller"])
    for _, _, segment, data in graph.edges(keys=True, data=True):
        answer = ridge.who_held(segment, DAY).as_dict()
        assert (data["status"], data.get("controller")) == (answer["status"], answer["controller"])
    assert graph.nodes["gate"]["uncertain"] is True
    assert graph.nodes["mill"]["lon"] == 20.3


def test_graphml_defaults_to_the_last_day_with_data(ridge: cg.Model, tmp_path: Path) -> None:
    graph = nx.read_graphml(ridge.export(tmp_path / "net.graphml"), force_multigraph=True)
    assert graph.graph["date"] == "2024-03-05"
    assert graph.nodes["mill"]["controller"] == "east"


def test_gexf_of_one_day_has_states_and_gephi_colours(ridge: cg.Model, tmp_path: Path) -> None:
    graph = nx.read_gexf(ridge.export(tmp_path / "day.gexf", on=DAY))
    assert graph.nodes["ford"]["controller"] == "north"
    assert graph.nodes["ford"]["viz"]["color"] == {"r": 31, "g": 119, "b": 180, "a": 1.0}
    assert graph.nodes["ford"]["viz"]["position"] == {"x": 20.0, "y": 10.0, "z": 0.0}


def test_gexf_history_carries_dynamic_states(ridge: cg.Model, tmp_path: Path) -> None:
    path = ridge.export(tmp_path / "history.gexf")
    assert 'timeformat="date"' in path.read_text(encoding="utf-8")
    graph = nx.read_gexf(path)
    for element in ("gate", "mill"):
        spells = graph.nodes[element]["status"]
        expected = intervals(ridge, element)
        assert [(s, a) for s, a, _ in spells] == [(i["status"], i["from"]) for i in expected]
        # GEXF spells include their last day; networkx reads an open one as 'None'.
        last = [
            "None" if i["to"] is None else str(dt.date.fromisoformat(i["to"]) - dt.timedelta(1))
            for i in expected
        ]
        assert [b for _, _, b in spells] == last


# -- CSV -----------------------------------------------------------------------------------


def test_csv_is_the_timeline_of_every_element_in_long_form(ridge: cg.Model, tmp_path: Path) -> None:
    with ridge.export(tmp_path / "ridge.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0])[:4] == ["element", "type", "name", "kind"]
    found = [
        (r["element"], r["start"], r["end"] or None, r["status"], r["controller"] or None)
        for r in rows
    ]
    expected = [
        (e, i["from"], i["to"], i["status"], i["controller"])
        for e in sorted(ELEMENTS[:5]) + sorted(ELEMENTS[5:])
        for i in intervals(ridge, e)
    ]
    assert found == expected
    assert {r["open"] for r in rows if not r["end"]} == {"true"}
    uncertain = [r for r in rows if r["uncertain"] == "true"]
    assert [(r["element"], r["otherwise_status"]) for r in uncertain] == [("gate", "contested")]


def test_csv_by_bloc_reports_blocs(ridge: cg.Model, tmp_path: Path) -> None:
    with ridge.export(tmp_path / "bloc.csv", by="bloc").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert {r["by"] for r in rows} == {"bloc"}
    town = [(r["start"], r["controller"]) for r in rows if r["element"] == "town"]
    assert town == [(i["from"], i["controller"]) for i in intervals(ridge, "town", by="bloc")]
    assert town[0][1] == "coalition"


def test_csv_of_one_day_has_a_row_per_element(ridge: cg.Model, tmp_path: Path) -> None:
    with ridge.export(tmp_path / "day.csv", on=DAY).open(encoding="utf-8") as file:
        rows = {r["element"]: r for r in csv.DictReader(file)}
    assert set(rows) == set(ELEMENTS)
    assert rows["well"]["status"] == "held"  # no coordinates: still a row
    assert rows["ridge-road/2"]["access"] == "taxed"


# -- the dataset itself: export, then import into a new database -------------------------------

PLACES = ["ford", "mill", "gate", "town"]
SEGMENTS = ["main/1", "main/2", "main/3", "short-cut"]
PARTIES = ["north", "south", "east"]
DAY0 = dt.date(2024, 1, 1)
DAYS = [DAY0 + dt.timedelta(days=n) for n in range(0, 50, 7)]


def _day(draw: st.DrawFn, low: int = 0, high: int = 45) -> dt.date:
    return DAY0 + dt.timedelta(days=draw(st.integers(low, high)))


@st.composite
def trust_datasets(draw: st.DrawFn) -> dict[str, Any]:
    """A small valid dataset using contract section 4: ids, rough dates, lapsing
    reports, claimants, confidence, retractions, access records, incidents."""
    targets = [("place", p) for p in PLACES] + [("segment", s) for s in SEGMENTS]
    targets.append(("road", "main"))
    events, ids = [], []
    for n in range(draw(st.integers(0, 14))):
        kind, target = draw(st.sampled_from(targets))
        status = draw(st.sampled_from(["held", "held", "contested", "unknown"]))
        day = _day(draw)
        event: dict[str, Any] = {"date": day.isoformat(), kind: target, "status": status}
        if status == "held":
            event["party"] = draw(st.sampled_from(PARTIES))
        latest = day
        if draw(st.booleans()):
            latest = day + dt.timedelta(days=draw(st.integers(0, 6)))
            event["date_latest"] = latest.isoformat()
        if draw(st.integers(0, 3)) == 0:
            event["until"] = (latest + dt.timedelta(days=draw(st.integers(1, 9)))).isoformat()
        if draw(st.integers(0, 2)) == 0:
            event["claimant"] = draw(st.sampled_from(PARTIES))
        if draw(st.booleans()):
            event["confidence"] = draw(st.sampled_from(["high", "medium", "low"]))
        if draw(st.booleans()):
            event["recorded"] = (latest + dt.timedelta(days=draw(st.integers(0, 5)))).isoformat()
        if draw(st.booleans()):
            event["id"] = f"e{n}"
            ids.append(f"e{n}")
        events.append(event)
    access = []
    for n in range(draw(st.integers(0, 4))):
        kind, target = draw(
            st.sampled_from([("segment", s) for s in SEGMENTS] + [("road", "main")])
        )
        level = draw(st.sampled_from(["open", "restricted", "taxed", "fire-control", "blocked"]))
        record: dict[str, Any] = {"id": f"a{n}", "date": _day(draw).isoformat(), kind: target}
        record["access"] = level
        ids.append(f"a{n}")
        access.append(record)
    retracted = draw(st.lists(st.sampled_from(ids), max_size=3, unique=True)) if ids else []
    return {
        "format": "control-graph/1",
        "name": "round trip with trust",
        "parties": [{"id": p, "name": p.upper()} for p in PARTIES],
        "blocs": [
            {"id": "pact", "members": [{"party": "north"}, {"party": "east", "from": "2024-01-20"}]}
        ],
        "places": [{"id": p, "lat": 10 + i / 10, "lon": 20 + i / 10} for i, p in enumerate(PLACES)],
        "segments": [{"id": "short-cut", "from": "ford", "to": "town", "length_km": 3.5}],
        "roads": [{"id": "main", "places": ["ford", "mill", "gate", "town"]}],
        "sources": [{"id": "radio", "published": "2024-01-05"}],
        "events": events,
        "access": access,
        "incidents": [
            {
                "id": "i1",
                "date": _day(draw).isoformat(),
                "place": "mill",
                "kind": "airstrike",
                "claimant": "south",
            }
        ],
        "retractions": [
            {"event": ident, "recorded": _day(draw, 10, 50).isoformat()} for ident in retracted
        ],
    }


def answers(model: cg.Model) -> list[Any]:
    """Every change under each view and filter, and as known on a few days; who held
    each element on a few days with its explanation, disputes and access; passable
    paths. (``changes`` holds every element's whole history, in one question.)"""
    found: list[Any] = [
        model.changes(by=by, **options).as_dict()
        for by in ("party", "bloc")
        for options in ({}, {"min_confidence": "high"}, {"independent_only": True})
    ]
    found.extend(model.changes(as_of=day).as_dict() for day in DAYS[1::2])
    for element in [*PLACES, *SEGMENTS, "main"]:
        for day in DAYS[1::3]:
            found.append(model.who_held(element, day, explain=True).as_dict())
    for day in DAYS[2::3]:
        try:
            found.append(model.path("ford", "town", day, passable=True).as_dict())
        except cg.NoPathError as error:
            found.append(str(error))
    found.append([(i.date, i.id) for i in model.incidents()])
    return found


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database with the schema: copied, it opens at once (no migrations)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    cg.open(f"sqlite:///{path}").close()
    return path


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=trust_datasets(), suffix=st.sampled_from([".yaml", ".json"]))
def test_export_then_import_answers_every_question_the_same(
    document: dict[str, Any],
    suffix: str,
    tmp_path_factory: pytest.TempPathFactory,
    empty_database: Path,
) -> None:
    folder = tmp_path_factory.mktemp("round")
    original = folder / "original.json"
    original.write_text(json.dumps(document), encoding="utf-8")
    for name in ("first.db", "second.db"):
        shutil.copyfile(empty_database, folder / name)
    with (
        cg.open(f"sqlite:///{folder / 'first.db'}") as first,
        cg.open(f"sqlite:///{folder / 'second.db'}") as second,
    ):
        first.import_file(original)
        second.import_file(first.export(folder / f"copy{suffix}"))
        assert answers(second) == answers(first)
        assert second.dataset() == first.dataset()


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_export_command_then_import_gives_the_same_answers(
    valley_cli: Cli, db_url: str, tmp_path: Path, suffix: str
) -> None:
    assert valley_cli("import", str(VALLEY.with_name("valley-v2.yaml"))).exit_code == 0
    copy = tmp_path / f"copy{suffix}"
    result = valley_cli("export", str(copy))
    assert result.exit_code == 0, result.output
    with cg.open(db_url) as first, cg.open(f"sqlite:///{tmp_path / 'copy.db'}") as second:
        second.import_file(copy)
        assert second.dataset() == first.dataset()
        for element in ("gate", "valley-road", "market", "lake-road", "camp-track"):
            for day in ("2024-02-11", "2025-02-14", "2025-03-12", "2025-06-02"):
                assert (
                    second.who_held(element, day, explain=True).as_dict()
                    == first.who_held(element, day, explain=True).as_dict()
                )
            assert (
                second.timeline(element, by="bloc").as_dict()
                == first.timeline(element, by="bloc").as_dict()
            )
        assert second.changes().as_dict() == first.changes().as_dict()


# -- the command line: messages, errors, nothing half-written -------------------------------------


def test_export_command_says_what_it_wrote_and_left_out(ridge_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "ridge.geojson"
    result = ridge_cli("export", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Left out 1 place and 1 segment without coordinates" in result.stderr
    assert f"end on {OPEN_END}" in result.stderr
    done = ridge_cli.json("export", str(target), "--on", "2024-02-13")
    assert done["format"] == "geojson" and done["date"] == "2024-02-13"
    assert done["written"] == {"features": 7, "places": 4, "segments": 3}
    assert done["left_out"] == {"places": 1, "segments": 1}


def test_export_format_option_overrides_the_extension(ridge_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "ridge.txt"
    assert ridge_cli("export", str(target), "--format", "csv").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("element,type,name")
    target = tmp_path / "backup.dat"
    assert ridge_cli("export", str(target), "--format", "yaml").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("format: control-graph/1")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["ridge.shp"], "cannot tell the format of ridge.shp"),
        (["ridge"], "a name without extension"),
        (["ridge.csv", "--format", "shapefile"], "Invalid value for '--format'"),
        (["missing/ridge.csv"], "the folder"),
        (["ridge.yaml", "--by", "bloc"], "the yaml export is the dataset itself"),
        (["ridge.json", "--as-of", "2024-02-01"], "the json export is the dataset itself"),
        (["ridge.html", "--on", "2024-02-01"], "takes no day"),
        (["ridge.csv", "--tiles", "https://t/{z}/{x}/{y}.png"], "tiles are for the html map"),
        ([".", "--format", "csv"], "it is a folder"),
    ],
)
def test_export_errors_exit_2_and_write_nothing(
    ridge_cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    message: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    result = ridge_cli("export", *arguments)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []


def test_a_failed_write_leaves_the_old_file_and_no_part_file(
    ridge: cg.Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "ridge.kml"
    target.write_text("the previous export", encoding="utf-8")

    def disk_full(self: ET.ElementTree, file: Any, *args: Any, **kwargs: Any) -> None:
        file.write(b"<?xml version='1.0'?><kml")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ET.ElementTree, "write", disk_full)
    with pytest.raises(cg.InvalidArgumentError, match="No space left on device"):
        ridge.export(target)
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert list(out.iterdir()) == [target]


def test_html_export_is_the_offline_map(ridge_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    result = ridge_cli(
        "export", str(target), "--title", "Ridge", "--tiles", "https://t.example/{z}/{x}/{y}.png"
    )
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert "<title>Ridge</title>" in page and "t.example" in page


def test_export_in_a_scenario(ridge: cg.Model, tmp_path: Path) -> None:
    what_if = ridge.scenario("gate-holds", create=True)
    what_if.suppress_event(
        next(e.id for e in what_if.events("gate") if e.record.id == "gate-taken")
    )
    with what_if.export(tmp_path / "what-if.csv").open(encoding="utf-8") as file:
        gate = [r["controller"] for r in csv.DictReader(file) if r["element"] == "gate"]
    assert "east" not in gate
    assert (tmp_path / "what-if.csv").exists()


def test_every_format_has_an_extension() -> None:
    assert list(FORMATS) == [
        "geojson",
        "gpkg",
        "kml",
        "graphml",
        "gexf",
        "csv",
        "yaml",
        "json",
        "html",
    ]
    assert all(f.extensions for f in FORMATS.values())


def test_the_export_command_imports_no_format_library() -> None:
    code = (
        "import sys\n"
        "from control_graph.cli import main\n"
        "main.get_command(None, 'export')\n"
        "heavy = {'networkx', 'pyogrio', 'yaml', 'matplotlib'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_map_export_never_imports_matplotlib(tmp_path: Path) -> None:
    code = (
        "import sys, control_graph as cg\n"
        "model = cg.open('sqlite://')\n"
        "model.import_file(cg.sample_path())\n"
        f"for name in ('a.geojson', 'a.kml', 'a.csv', 'a.gexf', 'a.gpkg', 'a.yaml'):\n"
        f"    model.export({str(tmp_path)!r} + '/' + name)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
