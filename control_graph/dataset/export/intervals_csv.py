"""CSV of states in long form: one row per element per state interval, for pandas,
R and spreadsheets.

The columns are those of every export (:func:`~control_graph.dataset.export.tables.
columns`): ``element, type, name, kind, road, from, to, length_km, start, end, open,
by, status, controller, controller_name, color, uncertain, otherwise_status,
otherwise_controller, reports, sources``. ``end`` is empty for a state still in force
(pandas reads it as ``NaT``) and ``open`` is then ``true``; with ``--by bloc``
(``by`` is ``bloc``) ``controller`` holds blocs. A snapshot (one day) has one row per
element with ``date, since, until`` instead of ``start, end, open``, and ``access``,
``access_by``. Every place and segment is there, with or without coordinates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from control_graph.dataset.export.files import write_text
from control_graph.dataset.export.tables import ExportTable

__all__ = ["csv_text", "write_csv"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_text(table: ExportTable) -> str:
    """The CSV of ``table``: a header row, then one row per state.

    Examples
    --------
    >>> from control_graph.dataset.export.tables import Element, Palette, StateRow
    >>> from control_graph.model.states import held
    >>> a = Element("a", "place", "Alder")
    >>> palette = Palette({"n": "#0072b2"}, {}, contested="#222222", unknown="#bbbbbb")
    >>> rows = (StateRow(a, held("n"), dt.date(2024, 1, 1), None),)
    >>> print(csv_text(ExportTable((a,), rows, palette)))  # doctest: +NORMALIZE_WHITESPACE
    element,type,name,kind,road,from,to,length_km,start,end,open,by,status,controller,controller_name,color,uncertain,otherwise_status,otherwise_controller,reports,sources
    a,place,Alder,,,,,,2024-01-01,,true,party,held,n,n,#0072b2,false,,,0,0
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [column.name for column in table.columns()]
    writer.writerow(names)
    for row in table.rows:
        values = table.properties(row, close_open=False)
        writer.writerow([_cell(values[name]) for name in names])
    return out.getvalue()


def write_csv(table: ExportTable, path: str | Path) -> Path:
    """Write :func:`csv_text` to ``path`` (UTF-8, whole or not at all)."""
    return write_text(path, csv_text(table))
