"""The :class:`Model`: a control-graph database and the questions it answers."""

from __future__ import annotations

from control_graph.query.asking import Asking
from control_graph.query.editing import Editing
from control_graph.query.exporting import Exporting
from control_graph.query.listing import Listing
from control_graph.store import db

__all__ = ["Model", "open_model"]


class Model(Asking, Listing, Editing, Exporting):
    """A control-graph database, and the questions it answers.

    Open one with :func:`control_graph.open`. Each question reads only what it needs
    from the database, so a model always answers from the data as it is now. The
    questions are in :class:`~control_graph.query.asking.Asking`, the listings in
    :class:`~control_graph.query.listing.Listing`, imports and scenarios in
    :class:`~control_graph.query.editing.Editing`; this is the only way into the store.

    Examples
    --------
    >>> import control_graph as cg
    >>> model = cg.open("sqlite://")
    >>> model.import_file(cg.sample_path()).added["events"] > 10
    True
    >>> model.who_held("gwaykhar-road", "2026-02-06").as_dict()["type"]
    'road'
    """


def open_model(url: str | None = None, *, migrate: bool = True) -> Model:
    """Open (creating or upgrading as needed) the database at ``url``.

    ``url`` is a SQLAlchemy URL; without one, ``$CONTROL_GRAPH_DB`` or the SQLite file
    ``control_graph.db`` in the current directory.
    """
    return Model(db.connect(url, migrate=migrate))
