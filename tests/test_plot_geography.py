"""Geography under the maps: the shipped Natural Earth layers, the analyst's own
basemap, cropping, the inset locator map, and what a map shows over land and sea."""

from __future__ import annotations

import builtins
import json
import math
import struct
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

import control_graph as cg
from control_graph.geography import Geography, load_geography, pad_bounds, read_basemap
from control_graph.plot import plot_map
from control_graph.plot.basemap import LAND, SEA
from tests.conftest import Cli

COAST = Path(__file__).resolve().parents[1] / "docs" / "gallery" / "rakhine-coast.yaml"
RAKHINE = (92.2, 19.8, 94.2, 21.5)


def within(geo: Geography) -> bool:
    west, south, east, north = geo.bounds
    points = [
        p for area in (*geo.land, *geo.countries, *geo.admin1) for r in area.rings() for p in r
    ]
    points += [
        p for line in (*geo.coastlines, *geo.borders, *geo.admin1_lines) for p in line.points
    ]
    xs, ys = np.array(points).T
    eps = 1e-9
    return bool(
        (xs >= west - eps).all()
        and (xs <= east + eps).all()
        and (ys >= south - eps).all()
        and (ys <= north + eps).all()
    )


def test_coastal_rakhine_has_coast_border_and_states_clipped_to_the_area() -> None:
    geo = load_geography(RAKHINE, margin=0.1)
    assert geo.bounds == pad_bounds(RAKHINE, 0.1)
    assert {a.name for a in geo.countries} == {"Bangladesh", "Myanmar"}
    states = {(a.name, a.country) for a in geo.admin1}
    assert ("Rakhine", "Myanmar") in states and ("Chin", "Myanmar") in states
    assert {line.name for line in geo.borders} == {"Bangladesh / Myanmar"}
    assert "Chin / Rakhine" in {line.name for line in geo.admin1_lines}
    assert sum(len(line.points) for line in geo.coastlines) > 100
    assert within(geo)
    for area in geo.land:
        for ring in area.rings():
            assert ring[0] == ring[-1] and len(ring) >= 4
    # Sittwe is on land, the sea west of it is not.
    rakhine = next(a for a in geo.admin1 if a.name == "Rakhine")
    assert rakhine.label_point()[0] > 92.2


def test_the_whole_world_and_geojson() -> None:
    world = load_geography()
    assert len(world.countries) > 200 and len(world.admin1) > 3000
    doc = load_geography(RAKHINE).to_geojson()
    kinds = {f["properties"]["kind"] for f in doc["features"]}
    assert kinds == {"land", "country", "admin1", "coastline", "border"}


def test_a_basemap_file_is_read_clipped_and_named(tmp_path: Path) -> None:
    ring = [[92.0, 20.0], [95.0, 20.0], [95.0, 21.0], [92.0, 21.0], [92.0, 20.0]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"NAME": "Township A"},
             "geometry": {"type": "Polygon", "coordinates": [ring]}},
            {"type": "Feature", "properties": {"NAME": "Track"},
             "geometry": {"type": "LineString", "coordinates": [[92.5, 20.5], [93.5, 20.6]]}},
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
             "coordinates": [93.0, 20.5]}},
        ],
    }  # fmt: skip
    path = tmp_path / "townships.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    basemap = read_basemap(path, (92.5, 20.2, 93.5, 20.8), margin=0.0)
    assert basemap.name_field == "NAME"
    assert [a.name for a in basemap.areas] == ["Township A"]
    xs = [x for ring in basemap.areas[0].rings() for x, _ in ring]
    assert min(xs) == pytest.approx(92.5) and max(xs) == pytest.approx(93.5)
    assert [line.name for line in basemap.lines] == ["Track"]


