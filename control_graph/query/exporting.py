"""Writing what a model holds to the formats other tools read (GeoJSON, GeoPackage, KML,
GraphML/GEXF, CSV, the dataset itself, the offline HTML map)."""

from __future__ import annotations

from control_graph.query.base import ModelBase

__all__ = ["Exporting"]


class Exporting(ModelBase):
    """Exports (see :meth:`export`)."""
