#!/usr/bin/env python3
"""What changes if Bhamo falls to the KIA?

Loads the built-in Kachin sample (or uses --db), supposes in a scenario that the KIA
takes Bhamo on a given day, and compares it with the reported data the day after:
which places and road segments change hands, how each road stands, road-km per bloc,
and who can still reach whom on their own ground.

    python scripts/what_if_bhamo_falls.py --on 2026-03-01
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

import control_graph as cg

PLACES = ["bhamo", "myitkyina", "waingmaw", "lamyan", "hpakant"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--on",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 3, 1),
        help="day Bhamo falls (YYYY-MM-DD)",
    )
    parser.add_argument("--db", help="database URL (default: a temporary copy of the sample)")
    parser.add_argument("--by", choices=["party", "bloc"], default="bloc")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'sample.db'}"
        with cg.open(url) as reported:
            if not reported.has_imported(cg.sample_path()):
                reported.import_file(cg.sample_path())
            day = args.on
            name = f"bhamo-falls-{day.isoformat()}"
            if name in {s.name for s in reported.scenarios()}:
                reported.delete_scenario(name)
            what_if = reported.scenario(name, description=f"the KIA takes Bhamo on {day}")
            what_if.add_event(
                day, place="bhamo", party="kia", kind="capture", note="hypothesis: Bhamo falls"
            )
            after = day + dt.timedelta(days=1)
            result = cg.compare(reported, what_if, on=after, by=args.by, between=PLACES)
            report(result)


def report(result: cg.CompareResult) -> None:
    print(f"{result.a} vs {result.b} on {result.date} (by {result.by})\n")
    print("Changes hands:")
    for difference in result.differences:
        print(
            f"  {difference.element:<26} {describe(difference.a):<22} -> {describe(difference.b)}"
        )
    print("\nRoads:")
    for road in result.roads:
        mark = "  <- changes" if road.differs else ""
        print(f"  {road.name or road.road:<30} {describe(road.a):<22} {describe(road.b)}{mark}")
    print("\nRoad-km held:")
    for key in sorted(set(result.km_a) | set(result.km_b)):
        print(f"  {key:<16} {result.km_a.get(key, 0.0):8.1f} {result.km_b.get(key, 0.0):8.1f}")
    print("\nWho can reach whom on their own ground (km):")
    for reach in result.reachability:
        if reach.a_km is None and reach.b_km is None:
            continue
        print(
            f"  {reach.controller:<14} {reach.start:>10} -> {reach.end:<10} "
            f"{km(reach.a_km):>8} {km(reach.b_km):>8}"
        )


def describe(state: cg.State | None) -> str:
    if state is None:
        return "(absent)"
    return f"held by {state.controller}" if state.controller else state.status.value


def km(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
