"""The figures show how far the data can be trusted (contract section 4): uncertain
stretches hatched, disputed elements badged, access marked on the road, each in the
legend only when drawn; --min-confidence and --independent-only work as in the
questions. Pixels are read from the figures as saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib import image as mpimg
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

import control_graph as cg
from control_graph.plot import (
    animate_map,
    plot_compare,
    plot_map,
    plot_shares,
    plot_timeline,
    save_figure,
    share_series,
)
from control_graph.plot.style import date_number
from tests.conftest import Cli

RED, BLUE, INK = "#cc0000", "#0000cc", "#111111"

# Four towns on a square, about 65 km a side:
#
#   d ------ cd ------ c          cd: blocked from 2024-02-01
#   |                  |
#   da               main/2       main/2: taxed from 2024-02-10
#   |                  |
#   a ---- main/1 ---- b          main/1: blue "in the first half of February"
TRUST = """\
format: control-graph/1
name: Trust marks (test)
parties:
  - {id: red, name: Red Force, color: "#cc0000"}
  - {id: blue, name: Blue Force, color: "#0000cc"}
places:
  - {id: a, name: Alpha, kind: town, lat: 10.0, lon: 20.0}
  - {id: b, name: Bravo, kind: town, lat: 10.0, lon: 20.6}
  - {id: c, name: Charlie, kind: town, lat: 10.6, lon: 20.6}
  - {id: d, name: Delta, kind: town, lat: 10.6, lon: 20.0}
roads:
  - {id: main, name: Main Road, places: [a, b, c]}
segments:
  - {id: cd, from: c, to: d}
  - {id: da, from: d, to: a}
events:
  - {date: 2024-01-01, place: a, party: red}
  - {date: 2024-01-01, place: b, party: red}
  - {date: 2024-01-01, place: c, party: red}
  - {date: 2024-01-01, place: d, party: red}
  - {id: ab-blue, date: 2024-02-01, date_latest: 2024-02-15, segment: main/1, party: blue}
  - {id: d-claim, date: 2024-03-01, place: d, party: blue, claimant: blue, kind: capture}
  - {id: d-denial, date: 2024-03-03, place: d, party: red, claimant: red, kind: denial}
  - {id: c-rumour, date: 2024-03-05, place: c, party: blue, confidence: low, kind: capture}
access:
  - {id: cd-blocked, date: 2024-02-01, segment: cd, access: blocked, party: red}
  - {id: bc-toll, date: 2024-02-10, segment: main/2, access: taxed, party: blue}
