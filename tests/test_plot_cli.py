"""The ``plot`` commands, run as a user would (SQLite only: the plots read through the
same query layer on every backend)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib import image as mpimg
from PIL import Image

import control_graph as cg
from tests.conftest import Cli


@pytest.fixture
def kachin(sqlite_url: str) -> Cli:
    cli = Cli(sqlite_url)
    result = cli("import", str(cg.sample_path()), "-q")
    assert result.exit_code == 0, result.output
    return cli


def test_plot_lists_its_commands(kachin: Cli) -> None:
    result = kachin("plot", "-h")
    assert result.exit_code == 0
    for command in ("map", "timeline", "shares", "animate"):
        assert command in result.output
    for command in ("map", "timeline", "shares", "animate"):
        assert kachin("plot", command, "--help").exit_code == 0


def test_map_writes_png_svg_and_pdf(kachin: Cli, tmp_path: Path) -> None:
    png, svg, pdf = (tmp_path / f"kachin.{ext}" for ext in ("png", "svg", "pdf"))
    result = kachin("plot", "map", "--on", "2026-02-06", "--incidents", "14d", "-o", str(png))
    assert result.exit_code == 0, result.output
    assert f"Wrote {png}" in result.stderr and not result.stdout
    assert mpimg.imread(png).shape[2] in (3, 4)
    args = ("--by", "bloc", "--as-of", "2026-02-07", "--road", "Gwaykhar Road")
    assert kachin("plot", "map", "--on", "2026-02-01", *args, "-o", str(svg)).exit_code == 0
    assert ET.parse(svg).getroot().tag.endswith("svg")
    document = kachin.json("plot", "map", "--on", "2026-02-01", "--no-labels", "-o", str(pdf))
    assert document == {"plot": "map", "file": str(pdf), "format": "pdf", "date": "2026-02-01"}
    assert pdf.read_bytes().startswith(b"%PDF")


def test_timeline_and_shares(kachin: Cli, tmp_path: Path) -> None:
    out = tmp_path / "gwaykhar.png"
    result = kachin("plot", "timeline", "Gwaykhar Road", "--from", "2026-01-20", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert mpimg.imread(out).size > 0
    out = tmp_path / "lonton.svg"
    assert kachin("plot", "timeline", "Longton", "--by", "bloc", "-o", str(out)).exit_code == 0
    out = tmp_path / "shares.pdf"
    document = kachin.json("plot", "shares", "--by", "bloc", "--measure", "places", "-o", str(out))
    assert document["measure"] == "places" and out.read_bytes().startswith(b"%PDF")


def test_animate_writes_one_frame_per_step(kachin: Cli, tmp_path: Path) -> None:
    out = tmp_path / "front.gif"
    result = kachin(
        "plot", "animate", "--from", "2026-01-25", "--to", "2026-02-06", "--step", "4d",
        "--incidents", "7d", "--dpi", "40", "-o", str(out), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["frames"] == 4
    assert "Drawing frames" not in result.stderr  # no progress bar when not on a terminal
    with Image.open(out) as gif:
        assert gif.n_frames == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("map", "--on", "2026-02-06", "-o", "{tmp}/map.jpg"), ".png, .svg or .pdf"),
        (("map", "--on", "2026-02-06", "--incidents", "lately", "-o", "{tmp}/m.png"), "incidents"),
        (("map", "--on", "2026-02-06", "--road", "nowhere", "-o", "{tmp}/m.png"), "nowhere"),
        (("timeline", "Mongnar", "-o", "{tmp}/t.png"), "mongnar-north"),
        (("shares", "--from", "2026-02-01", "--to", "2026-01-01", "-o", "{tmp}/s.png"), "before"),
        (("animate", "--from", "2026-01-01", "--to", "2026-02-01", "-o", "{tmp}/a.png"), ".gif"),
        (("animate", "--from", "2026-01-01", "--to", "2026-02-01", "--step", "0d",
          "-o", "{tmp}/a.gif"), "at least one day"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_message(
    kachin: Cli, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = kachin("plot", *(a.replace("{tmp}", str(out)) for a in args))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not list(out.iterdir())


def test_mp4_needs_ffmpeg(kachin: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.animation import FFMpegWriter

    monkeypatch.setattr(FFMpegWriter, "isAvailable", classmethod(lambda cls: False))
    out = tmp_path / "a.mp4"
    result = kachin("plot", "animate", "--from", "2026-01-25", "--to", "2026-02-06", "-o", str(out))
    assert result.exit_code == 2
    assert "ffmpeg" in result.stderr
