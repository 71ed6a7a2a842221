"""Names in every script draw real glyphs: Burmese, Arabic (joined, right to left),
Cyrillic and Thai, through the shipped Noto fonts and matplotlib's font fallback.

Tests run with warnings as errors, so a "Glyph ... missing from font(s)" warning fails
them; the pixel tests check that the glyphs are the right ones, not boxes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import control_graph as cg
from control_graph.plot import plot_map, plot_timeline
from control_graph.plot.fonts import font_families, script_fonts
from control_graph.plot.labels import LABEL_GID

BURMESE = "\u1019\u103c\u1005\u103a\u1000\u103c\u102e\u1038\u1014\u102c\u1038"  # Myitkyina
ARABIC = "\u0627\u0644\u0642\u0627\u0647\u0631\u0629"  # Cairo
CYRILLIC = "\u041c\u043e\u0441\u043a\u0432\u0430"  # Moscow
THAI = "\u0e01\u0e23\u0e38\u0e07\u0e40\u0e17\u0e1e"  # Krung Thep

NAMES = f"""\
format: control-graph/1
name: Names in four scripts (test)
parties: [{{id: red, name: Red, color: "#cc0000"}}]
places:
  - {{id: my, name: "{BURMESE}", kind: town, lat: 25.38, lon: 97.40}}
  - {{id: ar, name: "{ARABIC}", kind: town, lat: 25.00, lon: 97.80}}
  - {{id: ru, name: "{CYRILLIC}", kind: village, lat: 24.70, lon: 97.30}}
  - {{id: th, name: "{THAI}", kind: village, lat: 24.90, lon: 97.00}}
roads: [{{id: r, name: "{BURMESE} road", places: [my, ar, ru, th]}}]
events:
  - {{date: 2024-01-01, road: r, party: red}}
"""


def ink(text: str, families: list[str]) -> np.ndarray:
    """The pixels a text draws, black on white, as a boolean array (trimmed)."""
    fig = Figure(figsize=(4, 1), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.3, text, fontsize=24, fontfamily=families)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].mean(axis=2) < 128  # type: ignore[attr-defined]
    rows, cols = np.flatnonzero(pixels.any(axis=1)), np.flatnonzero(pixels.any(axis=0))
    assert rows.size and cols.size, f"{text!r} drew nothing"
    return np.asarray(pixels[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])


@pytest.fixture
def names(sqlite_url: str, write_file: Callable[[str, str], Path]) -> cg.Model:
    model = cg.open(sqlite_url)
    model.import_file(write_file("names.yaml", NAMES))
    return model


def test_a_map_of_names_in_four_scripts_draws_without_missing_glyphs(names: cg.Model) -> None:
    # filterwarnings=error turns any "Glyph ... missing" into a failure here.
    fig, ax = plot_map(names, "2024-02-01", roads=["r"])
    fig.canvas.draw()
    labels = {t.get_text() for t in ax.texts if t.get_gid() == LABEL_GID}
    assert labels == {BURMESE, ARABIC, CYRILLIC, THAI}
    fig, ax = plot_timeline(names, "r")
    fig.canvas.draw()


def test_a_burmese_name_draws_burmese_glyphs_not_boxes() -> None:
    families = font_families()
    drawn = ink(BURMESE, families)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        boxes = ink(BURMESE, ["DejaVu Sans"])  # what it looked like before: tofu
    assert any("missing from font" in str(w.message) for w in caught)
    assert drawn.sum() > 200
    # Real Myanmar letters are round and stacked: not the same picture as the boxes.
    same = drawn.shape == boxes.shape and (drawn == boxes).mean() > 0.9
    assert not same
    # Medial ra (U+103C) wraps round the consonant before it: shaped, the word is
    # narrower than its letters side by side.
    letters = sum(ink(char, families).shape[1] for char in "\u1019\u103c")
    assert ink("\u1019\u103c", families).shape[1] < letters


def test_arabic_is_joined_and_runs_right_to_left() -> None:
    families = font_families()
    # Joined, four behs are one short stroke; unjoined, four separate letters.
    joined = ink("\u0628\u0628\u0628\u0628", families).shape[1]
    alone = ink("\u0628", families).shape[1]
    assert joined < 3 * alone
    # Right to left: the first letter, alef (a tall stroke), ends up on the right.
    word = ink("\u0627\u0628\u0628\u0628", families)
    tall = word.any(axis=1).sum()
    columns = np.flatnonzero(word.sum(axis=0) >= 0.8 * tall)
    assert columns.size and columns.mean() > word.shape[1] / 2


def test_cyrillic_and_thai_draw_ink_without_warnings() -> None:
    families = font_families()
    assert ink(CYRILLIC, families).sum() > 100
    assert ink(THAI, families).sum() > 100


def test_script_fonts_do_not_change_matplotlibs_settings_outside() -> None:
    before = list(matplotlib.rcParams["font.family"])
    with script_fonts() as families:
        assert matplotlib.rcParams["font.family"] == families
    assert list(matplotlib.rcParams["font.family"]) == before
