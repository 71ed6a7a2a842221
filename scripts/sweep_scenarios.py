#!/usr/bin/env python3
"""Sweep hypotheses and compare them side by side.

For each hypothetical outcome (Bhamo falls to the KIA, the junta retakes Lamyan, the
report of Lonton's recapture is false) and each of several dates, builds a scenario on
the Kachin sample and measures it against the reported data a week later: road-km held
per bloc, elements that change hands, and whether the KIA-led coalition can still go
from Hpakant to Indawgyi and from Lamyan to Bhamo on its own ground. Prints a table,
and with --plot FILE draws the road-km per bloc for every scenario.

    python scripts/sweep_scenarios.py --plot sweep.png
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import control_graph as cg

DATES = [dt.date(2026, 2, 10), dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
ROUTES = [("hpakant", "indawgyi"), ("lamyan", "bhamo")]
COALITION = "kia-coalition"


def bhamo_falls(scenario: cg.Model, day: dt.date) -> None:
    scenario.add_event(day, place="bhamo", party="kia", kind="capture")


def lamyan_retaken(scenario: cg.Model, day: dt.date) -> None:
    scenario.add_event(day, place="lamyan", party="saf", kind="capture")


def lonton_report_false(scenario: cg.Model, _day: dt.date) -> None:
    recapture = [e for e in scenario.events("lonton") if e.party == "kia" and e.kind]
    scenario.suppress_event(recapture[-1].id, note="suppose the recapture report is false")


HYPOTHESES: dict[str, Callable[[cg.Model, dt.date], None]] = {
    "bhamo-falls": bhamo_falls,
    "lamyan-retaken": lamyan_retaken,
    "lonton-report-false": lonton_report_false,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a temporary copy of the sample)")
    parser.add_argument("--plot", type=Path, help="write a bar chart of road-km per bloc here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'sample.db'}"
        with cg.open(url) as reported:
            if not reported.has_imported(cg.sample_path()):
                reported.import_file(cg.sample_path())
            rows = sweep(reported)
    print_table(rows)
    if args.plot:
        plot(rows, args.plot)
        print(f"\nwrote {args.plot}")


def sweep(reported: cg.Model) -> list[dict[str, object]]:
    rows = []
    for hypothesis, apply in HYPOTHESES.items():
        for day in DATES:
            name = f"sweep-{hypothesis}-{day.isoformat()}"
            if name in {s.name for s in reported.scenarios()}:
                reported.delete_scenario(name)
            scenario = reported.scenario(name, description=f"{hypothesis} on {day}")
            apply(scenario, day)
            week_later = day + dt.timedelta(days=7)
            places = sorted({p for route in ROUTES for p in route})
            result = cg.compare(reported, scenario, on=week_later, by="bloc", between=places)
            reach = {
                (r.start, r.end): r.b_km for r in result.reachability if r.controller == COALITION
            }
            rows.append(
                {
                    "hypothesis": hypothesis,
                    "date": day,
                    "changed": len(result.differences),
                    "km": result.km_b,
                    "km_reported": result.km_a,
                    **{
                        f"{a}->{b}": reach.get(tuple(sorted((a, b))), reach.get((a, b)))
                        for a, b in ROUTES
                    },
                }
            )
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    routes = [f"{a}->{b}" for a, b in ROUTES]
    header = ["hypothesis", "date", "changed", "coalition km", "contested km", *routes]
    print("  ".join(f"{h:<20}" if i == 0 else f"{h:>14}" for i, h in enumerate(header)))
    for row in rows:
        km = row["km"]
        assert isinstance(km, dict)
        cells = [
            str(row["hypothesis"]),
            str(row["date"]),
            str(row["changed"]),
            f"{km.get(COALITION, 0.0):.1f}",
            f"{km.get('(contested)', 0.0):.1f}",
            *("no path" if row[r] is None else f"{row[r]:.1f}" for r in routes),
        ]
        print("  ".join(f"{c:<20}" if i == 0 else f"{c:>14}" for i, c in enumerate(cells)))


def plot(rows: list[dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    keys = sorted({k for row in rows for k in row["km"]})  # type: ignore[attr-defined]
    labels = [f"{row['hypothesis']}\n{row['date']}" for row in rows]
    figure = Figure(figsize=(max(8, len(rows) * 0.9), 5), layout="constrained")
    ax = figure.add_subplot()
    bottom = [0.0] * len(rows)
    # Held ground in colour; contested hatched grey, unknown pale grey, as in the maps.
    style = {"(contested)": {"color": "#9e9e9e", "hatch": "//"}, "(unknown)": {"color": "#e0e0e0"}}
    for key in keys:
        values = [float(row["km"].get(key, 0.0)) for row in rows]  # type: ignore[attr-defined]
        ax.bar(range(len(rows)), values, bottom=bottom, label=key, **style.get(key, {}))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(range(len(rows)), labels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("road-km a week after the hypothetical day")
    ax.set_title("Kachin sample: road-km held per bloc under each hypothesis")
    ax.legend(fontsize=8)
    figure.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
