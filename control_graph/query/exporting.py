"""Writing what a model holds to the formats other tools read (GeoJSON, GeoPackage, KML,
GraphML/GEXF, CSV, the dataset itself, the offline HTML map)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from control_graph.errors import InvalidArgumentError
from control_graph.model.dates import DateLike, to_optional_day
from control_graph.model.records import NO_FILTERS, Filters, Incident
from control_graph.model.timeline import By, check_by
from control_graph.query.base import ModelBase
from control_graph.store import reports

if TYPE_CHECKING:
    from control_graph.dataset.export import ExportFormat, ExportTable
    from control_graph.query.model import Model

# The export formats load only when something is exported: every command builds a
# Model, and most never export.

__all__ = ["Exported", "Exporting"]


class Exported(NamedTuple):
    """What an export wrote.

    ``day`` is the day of a snapshot (``None`` for a history); ``open_end`` the day a
    map format writes as the end of a state still in force (the day after the last day
    with data); ``written`` counts what the file holds (features, rows, nodes, records),
    ``left_out`` the places and segments a map format leaves out for want of
    coordinates.
    """

    path: Path
    format: str
    day: dt.date | None = None
    open_end: dt.date | None = None
    written: Mapping[str, int] = {}
    left_out: Mapping[str, int] = {}

    def as_dict(self) -> dict[str, Any]:
        """As the JSON ``control-graph export --json`` prints."""
        return {
            "file": str(self.path),
            "format": self.format,
            "date": None if self.day is None else self.day.isoformat(),
            "open_end": None if self.open_end is None else self.open_end.isoformat(),
            "written": dict(self.written),
            "left_out": dict(self.left_out),
        }


def _confidence(filters: Filters) -> str | None:
    return None if filters.min_confidence is None else filters.min_confidence.value


def _views_apply(file_format: ExportFormat, by: By, filters: Filters) -> None:
    if file_format.views or (by == "party" and filters == NO_FILTERS):
        return
    raise InvalidArgumentError(
        f"the {file_format.name} export is the dataset itself: every record with when it was "
        "recorded, so that an import answers every question as this database does; "
        "as_of, by bloc, min_confidence and independent_only do not apply to it "
        "(ask them of the imported copy)"
    )


def _day_applies(file_format: ExportFormat, day: dt.date | None) -> None:
    if day is not None and file_format.days == "none":
        html = file_format.name == "html"
        what = "the interactive map has a date slider" if html else "the dataset keeps every day"
        raise InvalidArgumentError(
            f"the {file_format.name} export takes no day (on): {what}; "
            "for one day's network use geojson, gpkg, kml, graphml, gexf or csv"
        )


class Exporting(ModelBase):
    """Exports (see :meth:`export`)."""

    @property
    def _model(self) -> Model:
        # Exports read through the listings of the Model this mixin is part of.
        return cast("Model", self)

    def export(
        self,
        path: str | Path,
        *,
        format: str | None = None,
        on: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
        title: str | None = None,
        tiles: str | None = None,
    ) -> Path:
        """Write what this model holds to ``path`` in a format other tools read.

        Parameters
        ----------
        path
            The file to write; it is written whole or not at all (a new file beside it,
            renamed over it when complete).
        format
            ``geojson``, ``gpkg``, ``kml``, ``graphml``, ``gexf``, ``csv``, ``yaml``,
            ``json`` or ``html``; by default the one the extension of ``path`` names.
        on
            Write one day's network (each element's state that day) instead of every
            state interval: for geojson, kml, gexf and csv; the day of gpkg's
            ``places``/``segments`` layers and of graphml (both default to the last day
            with data).
        as_of, by, min_confidence, independent_only
            As for :meth:`~control_graph.query.asking.Asking.timeline`. A yaml or json
            export is the dataset itself and takes none of them.
        title
            The name of the layer, document or page (default: the dataset's name).
        tiles
            For html: a map tile URL with ``{z}``, ``{x}``, ``{y}`` drawn under the map.

        Returns
        -------
        Path
            The file written (:meth:`export_file` also says what it holds).

        Raises
        ------
        InvalidArgumentError
            For an unknown format or extension, an option the format does not take, a
            file that cannot be written, or a GeoPackage without pyogrio installed.

        Examples
        --------
        >>> import json, tempfile
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> folder = tempfile.mkdtemp()
        >>> path = model.export(f"{folder}/kachin.geojson")
        >>> feature = json.loads(path.read_text())["features"][0]
        >>> feature["geometry"]["type"], sorted(feature["properties"])[:4]
        ('Point', ['by', 'color', 'controller', 'controller_name'])
        >>> model.export(f"{folder}/day.csv", on="2026-02-06").read_text().count("\\n") > 10
        True
        """
        return self.export_file(
            path,
            format=format,
            on=on,
            as_of=as_of,
            by=by,
            min_confidence=min_confidence,
            independent_only=independent_only,
            title=title,
            tiles=tiles,
        ).path

    def export_file(
        self,
        path: str | Path,
        *,
        format: str | None = None,
        on: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
        title: str | None = None,
        tiles: str | None = None,
    ) -> Exported:
        """:meth:`export`, saying what was written (for the command line's message).

        Examples
        --------
        >>> import tempfile
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> done = model.export_file(f"{tempfile.mkdtemp()}/day.graphml", on="2026-02-06")
        >>> done.format, done.day.isoformat(), done.written["nodes"] > 10
        ('graphml', '2026-02-06', True)
        """
        from control_graph.dataset.export import format_of
        from control_graph.query.asking import make_filters

        file_format = format_of(path, format)
        day = to_optional_day(on, "on")
        view = check_by(by)
        filters = make_filters(as_of, min_confidence, independent_only)
        _views_apply(file_format, view, filters)
        _day_applies(file_format, day)
        if tiles is not None and file_format.name != "html":
            raise InvalidArgumentError("tiles are for the html map only")
        if file_format.name == "gpkg":
            # Say what to install before reading anything.
            from control_graph.dataset.export.geopackage import require_pyogrio

            require_pyogrio()
        if file_format.name in ("yaml", "json"):
            from control_graph.dataset.export.dataset_file import write_dataset_file

            dataset = self._model.dataset()
            written = write_dataset_file(
                dataset, path, "yaml" if file_format.name == "yaml" else "json"
            )
            counts = {k: n for k, n in dataset.counts().items() if n}
            return Exported(written, file_format.name, written=counts)
        if file_format.name == "html":
            return self._export_html(Path(path), view, filters, title, tiles)
        return self._export_table(Path(path), file_format, day, view, filters, title)

    # -- the formats ------------------------------------------------------------------------

    def _export_html(
        self, path: Path, by: By, filters: Filters, title: str | None, tiles: str | None
    ) -> Exported:
        # The map's data are read through this model's public questions, like any page.
        from control_graph.webmap import map_data, render_page

        data = map_data(
            self._model,
            as_of=filters.as_of,
            by=by,
            tiles=tiles,
            title=title,
            min_confidence=_confidence(filters),
            independent_only=filters.independent_only,
        )
        from control_graph.dataset.export.files import write_text

        written = write_text(path, render_page(data))
        counts = {"places": len(data["places"]["id"]), "segments": len(data["segments"]["id"])}
        return Exported(written, "html", written=counts)

    def _export_table(
        self,
        path: Path,
        file_format: ExportFormat,
        day: dt.date | None,
        by: By,
        filters: Filters,
        title: str | None,
    ) -> Exported:
        from control_graph.colors import CONTESTED_COLOR, UNKNOWN_COLOR, controller_colors
        from control_graph.dataset.export import (
            Palette,
            history_table,
            incident_rows,
            snapshot_table,
        )

        network, timeline, access = self._model.history(
            as_of=filters.as_of,
            min_confidence=_confidence(filters),
            independent_only=filters.independent_only,
        )
        incidents = self._counted_incidents(filters)
        names = {p.id: p.name or p.id for p in network.parties.values()}
        if by == "bloc":
            names.update({b.id: b.name or b.id for b in network.blocs.values()})
        palette = Palette(
            controller_colors(network.parties.values(), network.blocs.values(), by=by),
            names,
            contested=CONTESTED_COLOR.lower(),
            unknown=UNKNOWN_COLOR.lower(),
        )
        sources = {record.id: record.source for record in self._model.events()}
        heading = title or network.name or "control-graph"
        history = history_table(
            network,
            timeline,
            palette,
            by=by,
            sources=sources,
            also=_incident_days(incidents),
            title=heading,
            scenario=self.label,
            filters=filters,
        )
        if file_format.days == "snapshot" or file_format.name == "gpkg":
            # A graph has no time, nor have these layers: the last day with data.
            last = None if history.open_end is None else history.open_end - dt.timedelta(days=1)
            day = day or last or dt.date.today()
        table = history
        if day is not None:
            table = snapshot_table(
                network,
                timeline,
                access,
                palette,
                day,
                by=by,
                sources=sources,
                title=heading,
                scenario=self.label,
                filters=filters,
            )
        roads = {road.id: road.segments for road in network.roads.values()}
        if file_format.name == "gpkg":
            from control_graph.dataset.export.geopackage import write_geopackage

            located = incident_rows(incidents, history.elements, roads)
            written = write_geopackage(table, history, located, path)
            counts = {
                "places": len(table.located("place")),
                "segments": len(table.located("segment")),
                "intervals": len(history.located("place")) + len(history.located("segment")),
                "incidents": len(located),
            }
            return Exported(written, "gpkg", day, history.open_end, counts, table.left_out())
        return _write_table(path, file_format.name, table)

    def _counted_incidents(self, filters: Filters) -> list[Incident]:
        with self._reading() as (conn, overlay):
            return reports.read_incidents(conn, filters=filters, overlay=overlay)


def _incident_days(incidents: list[Incident]) -> list[dt.date]:
    days: list[dt.date] = []
    for incident in incidents:
        days.append(incident.date)
        days.extend(d for d in (incident.date_latest, incident.recorded) if d is not None)
    return days


def _write_table(path: Path, name: str, table: ExportTable) -> Exported:
    """Write ``table`` in the format called ``name``; say what the file holds."""
    open_end = table.open_end if table.day is None else None
    if name in ("geojson", "kml"):
        from control_graph.dataset.export.geojson import write_geojson
        from control_graph.dataset.export.kml import write_kml

        written = (write_geojson if name == "geojson" else write_kml)(table, path)
        places, segments = table.located("place"), table.located("segment")
        counts = {
            "features": len(places) + len(segments),
            "places": len({r.element.id for r in places}),
            "segments": len({r.element.id for r in segments}),
        }
        # KML leaves a state still in force without an end: it has no open end to write.
        end = open_end if name == "geojson" else None
        return Exported(written, name, table.day, end, counts, table.left_out())
    if name == "csv":
        from control_graph.dataset.export.intervals_csv import write_csv

        return Exported(write_csv(table, path), name, table.day, written={"rows": len(table.rows)})
    from control_graph.dataset.export.gexf import write_gexf
    from control_graph.dataset.export.graphml import write_graphml

    written = (write_graphml if name == "graphml" else write_gexf)(table, path)
    counts = {
        "nodes": sum(1 for e in table.elements if e.type == "place"),
        "edges": sum(1 for e in table.elements if e.type == "segment"),
    }
    return Exported(written, name, table.day, written=counts)
