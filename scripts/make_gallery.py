#!/usr/bin/env python
"""Draw the plots of docs/gallery.md: the built-in Kachin sample, the illustrative
coastal Rakhine example (docs/gallery/rakhine-coast.yaml), and one map of a synthetic
network of 10,000 places (made by scripts/bench_plot.py), timed.

Every image in docs/gallery/ comes from here, so the gallery can be redrawn after a
change to the plots or to the sample::

    python scripts/make_gallery.py                 # writes docs/gallery/*.png
    python scripts/make_gallery.py --out /tmp/g    # somewhere else
    python scripts/make_gallery.py --synthetic 0   # without the synthetic map
    python scripts/make_gallery.py --animation /tmp/kachin.gif   # and the animation

Only the public API is used: ``control_graph.open``, ``control_graph.plot``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import control_graph as cg
from control_graph import plot

ROOT = Path(__file__).resolve().parent.parent
DPI = 110
#: Real places of coastal Rakhine State at approximate coordinates, with made-up events.
COAST = ROOT / "docs" / "gallery" / "rakhine-coast.yaml"

#: Days the small multiples show: before the offensive, during it, after the recapture.
GWAYKHAR_DAYS = ("2025-06-01", "2025-12-01", "2026-02-01", "2026-02-06")


def small_multiples(model: cg.Model) -> Figure:
    """Four maps of the Gwaykhar Road side by side, drawn into one figure with ``ax=``."""
    fig = Figure(figsize=(15, 5.2))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(GWAYKHAR_DAYS))
    fig.subplots_adjust(left=0.03, right=0.86, top=0.84, bottom=0.06, wspace=0.18)
    for i, (ax, day) in enumerate(zip(axes, GWAYKHAR_DAYS, strict=True)):
        plot.plot_map(
            model,
            day,
            roads=["gwaykhar-road"],
            incidents="30d",
            legend=i == len(GWAYKHAR_DAYS) - 1,
            title=day,
            subtitle=False,
            ax=ax,
        )
    fig.suptitle(
        "The Gwaykhar Road (Hpakant \u2013 Indawgyi), four days", x=0.03, ha="left",
        fontsize=13, fontweight="bold",
    )  # fmt: skip
    return fig


def bhamo_falls(model: cg.Model) -> Figure:
    """The reported data beside a scenario in which the KIA takes Bhamo on 1 March."""
    what_if = model.scenario("bhamo-falls")
    what_if.add_event("2026-03-01", place="bhamo", party="kia")
    return plot.plot_compare(model, what_if, "2026-03-02")[0]


def coast_overview(model: cg.Model) -> Figure:
    """The coastal example at the end of its year, with the fortnight's incidents."""
    return plot.plot_map(model, "2024-12-24", incidents="14d")[0]


def coast_trust(model: cg.Model) -> Figure:
    """How sure the coastal example is on 24 December: a capture dated only to "the
    second half of December", a disputed denial, and road access beside control."""
    roads = ["sittwe-ann-road", "kyaukphyu-ann-road"]
    return plot.plot_map(model, "2024-12-24", roads=roads)[0]


PLOTS: dict[str, Callable[[cg.Model], Figure]] = {
    "kachin-map-2026-02-01.png": lambda m: plot.plot_map(m, "2026-02-01", incidents="14d")[0],
    "kachin-map-2026-02-06.png": lambda m: plot.plot_map(m, "2026-02-06", incidents="14d")[0],
    "kachin-map-by-bloc.png": lambda m: plot.plot_map(m, "2026-02-01", by="bloc")[0],
    "kachin-map-mongnar-road.png": lambda m: plot.plot_map(
        m, "2026-02-03", roads=["mongnar-road"], incidents="7d"
    )[0],
    "kachin-gwaykhar-small-multiples.png": small_multiples,
    "kachin-timeline-gwaykhar.png": lambda m: plot.plot_timeline(m, "gwaykhar-road")[0],
    "kachin-timeline-mongnar-road.png": lambda m: plot.plot_timeline(
        m, "mongnar-road", start="2026-01-20", end="2026-02-10"
    )[0],
    "kachin-timeline-lonton.png": lambda m: plot.plot_timeline(m, "lonton", by="bloc")[0],
    "kachin-shares-km.png": lambda m: plot.plot_shares(m)[0],
    "kachin-shares-places-by-bloc.png": lambda m: plot.plot_shares(
        m, by="bloc", measure="places", start="2025-12-01", end="2026-02-10"
    )[0],
    "kachin-compare-bhamo-falls.png": bhamo_falls,
}

COAST_PLOTS: dict[str, Callable[[cg.Model], Figure]] = {
    "rakhine-coast-map-2024-12-24.png": coast_overview,
    "rakhine-trust-2024-12-24.png": coast_trust,
    "rakhine-mayu-road-2024-06-20.png": lambda m: plot.plot_map(
        m, "2024-06-20", roads=["mayu-road"]
    )[0],
    "rakhine-timeline-sittwe-ann.png": lambda m: plot.plot_timeline(m, "sittwe-ann-road")[0],
    "rakhine-shares-monthly.png": lambda m: plot.plot_shares(
        m, measure="places", start="2024-01-01", end="2024-12-31", step="1m"
    )[0],
}


def synthetic_map(places: int, out: Path) -> float:
    """Draw the synthetic network's map into ``out``; returns the seconds it took to
    draw and write it (the import is not counted)."""
    import json

    # scripts/ is on the path when this file is run as a script.
    from bench_plot import FIRST_DAY, MONTHS, make_dataset

    with tempfile.TemporaryDirectory() as folder:
        dataset = Path(folder) / "synthetic.json"
        dataset.write_text(json.dumps(make_dataset(places, seed=1)), encoding="utf-8")
        with cg.open(f"sqlite:///{Path(folder) / 'synthetic.db'}") as model:
            model.import_file(dataset)
            on = FIRST_DAY + dt.timedelta(days=30 * MONTHS - 15)
            start = time.perf_counter()
            fig, _ = plot.plot_map(model, on, incidents="14d")
            plot.save_figure(fig, out, dpi=80)
            return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery")
    parser.add_argument("--animation", type=Path, help="also write the animation (.gif) here")
    parser.add_argument(
        "--synthetic", type=int, default=10_000, metavar="N",
        help="places in the synthetic network (0: leave that map out)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for dataset, plots in ((cg.sample_path(), PLOTS), (COAST, COAST_PLOTS)):
        with cg.open("sqlite://") as model:
            model.import_file(dataset)
            for name, draw in plots.items():
                written = plot.save_figure(draw(model), args.out / name, dpi=DPI)
                print(f"wrote {written}")
    if args.animation:
        with cg.open("sqlite://") as model:
            model.import_file(cg.sample_path())
            plot.animate_map(
                model, args.animation, start="2026-01-20", end="2026-02-07", step="2d",
                incidents="7d", dpi=90,
            )  # fmt: skip
        print(f"wrote {args.animation}")
    if args.synthetic:
        out = args.out / "synthetic-map.png"
        seconds = synthetic_map(args.synthetic, out)
        print(f"wrote {out}: {args.synthetic:,} places drawn and written in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
