"""The plot layer: colours, layout, and what the figures actually show (pixels)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib import image as mpimg
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

import control_graph as cg
from control_graph.model.records import Bloc, Membership, Party, Place
from control_graph.plot import (
    CONTESTED_COLOR,
    FALLBACK_PALETTE,
    UNKNOWN_COLOR,
    UnsupportedFormatError,
    animate_map,
    controller_colors,
    frame_days,
    parse_span,
    place_positions,
    plot_map,
    plot_shares,
    plot_timeline,
    save_figure,
    share_series,
)
from control_graph.plot.labels import Label, layout_labels

RED, BLUE = "#cc0000", "#0000cc"

# Four places on a square (about 55 km a side) and one without coordinates:
#
#   d (blue) ---- cd (blue) ---- c (blue)
#     |                            |
#   da (contested)           main/2 (contested)
#     |                            |
#   a (red) ---- main/1 (red) ---- b (red)
PLAINS = """\
format: control-graph/1
name: Plains (test)
parties:
  - {id: red, name: Red Force, color: "#cc0000"}
  - {id: blue, name: Blue Force, color: "#0000cc"}
  - {id: green, name: Green Militia}
blocs:
  - id: allies
    name: Allied Front
    members: [{party: red}, {party: green}]
places:
  - {id: a, name: Alpha, kind: town, lat: 10.0, lon: 20.0}
  - {id: b, name: Bravo, kind: village, lat: 10.0, lon: 20.5}
  - {id: c, name: Charlie, kind: checkpoint, lat: 10.5, lon: 20.5}
  - {id: d, name: Delta, kind: camp, lat: 10.5, lon: 20.0}
  - {id: e, name: Echo, kind: bridge}
roads:
  - {id: main, name: Main Road, places: [a, b, c]}
segments:
  - {id: cd, from: c, to: d}
  - {id: da, from: d, to: a}
  - {id: de, from: d, to: e, length_km: 5}
events:
  - {date: 2024-01-01, place: a, party: red}
  - {date: 2024-01-01, place: b, party: red}
  - {date: 2024-01-01, place: c, party: blue}
  - {date: 2024-01-01, place: d, party: blue}
  - {date: 2024-01-01, place: e, party: green}
  - {date: 2024-02-01, place: b, party: blue, kind: capture}
incidents:
  - {date: 2024-01-05, place: b, kind: airstrike, party: blue}
  - {date: 2024-01-08, segment: cd, kind: clash}
