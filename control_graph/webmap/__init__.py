"""An interactive map in one HTML file: the network over its geography, coloured by who
holds each place and segment, with a date slider.

:func:`write_html_map` writes a self-contained page that needs no network: its script
is written for this package (no library, no CDN) and the data are embedded as JSON,
every element with its state intervals, so moving the slider only looks states up.
Hovering shows a place's or segment's name and state; clicking shows its timeline and
the reports behind it (sources, claimant, confidence, notes). What the data leave
uncertain (rough dates) is hatched, a disputed place or segment has a "?" badge, and a
segment's access (blocked, fire-control, taxed, restricted) is a symbol on the line,
as on the static maps; the panel lists each stretch, and says of every report that
does not count why not. Optional map tiles
(``tiles=``) are drawn under the network when the reader is online. The page is drawn on
a canvas and stays quick with tens of thousands of places. Nothing here imports
matplotlib.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import control_graph as cg
>>> from control_graph.webmap import write_html_map
>>> model = cg.open("sqlite://")
>>> _ = model.import_file(cg.sample_path())
>>> with tempfile.TemporaryDirectory() as folder:
...     path = write_html_map(model, Path(folder) / "map.html", by="bloc")
...     path.name, path.stat().st_size > 10_000
('map.html', True)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from control_graph.webmap.data import DateLike, map_data
from control_graph.webmap.page import render_page

if TYPE_CHECKING:
    from control_graph.query import Model

__all__ = ["map_data", "render_page", "write_html_map"]


def write_html_map(
    model: Model,
    path: str | Path,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    as_of: DateLike | None = None,
    by: str = "party",
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    title: str | None = None,
    geography: bool = True,
    basemap: str | Path | None = None,
    min_confidence: str | None = None,
    independent_only: bool = False,
) -> Path:
    """Write the interactive map of ``model`` to ``path`` (one HTML file) and return it.

    Parameters are those of :func:`map_data`: the slider's range (``start``, ``end``;
    by default the whole history), ``as_of`` (the data as they stood that day), ``by``
    (``"party"`` or ``"bloc"``), ``tiles`` (a ``https://.../{z}/{x}/{y}.png`` template
    drawn under the map when the reader is online) with ``tiles_attribution`` (the
    credit the tile provider asks for), ``title``, ``geography`` (draw the shipped
    Natural Earth land, coasts, borders and states), ``basemap`` (a file of one's own
    boundaries drawn over them), and ``min_confidence`` and ``independent_only`` (the
    reports that count, as in the questions). The page opens on ``end``; an
    address ending in ``#date=2026-02-06&select=lonton`` opens on that day with that
    element shown.

    Examples
    --------
    >>> import tempfile
    >>> import control_graph as cg
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = write_html_map(model, f"{folder}/map.html", start="2026-01-01")
    ...     "Gwaykhar Road" in page.read_text(encoding="utf-8")
    True
    """
    target = Path(path)
    page = render_page(
        map_data(
            model,
            start=start,
            end=end,
            as_of=as_of,
            by=by,
            tiles=tiles,
            tiles_attribution=tiles_attribution,
            title=title,
            geography=geography,
            basemap=basemap,
            min_confidence=min_confidence,
            independent_only=independent_only,
        )
    )
    target.write_text(page, encoding="utf-8")
    return target
