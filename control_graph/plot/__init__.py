"""Plots of control over time: maps, timelines, shares and animated maps.

This is the only part of control-graph that uses matplotlib. Every function reads
through :class:`control_graph.query.Model`, draws with matplotlib's object-oriented API
(no pyplot, no display needed), takes ``ax=`` to draw into an existing axes, and returns
``(fig, ax)``; nothing is shown. Save with :func:`save_figure` (or ``fig.savefig``).

Maps and timelines also show how far the data can be trusted (contract section 4, see
:mod:`~control_graph.plot.marks`): hatching where rough dates allow another state, a
"?" badge where a report is disputed, symbols for road access; ``min_confidence=`` and
``independent_only=`` choose the reports that count, as in the questions.

Examples
--------
>>> import control_graph as cg
>>> from control_graph import plot
>>> model = cg.open("sqlite://")
>>> _ = model.import_file(cg.sample_path())
>>> fig, ax = plot.plot_map(model, "2026-02-06", by="bloc")
>>> fig, ax = plot.plot_timeline(model, "gwaykhar-road")
>>> fig, ax = plot.plot_shares(model, measure="places")
"""

from __future__ import annotations

from control_graph.plot.animate import ANIMATION_FORMATS, animate_map, frame_days
from control_graph.plot.colors import (
    CONTESTED_COLOR,
    FALLBACK_PALETTE,
    UNKNOWN_COLOR,
    controller_colors,
)
from control_graph.plot.compare import HIGHLIGHT_COLOR, plot_compare
from control_graph.plot.data import parse_span, parse_step
from control_graph.plot.files import (
    FIGURE_FORMATS,
    UnsupportedFormatError,
    check_format,
    save_figure,
)
from control_graph.plot.layout import place_positions
from control_graph.plot.map import plot_map
from control_graph.plot.shares import plot_shares, share_series
from control_graph.plot.timeline import plot_timeline

__all__ = [
    "ANIMATION_FORMATS",
    "CONTESTED_COLOR",
    "FALLBACK_PALETTE",
    "FIGURE_FORMATS",
    "HIGHLIGHT_COLOR",
    "UNKNOWN_COLOR",
    "UnsupportedFormatError",
    "animate_map",
    "check_format",
    "controller_colors",
    "frame_days",
    "parse_span",
    "parse_step",
    "place_positions",
    "plot_compare",
    "plot_map",
    "plot_shares",
    "plot_timeline",
    "save_figure",
    "share_series",
]