"""

DAY = dt.date(2024, 1, 10)


@pytest.fixture
def plains(sqlite_url: str, write_file: Callable[[str, str], Path]) -> Iterator[cg.Model]:
    with cg.open(sqlite_url) as model:
        model.import_file(write_file("plains.yaml", PLAINS))
        yield model


def _pixel(fig: Figure, ax: Axes, xy: tuple[float, float], path: Path) -> np.ndarray:
    """The RGB colour drawn at data point ``xy`` (the figure saved as is, no trimming)."""
    fig.savefig(path, dpi=fig.dpi)
    pixels = mpimg.imread(path)
    x, y = ax.transData.transform(xy)
    row, col = int(pixels.shape[0] - y), int(x)
    return np.asarray(pixels[row, col, :3])


def _near(rgb: np.ndarray, color: str, tolerance: float = 0.06) -> bool:
    return bool(np.abs(rgb - np.array(to_rgb(color))).max() <= tolerance)


# -- pixels ---------------------------------------------------------------------------


def test_a_held_segment_is_drawn_in_its_partys_colour_and_a_contested_one_is_not(
    plains: cg.Model, tmp_path: Path
) -> None:
    fig, ax = plot_map(plains, DAY, incidents="14d")
    png = tmp_path / "map.png"
    assert _near(_pixel(fig, ax, (20.25, 10.0), png), RED)  # main/1, a-b: both red
    assert _near(_pixel(fig, ax, (20.25, 10.5), png), BLUE)  # cd: both blue
    for contested in ((20.5, 10.25), (20.0, 10.25)):  # main/2 and da: red against blue
        rgb = _pixel(fig, ax, contested, png)
        assert not _near(rgb, RED, 0.25) and not _near(rgb, BLUE, 0.25), rgb


def test_the_map_changes_with_the_day_and_the_bloc_view(plains: cg.Model, tmp_path: Path) -> None:
    png = tmp_path / "map.png"
    fig, ax = plot_map(plains, "2024-02-05")  # b went to blue: main/2 is blue now
    assert _near(_pixel(fig, ax, (20.5, 10.25), png), BLUE)
    fig, ax = plot_map(plains, DAY, by="bloc")  # red is in the allies, who take its colour
    assert _near(_pixel(fig, ax, (20.25, 10.0), png), RED)
    legend_texts = {t.get_text() for leg in ax.artists for t in leg.get_texts()}  # type: ignore[attr-defined]
    assert "Allied Front" in legend_texts and "Red Force" not in legend_texts


def test_an_unknown_segment_is_grey(plains: cg.Model, tmp_path: Path) -> None:
    fig, ax = plot_map(plains, "2023-06-01", labels=False)
    assert _near(_pixel(fig, ax, (20.25, 10.0), tmp_path / "map.png"), UNKNOWN_COLOR, 0.08)


# -- the figures ------------------------------------------------------------------------


def test_map_title_legend_and_incidents(plains: cg.Model) -> None:
    _, ax = plot_map(plains, DAY, incidents="14d")
    assert ax.get_title(loc="left") == "Plains (test)"
    texts = {t.get_text() for t in ax.texts}
    assert any("2024-01-10" in t for t in texts)
    assert {"Alpha", "Bravo", "Charlie", "Delta", "Echo"} <= texts
    legend = {t.get_text() for leg in ax.artists for t in leg.get_texts()}  # type: ignore[attr-defined]
    assert {"Red Force", "Blue Force", "Green Militia", "unknown"} <= legend
    assert any(t.startswith("contested") for t in legend)
    # One entry per marker shape: the camp and the bridge share "other".
    assert {"town", "village", "checkpoint", "other (bridge, camp)", "position estimated"} <= legend
    assert {"airstrike", "clash"} <= legend


def test_map_of_one_road_shows_its_places_and_incidents_only(plains: cg.Model) -> None:
    _, ax = plot_map(plains, DAY, roads=["Main Road"], incidents="14d")
    texts = {t.get_text() for t in ax.texts}
    assert {"Alpha", "Bravo", "Charlie"} <= texts and "Delta" not in texts
    assert "Main Road" in " ".join(texts)
    legend = {t.get_text() for leg in ax.artists for t in leg.get_texts()}  # type: ignore[attr-defined]
    assert "airstrike" in legend and "clash" not in legend  # the clash was on cd


def test_incidents_window_includes_the_day_itself(plains: cg.Model) -> None:
    _, ax = plot_map(plains, "2024-01-05", incidents=0)
    legend = {t.get_text() for leg in ax.artists for t in leg.get_texts()}  # type: ignore[attr-defined]
    assert "airstrike" in legend and "Incidents that day" in {
        leg.get_title().get_text()  # type: ignore[attr-defined]
        for leg in ax.artists
    }


def test_plots_draw_into_a_given_axes(plains: cg.Model) -> None:
    fig = Figure(figsize=(12, 4))
    FigureCanvasAgg(fig)
    left, middle, right = fig.subplots(1, 3)
    assert plot_map(plains, DAY, ax=left, legend=False) == (fig, left)
    assert plot_timeline(plains, "main", ax=middle) == (fig, middle)
    assert plot_shares(plains, ax=right) == (fig, right)


def test_timeline_has_a_row_per_segment_in_road_order(plains: cg.Model) -> None:
    _, ax = plot_timeline(plains, "main")
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Alpha \u2013 Bravo",
        "Bravo \u2013 Charlie",
    ]
    _, ax = plot_timeline(plains, "Bravo", start="2024-01-01", end="2024-03-01")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Bravo"]
    hatched = [p for p in ax.patches if p.get_hatch()]
    colours = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in ax.patches}
    assert not hatched and tuple(np.round(to_rgb(RED), 3)) in colours
    markers = [line for line in ax.lines if line.get_marker() == "v"]
    assert len(markers) == 1  # the airstrike on Bravo


def test_timeline_of_a_road_hatches_contested_segments(plains: cg.Model) -> None:
    _, ax = plot_timeline(plains, "main", end="2024-01-20")
    assert any(p.get_hatch() for p in ax.patches)


def test_shares_add_up_to_the_whole_network(plains: cg.Model) -> None:
    days, totals, whole = share_series(plains, measure="places")
    assert whole == 5
    for i in range(len(days)):
        assert sum(series[i] for series in totals.values()) == pytest.approx(whole)
    assert totals["red"][days.index(dt.date(2024, 1, 1))] == 2
    assert totals["red"][days.index(dt.date(2024, 2, 1))] == 1
    days, totals, whole = share_series(plains, by="bloc", start="2024-01-15")
    assert days[0] == dt.date(2024, 1, 15)
    assert "allies" in totals and "red" not in totals
    assert sum(series[0] for series in totals.values()) == pytest.approx(whole)
    _, ax = plot_shares(plains, measure="km")
    assert ax.get_ylim()[1] == pytest.approx(whole)


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_each_format_is_written_and_readable(plains: cg.Model, tmp_path: Path, suffix: str) -> None:
    figures = {
        "map": plot_map(plains, DAY, incidents=7)[0],
        "timeline": plot_timeline(plains, "main")[0],
        "shares": plot_shares(plains)[0],
    }
    for name, fig in figures.items():
        path = save_figure(fig, tmp_path / f"{name}{suffix}", dpi=60)
        if suffix == ".png":
            assert mpimg.imread(path).ndim == 3
        elif suffix == ".svg":
            assert ET.parse(path).getroot().tag.endswith("svg")
        else:
            assert path.read_bytes().startswith(b"%PDF")


def test_an_unsupported_extension_is_refused(plains: cg.Model, tmp_path: Path) -> None:
    fig, _ = plot_shares(plains)
    with pytest.raises(UnsupportedFormatError, match=r"\.png, \.svg or \.pdf"):
        save_figure(fig, tmp_path / "shares.jpg")
    assert not (tmp_path / "shares.jpg").exists()
    assert issubclass(UnsupportedFormatError, cg.ControlGraphError)


def test_bad_arguments_are_our_errors(plains: cg.Model) -> None:
    with pytest.raises(cg.InvalidArgumentError, match="incidents"):
        plot_map(plains, DAY, incidents="soon")
    with pytest.raises(cg.InvalidArgumentError, match="on"):
        plot_map(plains, "10/01/2024")
    with pytest.raises(cg.InvalidArgumentError, match="measure"):
        plot_shares(plains, measure="miles")
    with pytest.raises(cg.InvalidArgumentError, match="before"):
        plot_timeline(plains, "main", start="2024-02-01", end="2024-01-01")
    with pytest.raises(cg.UnknownElementError):
        plot_timeline(plains, "nowhere")


# -- animation --------------------------------------------------------------------------


def test_animation_has_one_frame_per_step(plains: cg.Model, tmp_path: Path) -> None:
    days = frame_days("2024-01-01", "2024-02-05", "1w")
    assert [d.isoformat() for d in days][-2:] == ["2024-01-29", "2024-02-05"]
    assert len(days) == 6
    seen: list[tuple[int, int]] = []
    out = tmp_path / "plains.gif"
    animate_map(
        plains,
        out,
        start="2024-01-01",
        end="2024-02-05",
        step="1w",
        incidents="7d",
        dpi=40,
        progress=lambda done, total: seen.append((done, total)),
    )
    with Image.open(out) as gif:
        assert gif.n_frames == 6
        sizes = set()
        for frame in range(gif.n_frames):
            gif.seek(frame)
            sizes.add(gif.size)
        assert len(sizes) == 1
    assert seen[-1] == (6, 6) and len(seen) == 6


def test_mp4_without_ffmpeg_is_refused(
    plains: cg.Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.animation import FFMpegWriter

    monkeypatch.setattr(FFMpegWriter, "isAvailable", classmethod(lambda cls: False))
    with pytest.raises(UnsupportedFormatError, match="ffmpeg"):
        animate_map(plains, tmp_path / "a.mp4", start="2024-01-01", end="2024-01-10")
    with pytest.raises(UnsupportedFormatError):
        animate_map(plains, tmp_path / "a.avi", start="2024-01-01", end="2024-01-10")


def test_frame_days_refuses_nonsense() -> None:
    with pytest.raises(cg.InvalidArgumentError, match="before"):
        frame_days("2024-02-01", "2024-01-01")
    with pytest.raises(cg.InvalidArgumentError, match="at least one day"):
        frame_days("2024-01-01", "2024-02-01", 0)
    with pytest.raises(cg.InvalidArgumentError, match="frames"):
        frame_days("1900-01-01", "2024-01-01", 1)
    assert frame_days("2024-01-01", "2024-01-01") == [dt.date(2024, 1, 1)]


# -- colours and layout -------------------------------------------------------------------


def test_data_colours_are_kept_and_fallbacks_are_stable_and_distinct() -> None:
    parties = [Party("zeta"), Party("alpha", color="#E69F00"), Party("mid"), Party("beta")]
    colors = controller_colors(parties)
    assert colors == controller_colors(list(reversed(parties)))
    assert colors["alpha"] == "#e69f00"
    # the first fallback would be alpha's own colour, so it is skipped
    assert colors["beta"] == FALLBACK_PALETTE[1].lower()
    assert len(set(colors.values())) == len(colors)
    many = controller_colors([Party(f"p{i:02}") for i in range(40)])
    assert len(set(many.values())) == 40
    assert not {UNKNOWN_COLOR.lower(), CONTESTED_COLOR.lower()} & set(many.values())


def test_blocs_take_a_member_colour() -> None:
    parties = [Party("a", color="#009E73"), Party("b"), Party("c", color="#D55E00")]
    blocs = [
        Bloc("east", members=(Membership("b", "east"), Membership("a", "east"))),
        Bloc("west", members=(Membership("b", "west"),)),
    ]
    colors = controller_colors(parties, blocs, by="bloc")
    assert colors["east"] == "#009e73"
    assert colors["west"] not in {colors["east"], colors["c"], colors["b"]}


def test_places_without_coordinates_go_near_their_neighbours() -> None:
    places = {
        "a": Place("a", lat=0.0, lon=0.0),
        "b": Place("b", lat=0.0, lon=1.0),
        "c": Place("c", lat=1.0, lon=1.0),
        "mid": Place("mid"),
        "leaf1": Place("leaf1"),
        "leaf2": Place("leaf2"),
        "lone1": Place("lone1"),
        "lone2": Place("lone2"),
    }
    edges = [
        ("a", "b"),
        ("b", "c"),
        ("a", "mid"),
        ("mid", "c"),
        ("c", "leaf1"),
        ("c", "leaf2"),
        ("lone1", "lone2"),
    ]
    positions, estimated = place_positions(places, edges)
    assert estimated == {"mid", "leaf1", "leaf2", "lone1", "lone2"}
    assert positions["a"] == (0.0, 0.0)
    assert positions["mid"] == pytest.approx((0.5, 0.5), abs=0.1)
    for leaf in ("leaf1", "leaf2"):
        gap = np.hypot(*np.subtract(positions[leaf], positions["c"]))
        assert 0.1 < gap < 1.0
    assert positions["leaf1"] != positions["leaf2"]
    assert positions["lone1"][1] < 0 and positions["lone2"][1] < 0  # a row below the rest
    assert positions == place_positions(places, edges)[0]


def test_labels_do_not_overlap() -> None:
    fig = Figure(figsize=(6, 6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    rng = np.random.default_rng(7)
    points = rng.uniform(0.5, 9.5, size=(100, 2))
    labels = [Label(f"Place {i}", (float(x), float(y))) for i, (x, y) in enumerate(points)]
    placed = layout_labels(ax, labels)
    assert len(placed) > 50
    for item in placed:
        ax.annotate(
            item.label.text,
            item.label.xy,
            xytext=item.offset,
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=item.label.fontsize,
        )
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            assert not first.overlaps(second.shrunk(0.9, 0.9))


def test_parse_span() -> None:
    assert parse_span("14d") == dt.timedelta(days=14)
    assert parse_span(dt.timedelta(days=2)) == dt.timedelta(days=2)
    with pytest.raises(cg.InvalidArgumentError):
        parse_span(-1)


# -- the sample, and what gets imported ---------------------------------------------------


def test_the_kachin_sample_plots(sqlite_url: str) -> None:
    with cg.open(sqlite_url) as model:
        model.import_file(cg.sample_path())
        _, ax = plot_map(model, "2026-02-04", incidents="14d", by="bloc")
        assert "Kachin" in ax.get_title(loc="left")
        _, ax = plot_timeline(model, "Gwaykhar Road", start="2026-01-20")
        assert len(ax.get_yticklabels()) == 4
        plot_shares(model, measure="places")


def test_plotting_needs_no_pyplot_and_the_cli_no_matplotlib() -> None:
    code = (
        "import sys, control_graph.cli\n"
        "assert 'matplotlib' not in sys.modules, 'the CLI imported matplotlib'\n"
        "import control_graph as cg\n"
        "from control_graph.plot import plot_map\n"
        "m = cg.open('sqlite://'); m.import_file(cg.sample_path())\n"
        "plot_map(m, '2026-02-06')\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=60)


def test_a_network_without_coordinates_is_drawn_schematically(
    sqlite_url: str, write_file: Callable[[str, str], Path]
) -> None:
    flat = """\
places: [{id: a, name: Alpha}, {id: b, name: Bravo}, {id: c, name: Charlie}, {id: d}]
roads: [{id: loop, places: [a, b, c, a]}]
segments: [{id: spur, from: c, to: d}]
"""
    with cg.open(sqlite_url) as model:
        model.import_file(write_file("flat.yaml", flat))
        _, ax = plot_map(model, DAY)
        texts = {t.get_text() for t in ax.texts}
        assert any("schematic" in t for t in texts)
        assert {"Alpha", "Bravo", "Charlie", "d"} <= texts
