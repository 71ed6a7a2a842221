"""Where the page draws things: a position for every place that has one or can be
placed among its neighbours (:func:`_estimate_positions`), rounded for the page, and the
geography around the places (:func:`_geography`: the shipped Natural Earth land, coasts,
borders and states, and the analyst's own basemap), as flat coordinate lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from control_graph.geography import bounds_of, load_geography, read_basemap

if TYPE_CHECKING:
    from control_graph.model.records import Place, Segment

_POSITION_DIGITS = 5  # about a metre
_ESTIMATE_ROUNDS = 30
_GEOGRAPHY_MARGIN = 2.0


def _estimate_positions(
    places: Sequence[Place], segments: Iterable[Segment]
) -> tuple[dict[str, tuple[float, float]], set[str]]:
    """``(lon, lat)`` of every place that has one or can be placed among its neighbours.

    A place without coordinates goes to the mean of its placed neighbours, repeated a
    few rounds so that a chain of such places spreads out between its known ends; places
    with no placed place anywhere in reach get no position (the page lists them only).
    """
    neighbours: dict[str, list[str]] = defaultdict(list)
    for segment in segments:
        neighbours[segment.start].append(segment.end)
        neighbours[segment.end].append(segment.start)
    known = {p.id: (p.lon, p.lat) for p in places if p.lon is not None and p.lat is not None}
    positions: dict[str, tuple[float, float]] = dict(known)
    missing = [p.id for p in places if p.id not in known]
    for _ in range(_ESTIMATE_ROUNDS):
        moved = False
        for ident in missing:
            around = [positions[n] for n in neighbours[ident] if n in positions and n != ident]
            if not around:
                continue
            lon = sum(p[0] for p in around) / len(around)
            lat = sum(p[1] for p in around) / len(around)
            moved = moved or positions.get(ident) != (lon, lat)
            positions[ident] = (lon, lat)
        if not moved:
            break
    return positions, {ident for ident in missing if ident in positions}


def _rounded(position: tuple[float, float] | None, axis: int) -> float | None:
    return None if position is None else round(position[axis], _POSITION_DIGITS)


def _flat(points: Iterable[tuple[float, float]]) -> list[float]:
    """``[lon, lat, lon, lat, ...]`` to about 10 m, finer than the shipped geography."""
    return [round(value, 4) for point in points for value in point]


def _geography(
    positions: Iterable[tuple[float, float]], basemap: str | Path | None
) -> dict[str, Any] | None:
    """Land, coasts, borders and states around the places (and the analyst's basemap)."""
    points = list(positions)
    if not points:
        return None
    west, south, east, north = bounds_of(points)
    # A square around the places, grown by twice its side in every direction: screens are
    # wider than most areas of interest, and a reader zooming out should still see land.
    side = max(east - west, north - south, 0.2)
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    bounds = (middle_x - side / 2, middle_y - side / 2, middle_x + side / 2, middle_y + side / 2)
    geo = load_geography(bounds, margin=_GEOGRAPHY_MARGIN)
    # Names go inside the part of each area near the places, where the reader looks.
    near = load_geography(bounds, margin=0.1)
    labels = [
        {"name": area.name, "kind": area.kind, "lon": lon, "lat": lat}
        for area in (*near.countries, *near.admin1)
        if area.name and area.polygons
        for lon, lat in [area.label_point()]
    ]
    lines = {
        "coastline": [_flat(line.points) for line in geo.coastlines],
        "border": [_flat(line.points) for line in geo.borders],
        "admin1": [_flat(line.points) for line in geo.admin1_lines],
    }
    attribution = geo.attribution
    if basemap is not None:
        own = read_basemap(basemap, bounds)
        lines["basemap"] = [
            *(_flat(ring) for area in own.areas for ring in area.rings()),
            *(_flat(line.points) for line in own.lines),
        ]
        labels += [
            {"name": area.name, "kind": "basemap", "lon": lon, "lat": lat}
            for area in own.areas
            if area.name and area.polygons
            for lon, lat in [area.label_point()]
        ]
        attribution = f"{attribution}; boundaries: {Path(basemap).name}"
    return {
        "bounds": list(geo.bounds),
        "land": [_flat(ring) for area in geo.land for ring in area.rings()],
        "lines": lines,
        "labels": labels,
        "attribution": attribution,
    }
