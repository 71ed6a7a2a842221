"""Writing control to the formats other tools read: QGIS, Google Earth, Gephi, pandas.

One module per format, each a pure function from plain data to a file, written whole
or not at all (:mod:`~control_graph.dataset.export.files`):

========== =========================== ============================================
format     module                      opened with
========== =========================== ============================================
geojson    :mod:`.geojson`             QGIS (temporal controller), GDAL, web maps
gpkg       :mod:`.geopackage`          QGIS, GDAL (needs pyogrio: extra ``geo``)
kml        :mod:`.kml`                 Google Earth (time slider)
graphml    :mod:`.graphml`             networkx, igraph, Cytoscape, yEd, Gephi
gexf       :mod:`.gexf`                Gephi (timeline), networkx
csv        :mod:`.intervals_csv`       pandas, R, spreadsheets
yaml, json :mod:`.dataset_file`        control-graph itself (backup, hand-over)
html       :mod:`control_graph.webmap` any web browser, offline
========== =========================== ============================================

The states come from an :class:`~control_graph.dataset.export.tables.ExportTable`,
built once from the network and its timeline; :data:`FORMATS` says which options each
format takes, and :func:`format_of` picks a format from a file name. Reading the
database is :meth:`control_graph.query.Model.export`'s business; nothing here does, and
format libraries (pyogrio, networkx, PyYAML) are imported only when a file is written.

Examples
--------
>>> format_of("kachin.geojson").name, format_of("kachin.txt", "csv").name
('geojson', 'csv')
>>> format_of("kachin.shp")
Traceback (most recent call last):
...
control_graph.errors.InvalidArgumentError: cannot tell the format of kachin.shp ...
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from control_graph.dataset.export.tables import (
    Element,
    ExportTable,
    IncidentRow,
    Palette,
    StateRow,
    history_table,
    incident_rows,
    last_day,
    snapshot_table,
)
from control_graph.errors import InvalidArgumentError

__all__ = [
    "FORMATS",
    "Element",
    "ExportFormat",
    "ExportTable",
    "IncidentRow",
    "Palette",
    "StateRow",
    "format_of",
    "history_table",
    "incident_rows",
    "last_day",
    "snapshot_table",
]

#: How a format takes ``--on``: a history unless a day is given (``history``), always a
#: day (``snapshot``: the last day with data unless one is given), or never (``none``).
DayUse = Literal["history", "snapshot", "none"]


@dataclass(frozen=True)
class ExportFormat:
    """A format an export writes, and the options that apply to it."""

    name: str
    extensions: tuple[str, ...]
    days: DayUse = "history"
    #: Whether ``by``, ``as_of``, ``min_confidence`` and ``independent_only`` apply.
    views: bool = True


#: Every export format, by name.
FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("geojson", (".geojson",)),
        ExportFormat("gpkg", (".gpkg",)),
        ExportFormat("kml", (".kml",)),
        ExportFormat("graphml", (".graphml",), "snapshot"),
        ExportFormat("gexf", (".gexf",)),
        ExportFormat("csv", (".csv",)),
        ExportFormat("yaml", (".yaml", ".yml"), "none", False),
        ExportFormat("json", (".json",), "none", False),
        ExportFormat("html", (".html", ".htm"), "none"),
    )
}
_BY_EXTENSION = {ext: f for f in FORMATS.values() for ext in f.extensions}


def format_of(path: str | Path, file_format: str | None = None) -> ExportFormat:
    """The format to write ``path`` in: ``file_format`` when given, else the one its
    extension names.

    Raises
    ------
    InvalidArgumentError
        For an unknown format, or an extension that names none (the message lists them).
    """
    known = ", ".join(FORMATS)
    if file_format is not None:
        found = FORMATS.get(file_format.lower())
        if found is None:
            raise InvalidArgumentError(f"unknown export format {file_format!r}; use one of {known}")
        return found
    suffix = Path(path).suffix.lower()
    found = _BY_EXTENSION.get(suffix)
    if found is None:
        extensions = ", ".join(_BY_EXTENSION)
        what = f"its extension {suffix!r}" if suffix else "a name without extension"
        raise InvalidArgumentError(
            f"cannot tell the format of {Path(path).name} from {what}; "
            f"name the file with one of {extensions}, or give the format ({known})"
        )
    return found