def test_bad_basemaps_are_our_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(cg.InvalidArgumentError, match="no such file"):
        read_basemap(tmp_path / "nope.geojson")
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(cg.InvalidArgumentError, match="not readable GeoJSON"):
        read_basemap(broken)
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(cg.InvalidArgumentError, match="no polygons or lines"):
        read_basemap(empty)
    shapefile = tmp_path / "townships.shp"
    shapefile.write_bytes(b"\x00" * 100)
    real_import = builtins.__import__

    def no_pyogrio(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pyogrio"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyogrio)
    with pytest.raises(cg.InvalidArgumentError, match="pip install pyogrio"):
        read_basemap(shapefile)


def colour_at(fig: Figure, ax: Axes, lon: float, lat: float) -> np.ndarray:
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3] / 255.0  # type: ignore[attr-defined]
    x, y = ax.transData.transform((lon, lat))
    return np.asarray(pixels[int(pixels.shape[0] - y), int(x)])


@pytest.fixture(scope="module")
def coast() -> cg.Model:
    model = cg.open("sqlite://")
    model.import_file(COAST)
    return model


def test_the_coastal_map_shows_sea_and_land_and_an_inset(coast: cg.Model) -> None:
    fig, ax = plot_map(coast, "2024-12-24")
    # The Bay of Bengal off Sittwe is sea; inland of Mrauk-U is land.
    assert np.allclose(colour_at(fig, ax, 92.55, 19.9), to_rgb(SEA), atol=0.02)
    assert np.allclose(colour_at(fig, ax, 93.55, 20.45), to_rgb(LAND), atol=0.02)
    assert len(fig.axes) == 2  # the map and its inset locator map
    texts = [t.get_text() for t in ax.texts]
    assert "MYANMAR" in texts
    assert any(t.startswith("Source: ") and "Natural Earth" in t for t in texts)
    # Cropped to the data with a margin: every place inside, none far from the edge.
    x0, x1 = ax.get_xlim()
    assert 92.0 < x0 < 92.3 and 94.05 < x1 < 94.4


def test_geography_can_be_left_out_and_a_basemap_added(coast: cg.Model, tmp_path: Path) -> None:
    fig, ax = plot_map(coast, "2024-12-24", geography=False)
    assert len(fig.axes) == 1
    assert not any("Natural Earth" in t.get_text() for t in ax.texts)
    path = tmp_path / "my-townships.geojson"
    line = [[92.8, 20.0], [93.4, 20.9]]
    path.write_text(json.dumps({"type": "LineString", "coordinates": line}), encoding="utf-8")
    fig, ax = plot_map(coast, "2024-12-24", basemap=path)
    legend = {t.get_text() for leg in ax.artists for t in leg.get_texts()}  # type: ignore[attr-defined]
    assert "my-townships.geojson" in legend


def test_plot_map_command_takes_a_basemap(sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(sqlite_url)
    assert cli("import", str(COAST), "-q").exit_code == 0
    out = tmp_path / "coast.png"
    missing = cli("plot", "map", "--on", "2024-12-24", "--basemap", "nope.geojson", "-o", str(out))
    assert missing.exit_code == 2 and not out.exists()
    document = cli.json("plot", "map", "--on", "2024-12-24", "--no-geography", "-o", str(out))
    assert document["plot"] == "map" and out.read_bytes()[:4] == b"\x89PNG"


def test_any_gdal_format_is_read_in_longitude_and_latitude(tmp_path: Path) -> None:
    raw = pytest.importorskip("pyogrio.raw", reason="reading other formats needs pyogrio")
    # A township boundary stored in Web Mercator metres (EPSG:3857) in a GeoPackage.
    lon_lat = [(92.9, 20.1), (93.2, 20.6)]
    metres = [
        (
            6378137 * math.radians(lon),
            6378137 * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)),
        )
        for lon, lat in lon_lat
    ]
    wkb = struct.pack("<BII", 1, 2, len(metres)) + b"".join(struct.pack("<dd", *p) for p in metres)
    path = tmp_path / "townships.gpkg"
    raw.write(
        path,
        np.array([wkb], dtype=object),
        [np.array(["Boundary A"], dtype=object)],
        fields=["name"],
        crs="EPSG:3857",
        geometry_type="LineString",
        driver="GPKG",
    )
    basemap = read_basemap(path)
    assert [line.name for line in basemap.lines] == ["Boundary A"]
    assert np.allclose(basemap.lines[0].points, lon_lat, atol=1e-6)
