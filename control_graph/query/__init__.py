"""The questions users ask -- who held it, its timeline, a path, what changed -- answered
from the database through the timeline engine.

:class:`Model` is the handle scripts and the command line use alike, and the only way
into the store; every answer is a small result object with ``as_dict()`` giving the
JSON the command line prints. :mod:`control_graph.query.direct` answers the commonest
questions of the command line on the database driver alone, without the Model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from control_graph.defaults import ENV_VAR as DATABASE_ENV_VAR

if TYPE_CHECKING:
    from control_graph.model.dates import DateLike
    from control_graph.query.model import Model, open_model
    from control_graph.query.results import (
        ChangesResult,
        NetworkHistory,
        PathResult,
        SegmentState,
        TimelineResult,
        WhoHeldResult,
    )

__all__ = [
    "DATABASE_ENV_VAR",
    "ChangesResult",
    "DateLike",
    "Model",
    "NetworkHistory",
    "PathResult",
    "SegmentState",
    "TimelineResult",
    "WhoHeldResult",
    "open_model",
]

# The Model (and SQLAlchemy with it) is imported on first use, so that the results and
# the direct questions can be imported without it.
_LAZY = {
    "DateLike": "control_graph.model.dates",
    "Model": "control_graph.query.model",
    "open_model": "control_graph.query.model",
    "ChangesResult": "control_graph.query.results",
    "NetworkHistory": "control_graph.query.results",
    "PathResult": "control_graph.query.results",
    "SegmentState": "control_graph.query.results",
    "TimelineResult": "control_graph.query.results",
    "WhoHeldResult": "control_graph.query.results",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'control_graph.query' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
