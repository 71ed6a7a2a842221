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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Each name is imported from its module on first use: a command that draws a map
# then loads the map's modules, not the animation's, the comparison's or the charts'.
_LAZY = {
    "ANIMATION_FORMATS": "control_graph.plot.animate",
    "CONTESTED_COLOR": "control_graph.plot.colors",
    "FALLBACK_PALETTE": "control_graph.plot.colors",
    "FIGURE_FORMATS": "control_graph.plot.files",
    "HIGHLIGHT_COLOR": "control_graph.plot.compare",
    "UNKNOWN_COLOR": "control_graph.plot.colors",
    "UnsupportedFormatError": "control_graph.plot.files",
    "animate_map": "control_graph.plot.animate",
    "check_format": "control_graph.plot.files",
    "controller_colors": "control_graph.plot.colors",
    "frame_days": "control_graph.plot.animate",
    "parse_span": "control_graph.plot.data",
    "parse_step": "control_graph.plot.data",
    "place_positions": "control_graph.plot.layout",
    "plot_compare": "control_graph.plot.compare",
    "plot_map": "control_graph.plot.map",
    "plot_shares": "control_graph.plot.shares",
    "plot_timeline": "control_graph.plot.timeline",
    "save_figure": "control_graph.plot.files",
    "share_series": "control_graph.plot.shares",
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'control_graph.plot' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