"""

UNCERTAIN_DAY = dt.date(2024, 2, 5)  # main/1: blue early, red late
CERTAIN_DAY = dt.date(2024, 2, 20)  # main/1: blue either way
DISPUTED_DAY = dt.date(2024, 3, 4)  # Delta: red's denial decides, blue's claim its rival
RUMOUR_DAY = dt.date(2024, 3, 10)  # Charlie: blue, by a low-confidence report


@pytest.fixture
def trust_file(write_file: Callable[[str, str], Path]) -> Path:
    return write_file("trust.yaml", TRUST)


@pytest.fixture
def trust(sqlite_url: str, trust_file: Path) -> Iterator[cg.Model]:
    with cg.open(sqlite_url) as model:
        model.import_file(trust_file)
        yield model


def saved(fig: Figure, path: Path) -> np.ndarray:
    """The figure as saved (RGB, 0..1), at its own dpi, untrimmed."""
    fig.savefig(path, dpi=fig.dpi)
    return np.asarray(mpimg.imread(path))[:, :, :3]


def pixel_at(pixels: np.ndarray, ax: Axes, xy: tuple[float, float]) -> np.ndarray:
    x, y = ax.transData.transform(xy)
    return np.asarray(pixels[int(pixels.shape[0] - y), int(x)])


def near(rgb: np.ndarray, color: str, tolerance: float = 0.12) -> bool:
    return bool(np.abs(rgb - np.array(to_rgb(color))).max() <= tolerance)


def colours_along(
    pixels: np.ndarray, ax: Axes, start: tuple[float, float], end: tuple[float, float]
) -> list[str]:
    """Each pixel from ``start`` to ``end`` named "red", "blue" or "-", with repeats
    collapsed: the sequence of colours one meets along a line."""
    (x0, y0), (x1, y1) = ax.transData.transform([start, end])
    steps = int(max(abs(x1 - x0), abs(y1 - y0)))
    names = []
    for t in np.linspace(0, 1, steps):
        row = int(pixels.shape[0] - (y0 + (y1 - y0) * t))
        rgb = pixels[row, int(x0 + (x1 - x0) * t)]
        name = "red" if near(rgb, RED) else "blue" if near(rgb, BLUE) else "-"
        if name != "-" and (not names or names[-1] != name):
            names.append(name)
    return names


def legend_texts(ax: Axes) -> set[str]:
    return {t.get_text() for leg in ax.artists for t in leg.get_texts()}  # type: ignore[attr-defined]


def legend_titles(ax: Axes) -> set[str]:
    return {leg.get_title().get_text() for leg in ax.artists}  # type: ignore[attr-defined]


def badges(ax: Axes) -> list[Line2D]:
    return [line for line in ax.lines if str(line.get_marker()) == "$?$"]


# -- maps -------------------------------------------------------------------------------


def test_an_uncertain_segment_is_hatched_in_both_colours(trust: cg.Model, tmp_path: Path) -> None:
    fig, ax = plot_map(trust, UNCERTAIN_DAY, labels=False)
    pixels = saved(fig, tmp_path / "uncertain.png")
    # Along main/1 (Alpha - Bravo) blue (early) and red (late) strokes alternate.
    seen = colours_along(pixels, ax, (20.08, 10.0), (20.52, 10.0))
    assert seen.count("red") >= 4 and seen.count("blue") >= 4, seen
    assert "uncertain: rough dates allow Red Force" in legend_texts(ax)
    # Once both readings agree the line is plain blue, and the legend says nothing of doubt.
    fig, ax = plot_map(trust, CERTAIN_DAY, labels=False)
    pixels = saved(fig, tmp_path / "certain.png")
    assert colours_along(pixels, ax, (20.08, 10.0), (20.52, 10.0)) == ["blue"]
    assert not any(t.startswith("uncertain") for t in legend_texts(ax))
    assert "How sure" not in legend_titles(ax)


def test_a_blocked_segment_has_its_mark_and_a_legend_entry(trust: cg.Model, tmp_path: Path) -> None:
    middle = (20.3, 10.6)  # cd, Charlie - Delta
    fig, ax = plot_map(trust, "2024-01-15", labels=False)
    assert near(pixel_at(saved(fig, tmp_path / "before.png"), ax, middle), RED)
    assert "Access (not control)" not in legend_titles(ax)
    fig, ax = plot_map(trust, UNCERTAIN_DAY, labels=False)
    assert near(pixel_at(saved(fig, tmp_path / "after.png"), ax, middle), INK, 0.15)
    texts = legend_texts(ax)
    assert "blocked" in texts
    # Only what the map shows: the toll on main/2 starts on 2024-02-10.
    assert "taxed (a toll is levied)" not in texts
    assert "taxed (a toll is levied)" in legend_texts(plot_map(trust, CERTAIN_DAY)[1])


def test_a_disputed_place_gets_a_badge(trust: cg.Model) -> None:
    _, ax = plot_map(trust, DISPUTED_DAY)
    assert len(badges(ax)) == 1
    assert "disputed: a rival claim (7 days)" in legend_texts(ax)
    # A side's own claims do not count with independent_only: nothing is disputed.
    _, ax = plot_map(trust, DISPUTED_DAY, independent_only=True)
    assert not badges(ax)
    assert not any(t.startswith("disputed") for t in legend_texts(ax))
    assert any("independent reports only" in t.get_text() for t in ax.texts)


def test_min_confidence_drops_a_low_confidence_capture(trust: cg.Model, tmp_path: Path) -> None:
    # main/2 (Bravo - Charlie), clear of the toll mark at its middle: contested while
    # the rumour of Charlie's capture counts, red without it.
    point = (20.6, 10.45)
    fig, ax = plot_map(trust, RUMOUR_DAY, labels=False)
    assert not near(pixel_at(saved(fig, tmp_path / "all.png"), ax, point), RED)
    fig, ax = plot_map(trust, RUMOUR_DAY, labels=False, min_confidence="medium")
    assert near(pixel_at(saved(fig, tmp_path / "medium.png"), ax, point), RED)
    assert any("low-confidence reports left out" in t.get_text() for t in ax.texts)
    with pytest.raises(cg.InvalidArgumentError, match="min_confidence"):
        plot_map(trust, RUMOUR_DAY, min_confidence="certain")


def test_the_marks_are_black_white_or_a_state_colour(trust: cg.Model) -> None:
    """Nothing but hatching (in a state's colour) may take a party's colour: access and
    dispute marks are ink and white, so that they cannot be read as control."""
    _, ax = plot_map(trust, DISPUTED_DAY)
    marks = [line for line in ax.lines if str(line.get_marker()) not in ("None", "")]
    colours = {
        to_rgb(c)
        for line in marks
        for c in (line.get_markerfacecolor(), line.get_markeredgecolor())
        if c != "none"
    }
    assert colours and colours <= {to_rgb(INK), to_rgb("white")}, colours


# -- timelines -----------------------------------------------------------------------------


def test_timeline_hatches_the_uncertain_stretch(trust: cg.Model, tmp_path: Path) -> None:
    fig, ax = plot_timeline(trust, "main", start="2024-01-20", end="2024-02-29")
    pixels = saved(fig, tmp_path / "timeline.png")
    row = 0  # main/1
    inside = colours_along(
        pixels,
        ax,
        (date_number(dt.date(2024, 2, 2)), row),
        (date_number(dt.date(2024, 2, 14)), row),
    )
    assert inside.count("red") >= 3 and inside.count("blue") >= 3, inside
    after = colours_along(
        pixels,
        ax,
        (date_number(dt.date(2024, 2, 16)), row),
        (date_number(dt.date(2024, 2, 28)), row),
    )
    assert after == ["blue"]
    texts = legend_texts(ax)
    assert "uncertain: rough dates allow Red Force" in texts
    assert "taxed (a toll is levied)" in texts  # under main/2's bar from 2024-02-10
    assert not any(t.startswith("disputed") for t in texts)


def test_timeline_frames_a_disputed_stretch(trust: cg.Model) -> None:
    _, ax = plot_timeline(trust, "Delta", start="2024-02-20")
    assert len(badges(ax)) == 1
    assert "disputed: a rival claim (7 days)" in legend_texts(ax)
    _, ax = plot_timeline(trust, "Delta", start="2024-02-20", independent_only=True)
    assert not badges(ax)


# -- shares, compare and animation -------------------------------------------------------


def test_shares_count_only_the_reports_asked_for(trust: cg.Model) -> None:
    _, totals, _ = share_series(trust, measure="places", end=RUMOUR_DAY)
    _, medium, _ = share_series(trust, measure="places", end=RUMOUR_DAY, min_confidence="medium")
    assert totals["blue"][-1] == 1 and medium["blue"][-1] == 0  # Charlie, by the rumour
    _, ax = plot_shares(trust, measure="places", independent_only=True)
    assert any("independent reports only" in t.get_text() for t in ax.texts)


def test_compare_and_animation_show_the_marks(trust: cg.Model, tmp_path: Path) -> None:
    what_if = trust.scenario("delta-holds")
    what_if.add_event("2024-03-02", place="c", party="blue")
    _, (left, right) = plot_compare(trust, what_if, DISPUTED_DAY, labels=False)
    assert badges(left) and badges(right)
    assert "disputed: a rival claim (7 days)" in legend_texts(right)
    out = tmp_path / "trust.gif"
    # The first frame has no doubt and no access; the legend still lists what later
    # frames draw, so that every frame is the same size.
    _, ax = animate_map(trust, out, start="2024-01-20", end="2024-03-04", step="2w", dpi=40)
    assert {"blocked", "disputed: a rival claim (7 days)"} <= legend_texts(ax)
    with Image.open(out) as gif:
        sizes = set()
        for frame in range(gif.n_frames):
            gif.seek(frame)
            sizes.add(gif.size)
    assert gif.n_frames == 5 and len(sizes) == 1


# -- the command line ------------------------------------------------------------------------


def same_pixels(first: Path, second: Path) -> bool:
    a, b = mpimg.imread(first), mpimg.imread(second)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def test_cli_trust_options_change_the_figure(
    sqlite_url: str, trust_file: Path, tmp_path: Path
) -> None:
    cli = Cli(sqlite_url)
    assert cli("import", str(trust_file), "-q").exit_code == 0
    on = ("--on", RUMOUR_DAY.isoformat(), "--dpi", "60")
    files: dict[str, Path] = {}
    for name, extra in (("all", ()), ("medium", ("--min-confidence", "medium"))):
        files[name] = tmp_path / f"map-{name}.png"
        result = cli("plot", "map", *on, *extra, "-o", str(files[name]))
        assert result.exit_code == 0, result.output
    with cg.open(sqlite_url) as model:
        fig, _ = plot_map(model, RUMOUR_DAY, min_confidence="medium")
        expected = save_figure(fig, tmp_path / "api-medium.png", dpi=60)
    assert same_pixels(files["medium"], expected)
    assert not same_pixels(files["medium"], files["all"])
    for command, extra in (
        ("timeline", ("Delta", "--independent-only")),
        ("shares", ("--min-confidence", "high")),
    ):
        out = tmp_path / f"{command}.png"
        result = cli("plot", command, *extra, "--dpi", "60", "-o", str(out))
        assert result.exit_code == 0, result.output
    out = tmp_path / "a.gif"
    args: Any = ("--from", "2024-02-01", "--to", "2024-02-08", "--dpi", "30")
    result = cli(
        "plot", "animate", *args, "--independent-only", "--min-confidence", "low", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    result = cli("plot", "map", *on, "--min-confidence", "sure", "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "sure" in result.stderr
