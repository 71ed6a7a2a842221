"""Legends, source lines, road names, compare outlines and calendar steps."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from PIL import Image

import control_graph as cg
from control_graph.plot import (
    FALLBACK_PALETTE,
    HIGHLIGHT_COLOR,
    frame_days,
    plot_compare,
    plot_map,
    plot_shares,
    plot_timeline,
    share_series,
)
from control_graph.plot.data import parse_step
from tests.conftest import VALLEY, Cli

KINDS = """\
format: control-graph/1
name: Kinds (test)
parties: [{id: red, name: Red, color: "#cc0000"}]
sources: [{id: s1, name: Field notes, published: 2024-03-01}]
places:
  - {id: a, name: Alpha, kind: town, lat: 10.0, lon: 20.0}
  - {id: b, name: Bravo, kind: city, lat: 10.0, lon: 20.6}
  - {id: c, name: Charlie, kind: airport, lat: 10.6, lon: 20.6}
  - {id: d, name: Delta, kind: base, lat: 10.6, lon: 20.0}
  - {id: e, name: Echo, kind: village, lat: 10.3, lon: 20.3}
  - {id: f, name: Foxtrot, kind: ferry, lat: 11.3, lon: 21.4}
roads: [{id: ring, name: Ring Road, places: [a, b, c, d, e, f]}]
events:
  - {date: 2024-01-01, road: ring, party: red}
  - {date: 2024-02-10, place: e, status: contested}
"""


@pytest.fixture
def kinds(sqlite_url: str, write_file: Callable[[str, str], Path]) -> cg.Model:
    model = cg.open(sqlite_url)
    model.import_file(write_file("kinds.yaml", KINDS))
    return model


def legend_texts(ax: Axes) -> list[str]:
    return [t.get_text() for leg in ax.artists for t in leg.get_texts()]  # type: ignore[attr-defined]


def test_one_legend_entry_per_marker_shape_with_kinds_grouped(kinds: cg.Model) -> None:
    _, ax = plot_map(kinds, "2024-02-15")
    entries = legend_texts(ax)
    assert "town / city" in entries and "base / airport" in entries
    assert "village" in entries and "other (ferry)" in entries
    assert not {"town", "city", "airport", "base", "ferry"} & set(entries)


def test_every_figure_has_a_source_line_with_the_date_of_the_data(kinds: cg.Model) -> None:
    line = "Source: Field notes; data as of 2024-03-01"
    for _, ax in (
        plot_map(kinds, "2024-02-15"),
        plot_timeline(kinds, "ring"),
        plot_shares(kinds),
    ):
        assert any(t.get_text().startswith(line) for t in ax.texts)
    _, ax = plot_map(kinds, "2024-02-15", as_of="2024-02-12")
    assert any("data as of 2024-02-12" in t.get_text() for t in ax.texts)


def test_a_road_map_writes_the_road_name_along_the_road(kinds: cg.Model) -> None:
    _, ax = plot_map(kinds, "2024-02-15", roads=["ring"])
    names = [t for t in ax.texts if t.get_text() == "Ring Road"]
    assert len(names) == 1
    # Along its longest segment (a diagonal here), never upside down.
    rotation = names[0].get_rotation()
    assert rotation % 90 != 0 and (rotation <= 90 or rotation >= 270)


def test_compare_outlines_differences_in_no_party_colour_and_has_no_gap(
    sqlite_url: str,
) -> None:
    model = cg.open(sqlite_url)
    model.import_file(VALLEY)
    what_if = model.scenario("mill-falls")
    what_if.add_event("2024-01-10", place="mill", party="south")
    fig, (left, right) = plot_compare(model, what_if, "2024-01-15")
    colours = [*FALLBACK_PALETTE, "#1f77b4", "#d62728"]
    assert all(math.dist(to_rgb(HIGHLIGHT_COLOR), to_rgb(c)) > 0.3 for c in colours)
    assert {"segment that differs", "place that differs"} <= set(legend_texts(right))
    width = fig.get_size_inches()[0]
    gap = (right.get_position().x0 - left.get_position().x1) * width
    assert 0 < gap < 1.0  # room for the right map's tick labels, no more


def test_calendar_steps_for_animations_and_shares(kinds: cg.Model, tmp_path: Path) -> None:
    assert [str(d) for d in frame_days("2024-01-31", "2024-05-01", "1m")] == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
        "2024-05-01",
    ]
    assert frame_days("2020-06-01", "2024-06-01", "1y")[-1] == dt.date(2024, 6, 1)
    assert len(frame_days("2020-06-01", "2024-06-01", "1y")) == 5
    assert parse_step("14d").days == 14 and parse_step(3).days == 3  # day spans still work
    with pytest.raises(cg.InvalidArgumentError, match="at least one month"):
        parse_step("0m")
    days, totals, _ = share_series(
        kinds, measure="places", start="2024-01-01", end="2024-04-01", step="1m"
    )
    assert [str(d) for d in days] == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
        "2024-04-02",
    ]
    assert totals["contested"] == [0.0, 0.0, 1.0, 1.0, 1.0]


def test_cli_animate_and_shares_take_month_steps(sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(sqlite_url)
    assert cli("import", str(VALLEY), "-q").exit_code == 0
    out = tmp_path / "months.gif"
    document = cli.json(
        "plot", "animate", "--from", "2024-01-01", "--to", "2024-04-01", "--step", "1m",
        "--dpi", "30", "-o", str(out),
    )  # fmt: skip
    assert document["frames"] == 4
    with Image.open(out) as gif:
        assert gif.n_frames == 4
    shares = tmp_path / "shares.png"
    assert cli("plot", "shares", "--step", "1m", "-o", str(shares)).exit_code == 0
    bad = cli("plot", "shares", "--step", "1q", "-o", str(shares))
    assert bad.exit_code == 2 and "1q" in bad.stderr
