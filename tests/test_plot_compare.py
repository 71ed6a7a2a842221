"""plot compare: two maps, one extent, the differences highlighted on both."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

import control_graph as cg
from control_graph.plot import HIGHLIGHT_COLOR, plot_compare
from tests.conftest import VALLEY, Cli

matplotlib.use("Agg")


@pytest.fixture
def sides(sqlite_url: str) -> tuple[cg.Model, cg.Model]:
    model = cg.open(sqlite_url)
    model.import_file(VALLEY)
    what_if = model.scenario("mill-falls")
    what_if.add_event("2024-01-10", place="mill", party="south")
    return model, what_if


def highlighted_segments(ax: matplotlib.axes.Axes) -> int:
    return sum(
        len(c.get_segments())
        for c in ax.collections
        if isinstance(c, LineCollection)
        and tuple(c.get_edgecolor()[0][:3]) == to_rgba(HIGHLIGHT_COLOR)[:3]
    )


def test_differences_are_highlighted_on_both_maps(sides: tuple[cg.Model, cg.Model]) -> None:
    reported, what_if = sides
    fig, (left, right) = plot_compare(reported, what_if, "2024-01-15")
    assert (left.get_title(loc="left"), right.get_title(loc="left")) == ("reported", "mill-falls")
    # mill changes hands, so do valley-road/1 and /2: two segments on each map.
    assert highlighted_segments(left) == highlighted_segments(right) == 2
    assert left.get_xlim() == right.get_xlim() and left.get_ylim() == right.get_ylim()
    assert "3 place(s) and segment(s) differ" in fig.get_suptitle()


def test_nothing_is_highlighted_when_nothing_differs(sides: tuple[cg.Model, cg.Model]) -> None:
    reported, what_if = sides
    _, (left, right) = plot_compare(reported, what_if, "2024-01-05")
    assert highlighted_segments(left) == highlighted_segments(right) == 0


def test_plot_compare_command(sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(sqlite_url)
    assert cli("import", str(VALLEY)).exit_code == 0
    assert cli("scenario", "create", "mill-falls").exit_code == 0
    assert (
        cli(
            "scenario",
            "add-event",
            "mill-falls",
            "--on",
            "2024-01-10",
            "--place",
            "mill",
            "--party",
            "south",
        ).exit_code
        == 0
    )
    out = tmp_path / "cmp.png"
    document = cli.json(
        "plot", "compare", "reported", "mill-falls", "--on", "2024-01-15", "-o", str(out)
    )
    assert document["plot"] == "compare"
    assert out.read_bytes()[:4] == b"\x89PNG"
    missing = cli("plot", "compare", "reported", "nope", "--on", "2024-01-15", "-o", str(out))
    assert missing.exit_code == 2
    scenario_map = tmp_path / "map.png"
    assert (
        cli(
            "plot", "map", "--on", "2024-01-15", "--scenario", "mill-falls", "-o", str(scenario_map)
        ).exit_code
        == 0
    )
