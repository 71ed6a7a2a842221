#!/usr/bin/env python
"""How long the plots take on a large synthetic network (10,000 places by default).

Generates, deterministically from ``--seed``, a jittered grid of places (a few without
coordinates), roads along the rows, extra segments between rows, five parties in two
blocs (three without a colour of their own), a year of fronts moving across the grid
and a few hundred incidents; imports it into a fresh SQLite database; then times
``plot_map`` (and writing the PNG), ``plot_timeline`` of one road, ``plot_shares`` and a
short animation. Only the public API is used. The issue asks for the map in under 30 s;
docs/gallery.md records the figures measured.

Examples::

    python scripts/bench_plot.py                     # 10,000 places
    python scripts/bench_plot.py --places 400        # a quick run
    python scripts/bench_plot.py --keep out/         # keep the dataset and the images
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import control_graph as cg
from control_graph import plot

REQUIRE_MAP_S = 30.0
FIRST_DAY = dt.date(2024, 1, 1)
MONTHS = 12
PARTIES: list[dict[str, Any]] = [
    {"id": "north-army", "name": "Northern Army", "color": "#D55E00"},
    {"id": "south-front", "name": "Southern Front", "color": "#009E73"},
    {"id": "east-militia", "name": "Eastern Militia"},
    {"id": "west-guard", "name": "Western Guard"},
    {"id": "river-brigade", "name": "River Brigade"},
]
BLOCS = [
    {"id": "government", "name": "Government side",
     "members": [{"party": "north-army"}, {"party": "east-militia"}]},
    {"id": "resistance", "name": "Resistance",
     "members": [{"party": "south-front"}, {"party": "west-guard"},
                 {"party": "river-brigade"}]},
]  # fmt: skip
INCIDENT_KINDS = ["airstrike", "clash", "shelling", "ambush"]


def make_dataset(places: int, seed: int) -> dict[str, Any]:
    """A synthetic dataset with about ``places`` places on a grid."""
    rng = random.Random(seed)
    side = max(2, round(math.sqrt(places)))
    step = 4.5 / side  # degrees: the grid spans 4.5 degrees either way

    def pid(r: int, c: int) -> str:
        return f"p-{r:03d}-{c:03d}"

    rows: list[dict[str, Any]] = []
    coords: dict[str, tuple[float, float]] = {}
    for r in range(side):
        for c in range(side):
            lat = 20.0 + r * step + rng.uniform(-0.3, 0.3) * step
            lon = 94.0 + c * step + rng.uniform(-0.3, 0.3) * step
            coords[pid(r, c)] = (lat, lon)
            town = r % 10 == 5 and c % 10 == 5
            kind = "town" if town else rng.choices(
                ["village", "checkpoint", "bridge", "camp"], [90, 6, 3, 1]
            )[0]  # fmt: skip
            place: dict[str, Any] = {"id": pid(r, c), "name": f"{'Town' if town else 'Place'}"
                                     f" {r}-{c}", "kind": kind}  # fmt: skip
            if town or rng.random() > 0.03:
                place["lat"], place["lon"] = round(lat, 5), round(lon, 5)
            rows.append(place)
    roads = [
        {"id": f"row-{r}", "name": f"Row {r} highway", "places": [pid(r, c) for c in range(side)]}
        for r in range(side)
    ]
    segments = [
        {"id": f"v-{r}-{c}", "from": pid(r, c), "to": pid(r + 1, c)}
        for r in range(side - 1)
        for c in range(side)
        if rng.random() < 0.5
    ]

    # Fronts: each party holds the ground nearest its seed; seeds drift month by month.
    seeds = [(rng.uniform(20, 24.5), rng.uniform(94, 98.5)) for _ in range(8)]
    owners = [PARTIES[i % len(PARTIES)]["id"] for i in range(len(seeds))]
    events: list[dict[str, Any]] = []
    state: dict[str, str] = {}
    for month in range(MONTHS + 1):
        day = (FIRST_DAY + dt.timedelta(days=30 * month)).isoformat()
        for place, (lat, lon) in coords.items():
            distances = sorted((math.hypot(lat - a, lon - b), i) for i, (a, b) in enumerate(seeds))
            (d0, first), (d1, _) = distances[0], distances[1]
            wanted = "contested" if d1 - d0 < step * 0.8 else owners[first]
            if state.get(place) == wanted:
                continue
            state[place] = wanted
            event: dict[str, Any] = {"date": day, "place": place}
            if wanted == "contested":
                event["status"] = "contested"
            else:
                event["party"] = wanted
            events.append(event)
        seeds = [(a + rng.uniform(-0.25, 0.25), b + rng.uniform(-0.25, 0.25)) for a, b in seeds]
    last = (FIRST_DAY + dt.timedelta(days=30 * MONTHS)).toordinal()
    incidents = [
        {
            "date": dt.date.fromordinal(rng.randint(FIRST_DAY.toordinal(), last)).isoformat(),
            "place": rng.choice(list(coords)),
            "kind": rng.choice(INCIDENT_KINDS),
        }
        for _ in range(max(10, places // 30))
    ]
    return {
        "format": "control-graph/1",
        "name": f"Synthetic network, {side * side:,} places",
        "parties": PARTIES,
        "blocs": BLOCS,
        "places": rows,
        "roads": roads,
        "segments": segments,
        "events": sorted(events, key=lambda e: e["date"]),
        "incidents": sorted(incidents, key=lambda i: i["date"]),
    }


def timed(label: str, results: dict[str, float], action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = action()
    results[label] = time.perf_counter() - start
    print(f"  {label:<34} {results[label]:7.2f} s", flush=True)
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--places", type=int, default=10_000, help="about this many places")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the dataset and images here")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="cg-bench-plot-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, float] = {}
    dataset = work / "synthetic.json"
    data = timed("generate the dataset", results, lambda: make_dataset(args.places, args.seed))
    dataset.write_text(json.dumps(data), encoding="utf-8")
    print(
        f"  {len(data['places']):,} places, "
        f"{sum(len(r['places']) - 1 for r in data['roads']) + len(data['segments']):,} segments, "
        f"{len(data['events']):,} events, {len(data['incidents']):,} incidents"
    )
    database = work / "synthetic.db"
    database.unlink(missing_ok=True)
    with cg.open(f"sqlite:///{database}") as model:
        timed("import", results, lambda: model.import_file(dataset))
        on = FIRST_DAY + dt.timedelta(days=30 * MONTHS - 15)

        def draw_map() -> None:
            fig, _ = plot.plot_map(model, on, incidents="14d")
            plot.save_figure(fig, work / "synthetic-map.png", dpi=150)

        timed("map (plot_map + PNG at 150 dpi)", results, draw_map)

        def draw_bloc_map() -> None:
            fig, _ = plot.plot_map(model, on, by="bloc")
            plot.save_figure(fig, work / "synthetic-map-bloc.svg")

        timed("map by bloc (SVG)", results, draw_bloc_map)

        middle_road = data["roads"][len(data["roads"]) // 2]["id"]

        def draw_timeline() -> None:
            fig, _ = plot.plot_timeline(model, middle_road)
            plot.save_figure(fig, work / "synthetic-timeline.png")

        timed("timeline of the middle road (PNG)", results, draw_timeline)

        def draw_shares() -> None:
            fig, _ = plot.plot_shares(model, by="bloc")
            plot.save_figure(fig, work / "synthetic-shares.png")

        timed("shares by bloc (PNG)", results, draw_shares)
        timed(
            "animation, 4 frames (GIF at 80 dpi)",
            results,
            lambda: plot.animate_map(
                model,
                work / "synthetic.gif",
                start=FIRST_DAY,
                end=FIRST_DAY + dt.timedelta(days=90),
                step="30d",
                dpi=80,
            ),
        )
    print(f"Output in {work}")
    ok = results["map (plot_map + PNG at 150 dpi)"] < REQUIRE_MAP_S
    print(f"Map in under {REQUIRE_MAP_S:.0f} s: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
